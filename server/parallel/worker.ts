/**
 * The module worker (started by workers.ts): builds the plan from the same options (a plan is a
 * value), generates its modules' streams — interleaved by time, so the main thread's merge of all
 * modules never waits long for one — and, per chunk, writes it to its file, posts it, and/or
 * verifies it: every document parsed once, every distinct datafeed query evaluated once, the
 * stream-scope engine models of its own modules' jobs fed here, the all-scope records posted.
 * A module never has more than `window` batches the main thread has not taken yet.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineModel } from '../engine/model';
import { buildPlan } from '../generators/plan';
import { moduleStream, type Chunk } from '../generators/stream';
import { anomalyInstants, jobModel } from '../verify/engine_verify';
import { compileQuerySet, type Doc, type DocPredicate } from '../verify/query_evaluator';
import { fieldReader, type FieldReader } from '../verify/runtime_fields';
import { projectedFields, type ToMain, type ToWorker, type WorkerTask } from './protocol';

const port = parentPort!;
const post = (message: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

interface ModuleState {
  m: number;
  chunks: Generator<Chunk>;
  until: number;
  done: boolean;
  inFlight: number;
  /** Asked for by the main thread (always, unless the task is on demand). */
  wanted: boolean;
  fd: number;
  docs: number;
  bytes: number;
}

interface Verifier {
  /** Distinct datafeed queries (jobs often share one), and per job its query's index. */
  queries: DocPredicate[];
  /** Starts a document for the queries (their shared clauses' answers are kept per document). */
  begin: (doc: Doc) => void;
  queryOf: number[];
  /** Per module: the queries and jobs its documents are matched against. */
  queriesFor: number[][];
  jobsFor: number[][];
  moduleOf: number[];
  /** Each job's data start: its datafeed does not read earlier documents. */
  starts: number[];
  stream: (EngineModel | undefined)[];
  /** Makes module m's jobs' stream-scope models (the thread generates m). */
  own: (m: number) => void;
  /** Per job: the all-scope model's fields and their readers (undefined: no all scope). */
  readers: (FieldReader[] | undefined)[];
  hits: Uint8Array;
}

function verifier(task: WorkerTask, plan: ReturnType<typeof buildPlan>): Verifier {
  const scopes = task.verify ?? [];
  const jobs = plan.modules.flatMap((module, m) => module.jobs.map((jp) => ({ jp, m })));
  const instants = anomalyInstants(plan);
  const byText = new Map<string, number>();
  const distinct: unknown[] = [];
  const queryOf = jobs.map(({ jp }) => {
    const text = JSON.stringify(jp.job.datafeed.query);
    let q = byText.get(text);
    if (q === undefined) byText.set(text, (q = distinct.push(jp.job.datafeed.query) - 1));
    return q;
  });
  // Shared clauses and fields evaluated (read) once per document (begin(doc) before the queries).
  const set = compileQuerySet(distinct);
  const queries = set.predicates;
  const all = scopes.includes('all');
  const stream: (EngineModel | undefined)[] = [];
  const jobsFor = plan.modules.map((_, m) => jobs.map((j, r) => (all || j.m === m ? r : -1)).filter((r) => r >= 0));
  const queriesFor = jobsFor.map((rs) => [...new Set(rs.map((r) => queryOf[r]))]);
  return {
    queries,
    begin: set.begin,
    queryOf,
    queriesFor,
    jobsFor,
    moduleOf: jobs.map((j) => j.m),
    starts: jobs.map(({ jp }) => jp.start),
    // Filled as the thread takes modules (own): the stream-scope models of its modules' jobs.
    stream,
    own: (m) => {
      const own = anomalyInstants(plan, [], plan.modules[m].moduleId);
      jobs.forEach(({ jp, m: jm }, r) => scopes.includes('stream') && jm === m && (stream[r] = jobModel(jp, own)));
    },
    readers: jobs.map(({ jp }) => (all ? projectedFields(jp, instants).map((f) => fieldReader(f, jp.job.datafeed.runtime_mappings)) : undefined)),
    hits: new Uint8Array(queries.length),
  };
}

/** Parses a chunk, feeds the stream models, and returns the batch for the main thread. */
function verifyChunk(v: Verifier, m: number, chunk: Chunk): { ts: Float64Array; recs: Int32Array; strings: string[] } {
  const ts = new Float64Array(chunk.docs);
  let recs = new Int32Array(1024);
  let n = 0;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const push = (x: number) => {
    if (n === recs.length) {
      const bigger = new Int32Array(recs.length * 2);
      bigger.set(recs);
      recs = bigger;
    }
    recs[n++] = x;
  };
  const { queries, queryOf, hits, stream, readers, moduleOf, starts } = v;
  const qs = v.queriesFor[m];
  const rs = v.jobsFor[m];
  const text = chunk.ndjson;
  let k = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    // Bulk files: every document follows its `create` action line.
    if (to > from && !text.startsWith('{"create"', from)) {
      const doc = JSON.parse(text.slice(from, to)) as Doc;
      const t = Date.parse(doc['@timestamp'] as string);
      ts[k] = t;
      v.begin(doc);
      for (let i = 0; i < qs.length; i++) hits[qs[i]] = queries[qs[i]](doc) ? 1 : 0;
      for (let i = 0; i < rs.length; i++) {
        const r = rs[i];
        if (!hits[queryOf[r]] || t < starts[r]) continue;
        if (moduleOf[r] === m) stream[r]?.add(t, doc);
        const read = readers[r];
        if (!read) continue;
        push(k);
        push(r);
        for (const reader of read) {
          const value = reader(doc);
          if (value === undefined) push(-1);
          else {
            let id = ids.get(value);
            if (id === undefined) ids.set(value, (id = strings.push(value) - 1));
            push(id);
          }
        }
      }
      k++;
    }
    from = to + 1;
  }
  if (k !== chunk.docs) throw new Error(`module worker: a chunk of ${chunk.docs} documents parsed as ${k}`);
  return { ts, recs: recs.slice(0, n), strings };
}

async function main(task: WorkerTask): Promise<void> {
  const plan = buildPlan(task.options, task.now);
  const v = task.verify?.length ? verifier(task, plan) : undefined;
  const take = (m: number): ModuleState => {
    v?.own(m);
    return {
      m,
      chunks: moduleStream(plan, plan.modules[m], { bulkCreate: task.bulkCreate, chunkDocs: task.chunkDocs }),
      until: plan.start,
      done: false,
      inFlight: 0,
      wanted: !task.onDemand,
      fd: task.files ? openSync(task.files[m], 'w') : -1,
      docs: 0,
      bytes: 0,
    };
  };
  const states: ModuleState[] = task.modules.map(take);
  const byModule = new Map(states.map((s) => [s.m, s]));
  let more = task.more === true;
  let wake: (() => void) | undefined;
  let started = !task.hold;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'start') started = true;
    else if (message.type === 'finish') more = false;
    else if (message.type === 'module') {
      const state = take(message.m);
      states.push(state);
      byModule.set(message.m, state);
    } else if (message.type === 'want') byModule.get(message.m)!.wanted = true;
    else byModule.get(message.m)!.inFlight--;
    wake?.();
  });
  if (!started) post({ type: 'ready' });
  while (!started) {
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  const limited = task.verify?.includes('all') === true || task.send === true;
  for (;;) {
    const open = states.filter((s) => !s.done);
    if (!open.length && !more) break;
    // The module furthest behind in time whose window is open.
    let next: ModuleState | undefined;
    for (const s of open) if (s.wanted && (!limited || s.inFlight < task.window) && (!next || s.until < next.until)) next = s;
    if (!next) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    const step = next.chunks.next();
    if (step.done) {
      next.done = true;
      if (next.fd >= 0) closeSync(next.fd);
      post({ type: 'module-done', m: next.m, docs: next.docs, bytes: next.bytes });
      continue;
    }
    const chunk = step.value;
    next.until = chunk.until;
    next.docs += chunk.docs;
    next.bytes += Buffer.byteLength(chunk.ndjson);
    if (next.fd >= 0) writeSync(next.fd, chunk.ndjson);
    if (v) {
      const batch = verifyChunk(v, next.m, chunk);
      // Only the all scope's merge takes batches (stream-only verification ends in this thread).
      if (task.verify!.includes('all')) {
        next.inFlight++;
        post({ type: 'batch', m: next.m, ...batch }, [batch.ts.buffer as ArrayBuffer, batch.recs.buffer as ArrayBuffer]);
      }
    }
    if (task.send) {
      next.inFlight++;
      post({ type: 'chunk', m: next.m, ndjson: chunk.ndjson, docs: chunk.docs, until: chunk.until });
    }
    post({ type: 'progress', m: next.m, docs: chunk.docs, until: chunk.until });
  }
  const stream: [number, ReturnType<EngineModel['finish']>][] = [];
  if (v) v.stream.forEach((model, r) => model && stream.push([r, model.finish(plan.end)]));
  post({ type: 'done', stream });
  port.removeAllListeners('message');
}

main(workerData as WorkerTask).catch((error) => {
  // Thrown in the thread: the main thread's 'error' event gets it (message, stack, code).
  setImmediate(() => {
    throw error;
  });
});
