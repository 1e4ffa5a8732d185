/**
 * Worker threads for the module streams. The machine this runs on often has few cores and the
 * generator, the bundle writer and the verifier are CPU-bound JavaScript: one thread used one core.
 * Modules are independent streams (each seeded by its own id), so threads generate whole modules
 * and the output stays byte for byte what one thread writes.
 *
 * The worker's entry is resolved next to this module: `worker.js` in the compiled `target/`,
 * `worker.ts` when running from the sources (Jest, `node -r ./dev/register.js`), where the worker
 * first loads dev/register.js so it compiles TypeScript the same way.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { assertOption, LIMITS } from '../../common/options';
import { reapplyRuntimeV8Flags } from './v8_flags';

/** `--workers`: a number of threads, or 'auto' (one per core). 1 is the single-thread path. */
export type WorkersOption = number | 'auto';

export function resolveWorkers(option: WorkersOption | undefined): number {
  if (option === undefined || option === 'auto') return Math.min(LIMITS.workers.max, Math.max(1, availableParallelism()));
  assertOption('workers', option);
  return option;
}

/**
 * Starts the module worker (worker.ts / worker.js beside this file) with `workerData`;
 * `resourceLimits` bound its heap (V8 otherwise lets a thread's heap grow far past what is live).
 */
export function startWorker(workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const fromSource = __filename.endsWith('.ts');
  const entry = join(__dirname, fromSource ? 'worker.ts' : 'worker.js');
  const register = join(__dirname, '../../dev/register.js');
  const worker = fromSource
    ? new Worker(`require(${JSON.stringify(register)});\nrequire(${JSON.stringify(entry)});`, { eval: true, workerData, resourceLimits })
    : new Worker(entry, { workerData, resourceLimits });
  // The thread's start put the process's run-time V8 flags back to their defaults (v8_flags.ts).
  worker.once('online', reapplyRuntimeV8Flags);
  return worker;
}

/**
 * Splits modules over `threads` threads, each a list of module indices in plan order: the largest
 * modules first, each to the least loaded thread (by expected documents).
 */
export function assignModules(weights: number[], threads: number): number[][] {
  const loads = Array.from({ length: threads }, () => 0);
  const out: number[][] = Array.from({ length: threads }, () => []);
  const order = weights.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w || a.i - b.i);
  for (const { w, i } of order) {
    let t = 0;
    for (let k = 1; k < threads; k++) if (loads[k] < loads[t]) t = k;
    loads[t] += w;
    out[t].push(i);
  }
  return out.filter((l) => l.length).map((l) => l.sort((a, b) => a - b));
}
