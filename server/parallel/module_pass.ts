/**
 * One pass over a plan's module streams on several threads: the modules are split over worker
 * threads (worker.ts), which generate them and write the bundle's files and/or verify them; the
 * main thread merges the modules by time for the `all` scope's engine models, exactly as the
 * single-thread verifier (engine_verify.ts) does — same greedy merge over the same per-module
 * document order, ties to the module first in the plan — so the verdicts are the same values.
 *
 * Memory is bounded: a module has at most `window` chunks in flight between its worker and the
 * main thread, and a worker advances the module furthest behind in time whose window is open, so
 * the merge never waits on a module its worker cannot produce.
 */
import type { Worker } from 'node:worker_threads';
import { EngineModel, type Prediction } from '../engine/model';
import { moduleStream } from '../generators/stream';
import type { Plan } from '../generators/plan';
import { expectedModuleDocs } from '../installers/run';
import { anomalyInstants, jobModel, judgeJob, SCOPES, type EngineJobResult, type Scope } from '../verify/engine_verify';
import { projectedFields, type ToMain, type ToWorker, type WorkerTask } from './protocol';
import { assignModules, startWorker } from './workers';

export interface ModulePassOptions {
  /** Threads to use (at most one per module). */
  workers: number;
  bulkCreate?: boolean;
  chunkDocs?: number;
  /** Per module of the plan: the file to write its NDJSON to. */
  files?: string[];
  /** Verify in these scopes (default none). */
  verify?: readonly Scope[];
  /** Every chunk of every module, posted to the main thread (documents in stream order per module). */
  onChunk?: (m: number, chunk: { ndjson: string; docs: number; until: number }) => Promise<void> | void;
  onProgress?: (p: { m: number; docs: number; fraction: number }) => void;
  /** Chunks a module may have in flight (default 4). */
  window?: number;
  /** Called once every thread has built its plan, just before they start generating (the benchmark's clock). */
  onReady?: () => void;
}

export interface ModulePassResult {
  docs: number[];
  bytes: number[];
  verification: EngineJobResult[];
}

interface Batch {
  ts: Float64Array;
  recs: Int32Array;
  strings: string[];
}

/** A queue that a consumer awaits. */
class Inbox<T> {
  private items: T[] = [];
  private waiter?: () => void;
  closed = false;
  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
  }
  close(): void {
    this.closed = true;
    this.waiter?.();
  }
  /** The next item, or undefined once closed and empty. */
  async take(): Promise<T | undefined> {
    while (!this.items.length && !this.closed) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.waiter = undefined;
    return this.items.shift();
  }
  /** The next item if one is there (no waiting). */
  poll(): T | undefined {
    return this.items.shift();
  }
}

export async function modulePass(plan: Plan, options: ModulePassOptions): Promise<ModulePassResult> {
  const M = plan.modules.length;
  const scopes = SCOPES.filter((s) => options.verify?.includes(s));
  const all = scopes.includes('all');
  const weights = plan.modules.map((m) => expectedModuleDocs(plan, m));
  const threads = Math.max(1, Math.min(options.workers, M));
  // Without the all scope no thread waits on another: modules are handed out largest first as
  // threads free up (a module's cost per document varies by 3x, so a split fixed in advance by
  // documents left a thread idle for a third of the run). The all scope's merge by time needs
  // every module under way at once: a split fixed in advance, each thread interleaving its own.
  const dynamic = !all;
  const queue = weights.map((_, m) => m).sort((a, b) => weights[b] - weights[a] || a - b);
  const groups = dynamic ? queue.splice(0, threads).map((m) => [m]) : assignModules(weights, threads);
  const window = options.window ?? 4;
  const ownerOf: Worker[] = new Array(M);
  const docs = new Array<number>(M).fill(0);
  const bytes = new Array<number>(M).fill(0);
  const untils = new Array<number>(M).fill(plan.start);
  const batches = plan.modules.map(() => new Inbox<Batch>());
  const chunks = plan.modules.map(() => new Inbox<{ ndjson: string; docs: number; until: number }>());
  const stream = new Map<number, Prediction>();
  const span = plan.end - plan.start;
  let progressDocs = 0;

  const workers = groups.map((modules) => {
    const task: WorkerTask = {
      options: plan.options,
      now: Date.now(),
      modules,
      bulkCreate: options.bulkCreate ?? false,
      chunkDocs: options.chunkDocs,
      files: options.files,
      more: dynamic,
      send: options.onChunk !== undefined,
      verify: scopes,
      window,
      hold: options.onReady !== undefined,
    };
    const worker = startWorker(task);
    for (const m of modules) ownerOf[m] = worker;
    return worker;
  });
  const ack = (m: number) => ownerOf[m].postMessage({ type: 'ack', m } satisfies ToWorker);
  let ready = 0;

  let failed: Error | undefined;
  const fail = (error: Error) => {
    failed ??= error;
    for (const inbox of [...batches, ...chunks]) inbox.close();
  };
  const finished = workers.map(
    (worker) =>
      new Promise<void>((resolve) => {
        let done = false;
        worker.on('message', (message: ToMain) => {
          switch (message.type) {
            case 'ready':
              if (++ready === workers.length) {
                options.onReady?.();
                for (const w of workers) w.postMessage({ type: 'start' } satisfies ToWorker);
              }
              break;
            case 'progress':
              untils[message.m] = message.until;
              progressDocs += message.docs;
              options.onProgress?.({ m: message.m, docs: progressDocs, fraction: untils.reduce((a, u) => a + (u - plan.start) / span, 0) / M });
              break;
            case 'batch':
              batches[message.m].push(message);
              break;
            case 'chunk':
              chunks[message.m].push(message);
              break;
            case 'module-done': {
              const next = dynamic ? queue.shift() : undefined;
              if (next !== undefined) {
                ownerOf[next] = worker;
                worker.postMessage({ type: 'module', m: next } satisfies ToWorker);
              } else if (dynamic) worker.postMessage({ type: 'finish' } satisfies ToWorker);
              docs[message.m] = message.docs;
              bytes[message.m] = message.bytes;
              untils[message.m] = plan.end;
              batches[message.m].close();
              chunks[message.m].close();
              break;
            }
            case 'done':
              for (const [r, p] of message.stream) stream.set(r, p);
              done = true;
              void worker.terminate();
              resolve();
              break;
          }
        });
        worker.on('error', (error) => {
          fail(error);
          resolve();
        });
        worker.on('exit', (code) => {
          if (!done) fail(failed ?? new Error(`a generator thread stopped (exit code ${code}) before it finished`));
          resolve();
        });
      }),
  );

  try {
    const jobs = plan.modules.flatMap((module) => module.jobs.map((jp) => ({ jp, moduleId: module.moduleId })));
    const instants = anomalyInstants(plan);
    let allModels: EngineModel[] = [];
    const consumers: Promise<void>[] = [];
    if (all) {
      const values: (string | undefined)[] = [];
      const widths: number[] = [];
      allModels = jobs.map(({ jp }) => {
        const fields = projectedFields(jp, instants);
        widths.push(fields.length);
        return jobModel(jp, instants, (field) => {
          const i = fields.indexOf(field);
          if (i < 0) throw new Error(`parallel verifier: the engine model of ${jp.job.id} reads ${field}, which the worker does not send`);
          return () => values[i];
        });
      });
      consumers.push(mergeByTime(batches, allModels, widths, ack, values));
    }
    if (options.onChunk) {
      for (let m = 0; m < M; m++) {
        consumers.push(
          (async () => {
            for (let c = await chunks[m].take(); c; c = await chunks[m].take()) {
              await options.onChunk!(m, c);
              ack(m);
            }
          })(),
        );
      }
    }
    await Promise.all([...consumers, ...finished]);
    if (failed) throw failed;
    if (!scopes.length) return { docs, bytes, verification: [] };
    const verification = jobs.map(({ jp, moduleId }, r) => {
      const predictions: Partial<Record<Scope, Prediction>> = {};
      for (const scope of scopes) predictions[scope] = scope === 'stream' ? stream.get(r)! : allModels[r].finish(plan.end);
      return judgeJob(jp, moduleId, predictions);
    });
    return { docs, bytes, verification };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** The single-thread verifier's merge: repeatedly the document with the smallest time, first module on ties. */
  async function mergeByTime(inboxes: Inbox<Batch>[], models: EngineModel[], width: number[], ackOf: (m: number) => void, values: (string | undefined)[]) {
    const cur: (Batch | undefined)[] = new Array(M);
    const k = new Int32Array(M);
    const rp = new Int32Array(M);
    const live = new Uint8Array(M).fill(1);
    const dummy = {};
    const load = async (m: number) => {
      // The batch just read is done with: acknowledged before waiting for the next (a full window waits for it).
      if (cur[m]) ackOf(m);
      cur[m] = inboxes[m].poll() ?? (await inboxes[m].take());
      k[m] = 0;
      rp[m] = 0;
      // A chunk has at least one document; a closed inbox ends the module.
      if (!cur[m]) live[m] = 0;
    };
    for (let m = 0; m < M; m++) await load(m);
    for (;;) {
      let best = -1;
      let bestTs = 0;
      for (let m = 0; m < M; m++) {
        if (!live[m]) continue;
        const t = cur[m]!.ts[k[m]];
        if (best < 0 || t < bestTs) {
          best = m;
          bestTs = t;
        }
      }
      if (best < 0) break;
      if (failed) return;
      const b = cur[best]!;
      const { recs, strings } = b;
      let p = rp[best];
      const doc = k[best];
      while (p < recs.length && recs[p] === doc) {
        const r = recs[p + 1];
        const n = width[r];
        for (let i = 0; i < n; i++) {
          const id = recs[p + 2 + i];
          values[i] = id < 0 ? undefined : strings[id];
        }
        models[r].add(bestTs, dummy);
        p += 2 + n;
      }
      rp[best] = p;
      if (++k[best] === b.ts.length) await load(best);
    }
  }
}

/** The indexer's generator thread's heap bounds (it peaks at ~50 MB used, flat with the volume). */
const GENERATOR_OLD_SPACE_MB = 64;
const GENERATOR_YOUNG_SPACE_MB = 16;

/**
 * The plan's module streams generated ahead in one worker thread while the main thread sends them
 * (the indexer): `chunks(m)` gives module m's chunks in stream order, the same chunks moduleStream
 * gives. A module is generated once `chunks(m)` asks for it (chunks of modules not being sent would
 * wait in the main thread's heap), with at most `window` chunks waiting; the thread works on the
 * module furthest behind among those asked for whose window is open. A second call for the
 * same module (the indexer resends a module after a failed request) generates it here again.
 */
export class WorkerChunkSource {
  private readonly worker: Worker;
  private readonly inboxes: Inbox<{ ndjson: string; docs: number; until: number }>[];
  private readonly taken = new Set<number>();
  private failed?: Error;

  constructor(
    private readonly plan: Plan,
    private readonly options: { chunkDocs?: number; window?: number } = {},
  ) {
    const modules = plan.modules.map((_, m) => m);
    this.inboxes = modules.map(() => new Inbox());
    const task: WorkerTask = {
      options: plan.options,
      now: Date.now(),
      modules,
      bulkCreate: false,
      chunkDocs: options.chunkDocs,
      send: true,
      window: options.window ?? 4,
      onDemand: true,
    };
    // Generation keeps little alive (the plan, each module's lanes, `window` chunks a module): a
    // bounded old generation makes V8 collect before the thread's heap grows to hundreds of MB.
    this.worker = startWorker(task, { maxOldGenerationSizeMb: GENERATOR_OLD_SPACE_MB, maxYoungGenerationSizeMb: GENERATOR_YOUNG_SPACE_MB });
    this.worker.on('message', (message: ToMain) => {
      if (message.type === 'chunk') this.inboxes[message.m].push(message);
      if (message.type === 'module-done') this.inboxes[message.m].close();
    });
    const stop = (error?: Error) => {
      if (error) this.failed ??= error;
      for (const inbox of this.inboxes) inbox.close();
    };
    this.worker.on('error', stop);
    this.worker.on('exit', () => stop());
  }

  async *chunks(m: number): AsyncGenerator<{ ndjson: string; docs: number; until: number }> {
    if (this.taken.has(m)) {
      yield* moduleStream(this.plan, this.plan.modules[m], { chunkDocs: this.options.chunkDocs });
      return;
    }
    this.taken.add(m);
    this.worker.postMessage({ type: 'want', m } satisfies ToWorker);
    for (let chunk = await this.inboxes[m].take(); chunk; chunk = await this.inboxes[m].take()) {
      yield chunk;
      this.worker.postMessage({ type: 'ack', m } satisfies ToWorker);
    }
    if (this.failed) throw this.failed;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
