/**
 * Exactness under faults (issue 10): indexing through a proxy that resets connections on loopback,
 * and a CLI run killed with SIGKILL then run again. Both must leave exactly the bundle's documents:
 * the same count per data stream and the same content (the hash of the stored sources equals the
 * hash of the offline bundle's sources for the same options), nothing lost, nothing twice.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { writeBundle } from '../../server/bundle/write_bundle';
import { buildPlan } from '../../server/generators/plan';
import type { GenerateOptions } from '../../server/generators/options';
import { runInstall } from '../../server/installers/run';
import { startResetProxy } from '../helpers/reset_proxy';
import { startStandin, type Standin } from '../standin';

const ROOT = resolve(__dirname, '../..');
const OPTIONS = { modules: ['security_auth', 'security_network'], historyDays: 3, end: '2026-11-20T10:07:00Z', variant: 'classic' } satisfies GenerateOptions;

/** Order-independent hash of document sources (canonical JSON, sorted). */
const hashSources = (sources: string[]) => createHash('sha256').update(sources.sort().join('\n')).digest('hex');

/** Per data stream: document count and source hash of the offline bundle. */
async function bundleTruth(): Promise<Record<string, { docs: number; hash: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'exact-'));
  try {
    const { manifest } = await writeBundle(buildPlan(OPTIONS), dir, { verify: false });
    const out: Record<string, { docs: number; hash: string }> = {};
    for (const ds of manifest.dataStreams) {
      const lines = readFileSync(join(dir, ds.file), 'utf8').trimEnd().split('\n');
      const sources = lines.filter((_l, i) => i % 2 === 1).map((l) => JSON.stringify(JSON.parse(l)));
      out[ds.name] = { docs: ds.docs, hash: hashSources(sources) };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function stored(standin: Standin): Record<string, { docs: number; hash: string; ids: number }> {
  const out: Record<string, { docs: number; hash: string; ids: number }> = {};
  for (const [name, ds] of standin.state.dataStreams) {
    expect(ds.docs.length).toBe(ds.docCount); // every document kept for the hash
    out[name] = { docs: ds.docCount, hash: hashSources(ds.docs.map((d) => JSON.stringify(d))), ids: ds.ids.size };
  }
  return out;
}

let truth: Record<string, { docs: number; hash: string }>;
let standin: Standin;
beforeAll(async () => {
  truth = await bundleTruth();
}, 60_000);
beforeEach(async () => {
  standin = await startStandin({ keepDocs: 1_000_000 });
});
afterEach(async () => {
  standin.assertNoViolations();
  await standin.close();
});

function expectExactly(actual: Record<string, { docs: number; hash: string; ids: number }>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(truth).sort());
  for (const [name, t] of Object.entries(truth)) {
    expect({ name, docs: actual[name].docs, ids: actual[name].ids, hash: actual[name].hash }).toEqual({ name, docs: t.docs, ids: t.docs, hash: t.hash });
  }
}

it('indexing through a connection-resetting proxy: exact counts and identical content', async () => {
  const proxy = await startResetProxy(standin.esUrl, { resets: 16, midRequestAfterBytes: 30_000 });
  const es = new Client({ node: proxy.url, auth: { apiKey: 'dGVzdDp0ZXN0' }, maxRetries: 3 });
  try {
    const result = await runInstall({ es }, { ...OPTIONS, enableJobs: false, installRules: false, chunkSize: 400, retryWaitMs: 10 }, () => undefined);
    expect(result.errors).toEqual([]);
    expect(result.state).toBe('succeeded');
    // Both kinds happened: requests cut short, and answers lost after the documents were stored.
    expect(proxy.resets.midRequest).toBeGreaterThanOrEqual(5);
    expect(proxy.resets.afterResponse).toBeGreaterThanOrEqual(5);
    const total = Object.values(truth).reduce((a, t) => a + t.docs, 0);
    expect(result.docs).toMatchObject({ indexed: total, failed: 0 });
    expectExactly(stored(standin));
  } finally {
    await es.close();
    await proxy.close();
  }
}, 120_000);

it('a CLI run killed with SIGKILL part-way, then run again: exact counts and identical content', async () => {
  standin.faults.delay(40, 'POST /_bulk');
  const args = ['generate-ml-data', '--modules', OPTIONS.modules.join(','), '--history-days', String(OPTIONS.historyDays), '--end', OPTIONS.end, '--variant', OPTIONS.variant, '--chunk-size', '300'];
  const env = { ...process.env, ES_URL: standin.esUrl, KIBANA_URL: '', ELASTIC_API_KEY: 'dGVzdDp0ZXN0' };
  const cli = (kill?: () => boolean) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((done) => {
      const child = spawn(process.execPath, ['-r', './dev/register.js', 'bin/ml_demo_data.ts', ...args], { cwd: ROOT, env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const timer = kill ? setInterval(() => kill() && child.kill('SIGKILL'), 20) : undefined;
      child.on('close', (code, signal) => {
        if (timer) clearInterval(timer);
        done({ code, signal, out });
      });
    });
  const total = Object.values(truth).reduce((a, t) => a + t.docs, 0);
  // Killed once a third of the documents are in: mid-stream, with bulk requests in flight.
  const first = await cli(() => standin.docCount('logs-ml_demo.*') > total / 3);
  expect(first.signal).toBe('SIGKILL');
  const partial = standin.docCount('logs-ml_demo.*');
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(total);
  standin.faults.clear();
  const second = await cli();
  expect(second.out).toMatch(/SUCCEEDED/);
  expect(second.code).toBe(0);
  expectExactly(stored(standin));
}, 120_000);
