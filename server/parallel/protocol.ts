/**
 * What the main thread and the module workers say to each other (server/parallel/), and the one
 * piece of verifier knowledge both sides must compute alike: which fields a job's engine model
 * reads. Workers parse every document once, evaluate the datafeed queries and send, per document
 * of a module, its time and — for the `all` scope, whose models see every module merged by time —
 * the values each matching job's model reads; the main thread merges the modules exactly as the
 * single-thread verifier does and feeds those values to the models.
 */
import type { Prediction } from '../engine/model';
import type { GenerateOptions } from '../generators/options';
import type { JobPlan } from '../generators/plan';
import { jobModel, type AnomalyTimes, type Scope } from '../verify/engine_verify';

export interface WorkerTask {
  /** The plan's resolved options and the `now` they were resolved at: the worker builds the same plan. */
  options: GenerateOptions;
  now: number;
  /** Indices into plan.modules this worker generates. */
  modules: number[];
  bulkCreate: boolean;
  chunkDocs?: number;
  /** Per module of the plan: the file its NDJSON is written to. */
  files?: string[];
  /** More modules may come ('module' messages) until 'finish': modules are handed out as threads free up. */
  more?: boolean;
  /** Post every chunk's NDJSON to the main thread (the indexer sends it). */
  send?: boolean;
  /** Verify these scopes (none: no verification). */
  verify?: Scope[];
  /** Batches/chunks a module may have in flight before the worker waits for the main thread. */
  window: number;
  /** Post 'ready' once the plan is built and wait for 'start' (the benchmark times generation alone). */
  hold?: boolean;
  /** Generate a module only once the main thread asks for it ('want'): its chunks would otherwise wait in the main thread's heap. */
  onDemand?: boolean;
}

export type ToMain =
  | { type: 'ready' }
  | { type: 'progress'; m: number; docs: number; until: number }
  /** One chunk's documents of module m: their times, and the `all` scope's records (see below). */
  | { type: 'batch'; m: number; ts: Float64Array; recs: Int32Array; strings: string[] }
  | { type: 'chunk'; m: number; ndjson: string; docs: number; until: number }
  | { type: 'module-done'; m: number; docs: number; bytes: number }
  /** Stream-scope predictions of the worker's modules' jobs, by job index in plan order. */
  | { type: 'done'; stream: [number, Prediction][] };

export type ToWorker = { type: 'ack'; m: number } | { type: 'start' } | { type: 'want'; m: number } | { type: 'module'; m: number } | { type: 'finish' };

// A batch's `recs`: for each document k of the chunk (in order) and each job r (in plan order) whose
// query matches it, [k, r, v_1 .. v_n], n = projectedFields(job).length, v = index into `strings`
// or -1 (the field has no value).

/** The fields job `jp`'s engine model reads from a document, in the order its readers are made. */
export function projectedFields(jp: JobPlan, instants: AnomalyTimes): string[] {
  const fields: string[] = [];
  jobModel(jp, instants, (field) => {
    if (!fields.includes(field)) fields.push(field);
    return () => undefined;
  });
  return fields;
}
