/**
 * Worker threads must not change a byte: the bundle written by several threads (data files and the
 * manifest with the engine model's verdicts) is compared, file by file, with the single-thread one.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseOptionText } from '../../common/options';
import { testPlan } from '../../test/helpers/generate';
import { writeBundle } from '../bundle/write_bundle';
import { moduleStream } from '../generators/stream';
import { engineVerify, SCOPES } from '../verify/engine_verify';
import { modulePass, WorkerChunkSource } from './module_pass';
import { assignModules, resolveWorkers } from './workers';

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('worker threads', () => {
  const root = mkdtempSync(join(tmpdir(), 'ml-parallel-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // Modules whose jobs also read each other's streams (network events in packetbeat, logons on Windows).
  const options = { modules: ['security_auth', 'security_network', 'security_packetbeat', 'security_windows_v3'], historyDays: 4 };

  it('write the same bundle, byte for byte, as one thread (data, manifest with the verdicts, everything)', async () => {
    const single = await writeBundle(testPlan(options), join(root, 'single'));
    const progress: number[] = [];
    const parallel = await writeBundle(testPlan(options), join(root, 'parallel'), { workers: 2, onProgress: (p) => progress.push(p.fraction) });
    const a = hashes(join(root, 'single'));
    const b = hashes(join(root, 'parallel'));
    expect(Object.keys(a).length).toBeGreaterThan(20);
    expect(b).toEqual(a);
    expect(parallel.manifest).toEqual(single.manifest);
    // The all-scope verdicts saw other modules' documents (so the merge by time was exercised).
    const all = single.manifest.verify.filter((v) => v.scopes.all!.docs > v.scopes.stream!.docs);
    expect(all.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBeCloseTo(1, 5);
  });

  it('hand modules out as threads free up (no all scope): the same files and stream verdicts as one thread', async () => {
    const plan = testPlan({
      ...options,
      modules: ['security_auth', 'security_windows_v3', 'security_linux_v3', 'security_network', 'security_cloudtrail'],
      historyDays: 3,
    });
    await writeBundle(plan, join(root, 'single-noverify'), { verify: false });
    const pass = await writeBundle(testPlan({ ...options, modules: plan.options.modules, historyDays: 3 }), join(root, 'dynamic'), {
      verify: false,
      workers: 2,
    });
    expect(hashes(join(root, 'dynamic'))).toEqual(hashes(join(root, 'single-noverify')));
    expect(pass.manifest.totals.docs).toBeGreaterThan(0);
    const { verification, docs } = await modulePass(plan, { workers: 3, verify: ['stream'] });
    expect(verification).toEqual(engineVerify(plan, ['stream']));
    expect(docs.every((n) => n > 0)).toBe(true);
  });
  it('verify in memory with the same results as the single-thread verifier, with 3 threads and a window of 1', async () => {
    const plan = testPlan({ ...options, modules: ['security_auth', 'security_windows_v3', 'security_linux_v3'], historyDays: 3 });
    const { verification, docs } = await modulePass(plan, { workers: 3, verify: SCOPES, window: 1 });
    expect(verification).toEqual(engineVerify(plan));
    expect(docs.every((n) => n > 0)).toBe(true);
  });

  it('generate chunks for the indexer in a worker that are the stream chunks, also when a module is taken again', async () => {
    const plan = testPlan({ modules: ['security_auth', 'security_cloudtrail'], historyDays: 3 });
    const source = new WorkerChunkSource(plan, { chunkDocs: 500 });
    try {
      for (const m of [1, 0, 1]) {
        const expected = [...moduleStream(plan, plan.modules[m], { chunkDocs: 500 })].map((c) => c.ndjson);
        const got: string[] = [];
        for await (const chunk of source.chunks(m)) got.push(chunk.ndjson);
        expect(got).toEqual(expected);
      }
    } finally {
      await source.close();
    }
  });

  it('report a thread that fails (an unwritable file) as an error of the run', async () => {
    const plan = testPlan({ modules: ['security_auth', 'security_network'], historyDays: 3 });
    const files = plan.modules.map((m) => join(root, 'no-such-dir', `${m.dataStream}.ndjson`));
    await expect(modulePass(plan, { workers: 2, files, verify: SCOPES })).rejects.toThrow(/ENOENT/);
  });

  it('split modules by expected documents and read --workers strictly', () => {
    expect(assignModules([10, 50, 30, 20], 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(assignModules([5, 5], 4)).toEqual([[0], [1]]);
    expect(resolveWorkers(3)).toBe(3);
    expect(resolveWorkers('auto')).toBeGreaterThanOrEqual(1);
    expect(() => resolveWorkers(0)).toThrow('workers must be an integer from 1 to 64 or auto (one per core); got 0');
    expect(parseOptionText('workers', 'auto', '--workers')).toBe('auto');
    expect(parseOptionText('workers', '2', '--workers')).toBe(2);
    expect(() => parseOptionText('workers', '2.5', '--workers')).toThrow('--workers must be auto or an integer from 1 to 64; got "2.5"');
  });
});
