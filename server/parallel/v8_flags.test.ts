/**
 * Starting a worker thread puts run-time V8 flags back to their defaults for the whole process;
 * the CLI's heap bounds while it indexes (bin/connection.ts) must survive the generator thread.
 * Checked in a fresh process (Jest's own has long grown its young generation): the flag that keeps
 * new space from growing is set, a worker thread started through startWorker, then the main thread
 * makes many short-lived objects with survivors — the kind of load that grows new space.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

const script = `
const v8 = require('node:v8');
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const { setRuntimeV8Flags } = require(${JSON.stringify(join(__dirname, 'v8_flags.ts'))});
setRuntimeV8Flags('--semi-space-growth-factor=1');
const before = newSpace();
const { startWorker } = require(${JSON.stringify(join(__dirname, 'workers.ts'))});
const { testPlan } = require(${JSON.stringify(join(root, 'test/helpers/generate.ts'))});
const plan = testPlan({ modules: ['security_auth'], historyDays: 3 });
const worker = startWorker({ options: plan.options, now: Date.now(), modules: [], bulkCreate: false, window: 1, hold: true });
worker.once('message', () => {
  let keep = [];
  for (let i = 0; i < 3e6; i++) {
    keep.push({ i, s: 'x' + i });
    if (keep.length > 200000) keep = [];
  }
  process.stdout.write(JSON.stringify({ before, after: newSpace() }));
  void worker.terminate();
});
`;

describe('run-time V8 flags', () => {
  it('hold after a worker thread starts (the main thread young generation stays as it was)', () => {
    // esbuild (dev/register.js, in both threads) would start threads of its own: without them
    // here, only startWorker starts one.
    const env = { ...process.env, ESBUILD_WORKER_THREADS: '0' };
    const out = execFileSync(process.execPath, ['-r', join(root, 'dev/register.js'), '-e', script], { encoding: 'utf8', env });
    const { before, after } = JSON.parse(out) as { before: number; after: number };
    // Without the flag applied again, new space grows to V8's maximum (2 x 16 MB) here; with it,
    // at most the one doubling that fits between the thread's start and its 'online' event.
    expect(before).toBeLessThanOrEqual(8 << 20);
    expect(after).toBeLessThanOrEqual(2 * before);
  }, 120_000);
});
