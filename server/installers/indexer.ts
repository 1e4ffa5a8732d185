/**
 * Indexing: each module stream goes to its data stream through the client's bulk helper, as
 * `create` operations with deterministic ids. The helper retries per-document 429s with
 * back-off; a whole request that fails (429 storm, 5xx, connection reset) makes the module be
 * sent again from its start — documents already there answer 409 and are counted as present,
 * so nothing is lost and nothing is duplicated. Counts are exact.
 */
import { createHash } from 'node:crypto';
import type { ModulePlan, Plan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { statusOf } from './errors';
import type { EsClient } from './types';

export interface IndexCounts {
  sent: number;
  indexed: number;
  /** Already there from an earlier, identical run (409 on create). */
  present: number;
  failed: number;
  /** Failure reasons with counts, e.g. { 'mapper_parsing_exception': 2 }. */
  failures: Record<string, number>;
  retries: number;
}

export interface IndexOptions {
  /** Documents per bulk request (approximately: the helper flushes by bytes). */
  chunkSize: number;
  concurrency: number;
  /** First back-off after a whole-request failure; doubles each time. */
  retryWaitMs?: number;
  maxAttempts?: number;
  signal?: AbortSignal;
  onProgress?: (moduleId: string, counts: IndexCounts) => void;
  /** Where the module's NDJSON chunks come from (default: moduleStream here; a worker thread's are the same). */
  chunks?: (module: ModulePlan) => Iterable<{ ndjson: string }> | AsyncIterable<{ ndjson: string }>;
  /** Documents from elsewhere than the generator (a bundle's files); read again from the start on a resend. */
  source?: () => AsyncIterable<string>;
  /** The run's fingerprint (default planFingerprint(plan)): ids are derived from it. */
  fingerprint?: string;
}

const AVERAGE_DOC_BYTES = 900;

/** Same plan, same ids: a resend or a second identical run creates nothing twice. */
const docId = (prefix: string, n: number) => `${prefix}-${n.toString(36)}`;

/** Ids depend on everything that determines the documents, so a different plan never collides. */
export function planFingerprint(plan: Plan, shiftMs = 0): string {
  const { seed, historyDays, scale, anomaliesPerJob, theme, variant } = plan.options;
  const jobs = plan.modules.flatMap((m) => m.jobs.map((j) => j.job.id)).join(',');
  // A custom job's body is part of the data it gets (undefined, and left out, without custom jobs).
  const custom = plan.options.customJobs?.map((j) => [j.id, j.job, j.datafeed]);
  // A re-based load is other data (other timestamps): its own fingerprint. Unshifted runs keep theirs.
  const shift = shiftMs ? { shiftMs } : {};
  return createHash('sha256').update(JSON.stringify({ seed, historyDays, scale, anomaliesPerJob, theme, variant, end: plan.end, jobs, custom, ...shift })).digest('hex').slice(0, 16);
}

const retryable = (error: unknown) => {
  const status = statusOf(error);
  return status === undefined || status === 429 || status >= 500;
};

async function indexOnce(es: EsClient, plan: Plan, module: ModulePlan, options: IndexOptions, counts: IndexCounts): Promise<void> {
  const prefix = `${(options.fingerprint ?? planFingerprint(plan)).slice(0, 8)}-${module.profile.dataset.split('.')[1]}`;
  let n = 0;
  async function* documents(): AsyncGenerator<string> {
    if (options.source) {
      let k = 0;
      for await (const doc of options.source()) {
        if (options.signal?.aborted) return;
        yield doc;
        if (++k % 1000 === 0) options.onProgress?.(module.moduleId, counts);
      }
      return;
    }
    for await (const chunk of options.chunks?.(module) ?? moduleStream(plan, module, { chunkDocs: 1000 })) {
      if (options.signal?.aborted) return;
      let from = 0;
      const text = chunk.ndjson;
      while (from < text.length) {
        const to = text.indexOf('\n', from);
        yield text.slice(from, to);
        from = to + 1;
      }
      options.onProgress?.(module.moduleId, counts);
    }
  }
  const helper = es.helpers.bulk<string>({
    datasource: documents(),
    onDocument: () => {
      counts.sent++;
      return { create: { _index: module.dataStream, _id: docId(prefix, n++) } };
    },
    // No onSuccess: the helper would parse every document back to hand it over.
    onFlush: (stats) => {
      counts.indexed = stats.successful;
    },
    onDrop: (drop) => {
      if (drop.status === 409) {
        counts.present++;
        return;
      }
      counts.failed++;
      const reason = (drop.error as { type?: string } | null)?.type ?? `status ${drop.status}`;
      counts.failures[reason] = (counts.failures[reason] ?? 0) + 1;
    },
    flushBytes: options.chunkSize * AVERAGE_DOC_BYTES,
    concurrency: options.concurrency,
    retries: 3,
    wait: options.retryWaitMs ?? 1000,
    refreshOnCompletion: module.dataStream,
    // Only what the helper reads: parsing full per-item responses was a third of the CPU time.
    filter_path: 'errors,items.*.status,items.*.error',
  });
  const abort = () => helper.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const stats = await helper;
    counts.indexed = stats.successful;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/** Indexes one module; returns exact counts. Throws when retries are exhausted. */
export async function indexModule(es: EsClient, plan: Plan, module: ModulePlan, options: IndexOptions): Promise<IndexCounts> {
  const maxAttempts = options.maxAttempts ?? 6;
  let wait = options.retryWaitMs ?? 1000;
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    const counts: IndexCounts = { sent: 0, indexed: 0, present: 0, failed: 0, failures: {}, retries };
    try {
      await indexOnce(es, plan, module, options, counts);
      // A resend finds the earlier attempts' documents as present (409); they were indexed by this run.
      return counts;
    } catch (error) {
      if (options.signal?.aborted || !retryable(error) || attempt >= maxAttempts) throw error;
      retries++;
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
  }
}
