/**
 * npm run bench — throughput and memory of the generator, measured on this machine.
 *
 *   generate  all six modules to a null sink (chunks are flattened and measured, nothing kept)
 *   bundle    all six modules written as the offline bundle (files on disk, verification off)
 *   startup   CLI start-up time (`--help` and `list`)
 *
 * Each measurement runs in its own child process so peak RSS is its own.
 * BENCH_SIZES=1000000,10000000 (default) sets the document counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUPPORTED_MODULE_IDS } from '../common/catalogue';
import { writeBundle } from '../server/bundle/write_bundle';
import { buildPlan, type Plan } from '../server/generators/plan';
import { moduleStream } from '../server/generators/stream';
import { hourOfWeek, TICK } from '../server/generators/time';

const END = '2026-11-20T10:00:00Z';

/** Expected documents of a plan: the lanes' rates summed over the window. */
function expectedDocs(plan: Plan): number {
  let total = 0;
  for (const m of plan.modules) for (const { lane } of m.jobs) for (let t = plan.start; t < plan.end; t += TICK) total += lane.ratePerTick[hourOfWeek(t)];
  return total;
}

function planFor(docs: number): Plan {
  const base = expectedDocs(buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: END }));
  return buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: END, scale: docs / base });
}

async function child(mode: string, target: number): Promise<void> {
  const plan = planFor(target);
  const started = process.hrtime.bigint();
  let docs = 0;
  let bytes = 0;
  if (mode === 'generate') {
    for (const m of plan.modules) for (const chunk of moduleStream(plan, m, { bulkCreate: true })) { docs += chunk.docs; bytes += Buffer.byteLength(chunk.ndjson); }
  }
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (mode === 'bundle') {
    const dir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
    try {
      const t = process.hrtime.bigint();
      const { manifest } = await writeBundle(plan, dir, { verify: false });
      seconds = Number(process.hrtime.bigint() - t) / 1e9;
      docs = manifest.totals.docs;
    } finally {
      rmSync(dir, { recursive: true, force: true }); // not timed
    }
  }
  process.stdout.write(JSON.stringify({ mode, docs, seconds, docsPerSecond: docs / seconds, mb: bytes / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
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
  if (process.argv[2] === '--child') return child(process.argv[3], Number(process.argv[4]));
  const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
  console.log(`ml-demo-data bench on node ${process.version}, ${cpus().length} cores\n`);
  console.log('mode       docs         seconds   docs/s     peak RSS');
  for (const mode of ['generate', 'bundle']) {
    for (const size of sizes) {
      const out = execFileSync(process.execPath, [__filename, '--child', mode, String(size)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const r = JSON.parse(out) as { docs: number; seconds: number; docsPerSecond: number; peakRssMb: number };
      console.log(`${mode.padEnd(10)} ${String(r.docs).padEnd(12)} ${r.seconds.toFixed(1).padStart(7)}   ${Math.round(r.docsPerSecond).toLocaleString('en-US').padStart(9)}  ${r.peakRssMb.toFixed(0).padStart(5)} MB`);
    }
  }
  console.log(`\nCLI start-up (median of 10): --help ${startup(['--help']).toFixed(0)} ms, list ${startup(['list']).toFixed(0)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
