/**
 * npm run bench — throughput and memory of the generator, measured on this machine.
 *
 *   generate  all seven modules to a null sink (chunks are flattened and measured, nothing kept);
 *             then, as the machine's ceiling for the worker row, one single-thread generator
 *             process per thread, all at once ("2 procs": their combined docs/s)
 *   bundle    all seven modules written as the offline bundle (files on disk, verification off)
 *   e2e       generation + the installer's bulk indexing (client.helpers.bulk) into a loopback
 *             bulk sink (an HTTP server on 127.0.0.1 that answers _bulk like Elasticsearch)
 *   start     the default demo written and verified, as `npm start` does
 *
 * Every mode runs single-threaded and with worker threads (BENCH_WORKERS, default one per core),
 * alternately, so both see the same machine; CPU % is every thread's CPU time over wall time.
 * BENCH_MODES=generate,bundle,e2e,start,predict picks modes.
 *   predict   the engine model (`ml-demo-data predict`) over an NDJSON file of that many documents
 *             (rare by process.name partition host.name, 15 minutes, 60 days), streamed
 *   startup   CLI start-up time (`--help` and `list`)
 *
 * Each measurement runs in its own child process so peak RSS is its own; generation runs with a
 * capped V8 heap, so a memory leak would fail the run rather than hide in a large heap.
 * BENCH_SIZES=1000000,10000000 (default) sets the document counts.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundHeapGrowth, bulkBufferSerializer } from '../bin/connection';
import { indexModule } from '../server/installers/indexer';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUPPORTED_MODULE_IDS } from '../common/catalogue';
import { DEFAULT_OPTIONS, LIMITS } from '../common/options';
import { writeBundle } from '../server/bundle/write_bundle';
import { buildPlan, type ModulePlan, type Plan } from '../server/generators/plan';
import { moduleStream } from '../server/generators/stream';
import { expectedDocs } from '../server/installers/run';
import { predictFiles } from '../server/engine/predict';
import { modulePass, WorkerChunkSource } from '../server/parallel/module_pass';
import { resolveWorkers } from '../server/parallel/workers';

const END = '2026-11-20T10:00:00Z';

/**
 * A plan of about `docs` documents: the default demo scaled up, or, below the default demo's size
 * (scale cannot go under 1), the default scale over a shorter history. The rows report the
 * documents actually generated.
 */
function planFor(docs: number): Plan {
  const modules = [...SUPPORTED_MODULE_IDS];
  const base = expectedDocs(buildPlan({ modules, end: END }));
  if (docs >= base) return buildPlan({ modules, end: END, scale: docs / base });
  const historyDays = Math.max(LIMITS.historyDays.min, Math.round((DEFAULT_OPTIONS.historyDays * docs) / base));
  return buildPlan({ modules, end: END, historyDays });
}

/** What a child reports: its own wall time, CPU time of all its threads, and peak RSS. */
function report(fields: Record<string, unknown> & { docs: number; seconds: number }, cpu0: NodeJS.CpuUsage, since = fields.seconds): void {
  const cpu = process.cpuUsage(cpu0);
  // Over the whole measured span (threads' start-up included where the clock excludes it).
  const cpuPercent = ((cpu.user + cpu.system) / 1e6 / since) * 100;
  process.stdout.write(
    JSON.stringify({ ...fields, docsPerSecond: fields.docs / fields.seconds, cpuPercent, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
  );
}

async function child(mode: string, target: number, workers: number): Promise<void> {
  // The heap settings of the CLI's connect() (bin/connection.ts), made where the CLI makes them:
  // before the plan and the client are made (the young generation must not have grown yet).
  if (mode === 'e2e') boundHeapGrowth();
  const plan = mode === 'start' ? buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: END }) : planFor(target);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  let readyAt = started;
  let docs = 0;
  let bytes = 0;
  if (mode === 'generate' && workers === 1) {
    for (const m of plan.modules)
      for (const chunk of moduleStream(plan, m, { bulkCreate: true })) {
        docs += chunk.docs;
        bytes += Buffer.byteLength(chunk.ndjson);
      }
  }
  if (mode === 'generate' && workers > 1) {
    // Each thread builds the plan from the options (a plan is a value) and counts its modules' bytes.
    // Timed from when every thread has its plan, as the single-thread row is timed from its plan.
    let ready = started;
    const pass = await modulePass(plan, { workers, bulkCreate: true, onReady: () => (ready = process.hrtime.bigint()) });
    readyAt = ready;
    docs = pass.docs.reduce((a, b) => a + b, 0);
    bytes = pass.bytes.reduce((a, b) => a + b, 0);
  }
  if (mode === 'e2e') {
    // The sink runs in its own process, as Elasticsearch would.
    const sinkProcess = spawn(process.execPath, [__filename, '--sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => sinkProcess.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const sink = { url, close: () => sinkProcess.kill() };
    // The client of the CLI's connect() (bin/connection.ts), loaded as it loads it (after the heap settings).
    const { Client } = await import('@elastic/elasticsearch');
    const es = new Client({ node: sink.url, Serializer: await bulkBufferSerializer() });
    const t = process.hrtime.bigint();
    // With workers, each module is generated in a worker thread while the main thread sends it.
    const source = workers > 1 ? new WorkerChunkSource(plan, { chunkDocs: 1000 }) : undefined;
    const chunks = source && ((module: ModulePlan) => source.chunks(plan.modules.indexOf(module)));
    for (const m of plan.modules) docs += (await indexModule(es, plan, m, { chunkSize: E2E_CHUNK, concurrency: E2E_CONCURRENCY, chunks })).indexed;
    await source?.close();
    const e2eSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    await es.close();
    sink.close();
    report({ mode, workers, docs, seconds: e2eSeconds }, cpu0);
    return;
  }
  if (mode === 'predict') {
    const dir = process.argv[5];
    const p = await predictFiles({ job: join(dir, 'job.json'), data: join(dir, 'docs.ndjson'), injections: join(dir, 'injections.json') });
    report({ mode, workers, docs: p.docs, seconds: p.seconds, score: p.injections[0].score }, cpu0);
    return;
  }
  let seconds = Number(process.hrtime.bigint() - readyAt) / 1e9;
  if (mode === 'bundle' || mode === 'start') {
    const dir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
    try {
      const t = process.hrtime.bigint();
      // start: what `npm start` writes (the default demo, verified); bundle: files only.
      const { manifest } = await writeBundle(plan, dir, { verify: mode === 'start', workers });
      seconds = Number(process.hrtime.bigint() - t) / 1e9;
      docs = manifest.totals.docs;
    } finally {
      rmSync(dir, { recursive: true, force: true }); // not timed
    }
  }
  report({ mode, workers, docs, seconds, mb: bytes / 1e6 }, cpu0, Math.max(seconds, Number(process.hrtime.bigint() - started) / 1e9));
}

/** The predict bench's input: n documents of 20 hosts running their own processes, one new process at the end. */
function predictInput(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-predict-'));
  const span = 900_000;
  const end = Date.parse(END);
  const buckets = 60 * 96;
  const start = end - buckets * span;
  const job = {
    analysis_config: { bucket_span: '15m', detectors: [{ function: 'rare', by_field_name: 'process.name', partition_field_name: 'host.name' }] },
    data_description: { time_field: '@timestamp' },
  };
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
  writeFileSync(
    join(dir, 'injections.json'),
    JSON.stringify({
      end: new Date(end).toISOString(),
      injections: [{ label: 'injected', bucket_start: new Date(end - span).toISOString(), entity: 'xmrig' }],
    }),
  );
  const fd = openSync(join(dir, 'docs.ndjson'), 'w');
  let lines: string[] = [];
  for (let i = 0; i < n - 1; i++) {
    const ts = start + Math.floor((i / n) * buckets * span);
    const host = i % 20;
    lines.push(JSON.stringify({ '@timestamp': new Date(ts).toISOString(), host: { name: `host-${host}` }, process: { name: `proc-${host}-${(i * 7) % 30}` } }));
    if (lines.length === 10_000) {
      writeSync(fd, lines.join('\n') + '\n');
      lines = [];
    }
  }
  lines.push(JSON.stringify({ '@timestamp': new Date(end - span / 2).toISOString(), host: { name: 'host-0' }, process: { name: 'xmrig' } }));
  writeSync(fd, lines.join('\n') + '\n');
  closeSync(fd);
  return dir;
}

const HEAP_CAP_MB = 192;
const execFileAsync = promisify(execFile);
const E2E_CHUNK = 5000;
const E2E_CONCURRENCY = 4;

/** Answers `_bulk` like Elasticsearch (every create 201) and `_refresh`, doing as little as possible. */
function bulkSink(): Promise<{ url: string; close(): void }> {
  const item = '{"create":{"_index":"x","_id":"x","status":201,"result":"created"}}';
  const filtered = '{"create":{"status":201}}';
  const server = createServer((req, res) => {
    let lines = 0;
    req.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    req.on('end', () => {
      const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
      if (!req.url?.includes('_bulk')) return void res.writeHead(200, headers).end('{"_shards":{"total":1,"successful":1,"failed":0}}');
      const items = new Array(lines / 2).fill(req.url.includes('filter_path') ? filtered : item).join(',');
      res.writeHead(200, headers).end(`{"took":1,"errors":false,"items":[${items}]}`);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

function startup(args: string[], runs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [join(__dirname, '../bin/ml_demo_data.js'), ...args], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], Number(process.argv[4]), Number(process.argv[6] ?? 1));
  if (process.argv[2] === '--sink') return void bulkSink().then((s) => process.stdout.write(`${s.url}\n`));
  const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
  const threads = resolveWorkers(process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : 'auto');
  const modes = (process.env.BENCH_MODES ?? 'generate,bundle,e2e,start').split(',');
  console.log(`ml-demo-data bench on node ${process.version}, ${cpus().length} cores; each row single-threaded (1) and with ${threads} worker threads\n`);
  console.log('mode       threads docs         seconds   docs/s     CPU %  peak RSS');
  const row = (r: { mode: string; workers: number; docs: number; seconds: number; docsPerSecond: number; cpuPercent: number; peakRssMb: number }) =>
    console.log(
      `${r.mode.padEnd(10)} ${String(r.workers).padStart(7)} ${String(r.docs).padEnd(12)} ${r.seconds.toFixed(1).padStart(7)}   ${Math.round(r.docsPerSecond).toLocaleString('en-US').padStart(9)}  ${r.cpuPercent.toFixed(0).padStart(5)}  ${r.peakRssMb.toFixed(0).padStart(5)} MB`,
    );
  const childArgs = (mode: string, size: number, workers: number, extra: string[] = []) => {
    // A capped heap: a run that held on to documents would fail instead of just growing.
    const cap = mode === 'e2e' ? [] : [`--max-old-space-size=${HEAP_CAP_MB}`];
    return [...cap, __filename, '--child', mode, String(size), extra[0] ?? '-', String(workers)];
  };
  const run = (mode: string, size: number, workers: number, extra: string[] = []) => {
    row(JSON.parse(execFileSync(process.execPath, childArgs(mode, size, workers, extra), { encoding: 'utf8', maxBuffer: 1 << 20 })));
  };
  for (const mode of modes.filter((m) => m !== 'predict' && m !== 'start')) {
    // Single-threaded and with workers alternately, so both see the same machine.
    for (const size of sizes) for (const workers of [1, threads]) run(mode, size, workers);
  }
  if (modes.includes('generate') && threads > 1) {
    // The machine's own ceiling for the worker rows: as many single-thread generator processes as
    // threads, at once, sharing nothing. Their combined docs/s over one process's is the most any
    // split of the work could gain here (cores that share caches, memory bandwidth or a host
    // give less than their number).
    for (const size of sizes.filter((n) => n <= 1_000_000)) {
      const children = await Promise.all(Array.from({ length: threads }, () => execFileAsync(process.execPath, childArgs('generate', size, 1))));
      const rows = children.map((c) => JSON.parse(c.stdout) as { docs: number; seconds: number; cpuPercent: number; peakRssMb: number });
      const seconds = Math.max(...rows.map((r) => r.seconds));
      const docs = rows.reduce((a, r) => a + r.docs, 0);
      const cpuPercent = rows.reduce((a, r) => a + (r.cpuPercent * r.seconds) / seconds, 0);
      row({
        mode: `${threads} procs`,
        workers: 1,
        docs,
        seconds,
        docsPerSecond: docs / seconds,
        cpuPercent,
        peakRssMb: Math.max(...rows.map((r) => r.peakRssMb)),
      });
    }
  }
  if (modes.includes('start')) for (const workers of [1, threads, 1, threads]) run('start', 0, workers);
  if (modes.includes('predict') || !process.env.BENCH_MODES) {
    for (const size of sizes.filter((n) => n <= 1_000_000)) {
      const dir = predictInput(size);
      try {
        run('predict', size, 1, [dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(
    `(generate, bundle, start and predict run with --max-old-space-size=${HEAP_CAP_MB}; e2e: bulk requests of ${E2E_CHUNK} documents, ${E2E_CONCURRENCY} in flight, default heap (its growth bounded as the CLI bounds it);`,
  );
  console.log(
    " start: the default demo (all seven modules, 14 days) written and verified, as `npm start` does; CPU % is all threads' CPU time over wall time)",
  );
  console.log(`\nCLI start-up (median of 10): --help ${startup(['--help']).toFixed(0)} ms, list ${startup(['list']).toFixed(0)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
