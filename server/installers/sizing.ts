/**
 * Jobs sized for the cluster. Kibana's security modules ask 128–256 MB per job
 * (`model_memory_limit`), about 8 GB for the 48 jobs, while the demo's data is small: a few dozen
 * users, hosts and processes per module. On a small ML node most jobs would sit in `opening` and
 * the run would time out. So, before any job is opened:
 *
 * 1. Each job's limit is what its data needs. The cardinalities the estimate needs come from the
 *    plan (the world's entity pools: every value a by/over/partition field or an influencer can
 *    take, plus the injected never-seen values), and Elasticsearch's own estimator
 *    (`_ml/anomaly_detectors/_estimate_model_memory`, TransportEstimateModelMemoryAction) turns
 *    them into bytes. We ask for twice that (the models also keep history and a live demo adds
 *    new values every incident), at least 16 MB, not more than the module's own limit (unless the
 *    estimate itself is above it). For the default demo that is 16–128 MB a job, about 1.1 GB for
 *    all 48 instead of the modules' 7.5 GB (README: "What each mode costs the cluster").
 * 2. The ML nodes' free memory comes from `_ml/memory/_stats` (8.2+; `max_in_bytes` minus what
 *    anomaly detectors, analytics, inference and the native code already take). A job needs its
 *    limit plus Elasticsearch's 10 MB process overhead (Job.PROCESS_MEMORY_OVERHEAD), and the
 *    first native process on a node 30 MB of code (NATIVE_EXECUTABLE_CODE_OVERHEAD).
 * 3. When the jobs do not all fit, they run in waves: open, process the window, close (their
 *    results and model state stay), then the next wave. No ML node, or one too small for the
 *    smallest job, is one sentence before anything is created.
 *
 * When the memory stats cannot be read (a stack before 8.2, or no `monitor_ml`), jobs run all at
 * once as before; when the estimate cannot be asked for, the module's limit stays.
 */
import type { JobPlan, ModulePlan, Plan } from '../generators/plan';
import { fieldKind } from '../generators/lanes';
import { poolOf } from '../generators/world';
import { InstallError, statusOf } from './errors';
import type { EsClient } from './types';

const MB = 1024 * 1024;
/** Elasticsearch: Job.PROCESS_MEMORY_OVERHEAD, per open anomaly detection job. */
export const JOB_OVERHEAD_BYTES = 10 * MB;
/** Elasticsearch: MachineLearning.NATIVE_EXECUTABLE_CODE_OVERHEAD, once per node running a native process. */
export const NATIVE_CODE_BYTES = 30 * MB;
export const MIN_LIMIT_MB = 16;
export const HEADROOM = 2;

export interface JobSize {
  jobId: string;
  /** Elasticsearch's estimate for the demo's cardinalities (MB), undefined when it could not be asked. */
  estimateMb?: number;
  /** The model_memory_limit the job is created with (MB). */
  limitMb: number;
  /** The cardinalities sent to the estimator. */
  overall: Record<string, number>;
  maxBucket: Record<string, number>;
}

export interface MlNodeMemory {
  name: string;
  maxBytes: number;
  freeBytes: number;
  /** The node already runs a native process (its code overhead is taken). */
  hasProcesses: boolean;
}

const parseMb = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|b)?$/i.exec(String(v ?? '').trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'mb').toLowerCase();
  return Number(m[1]) * ({ b: 1 / MB, kb: 1 / 1024, mb: 1, gb: 1024, tb: 1024 * 1024 } as Record<string, number>)[unit];
};

/**
 * Values a field can take in this module's data: the entity pool that supplies it (plus the
 * values the anomalies inject), 1 for a constant of the job's lane, else a small value pool.
 */
function fieldCardinality(module: ModulePlan, job: JobPlan, field: string): number {
  const kind = fieldKind(field);
  const injected = kind
    ? new Set(
        module.injections
          .flatMap((e) => Object.values(e.forced))
          .filter((e) => e?.novel && e.kind === kind)
          .map((e) => e!.key),
      ).size
    : 0;
  if (kind && module.world.pools.has(kind)) return poolOf(module.world, kind).entities.length + injected;
  if (kind) return 1 + injected;
  if (field in job.lane.constants) return 1;
  return 50;
}

/** The cardinalities Elasticsearch's estimator asks for, from the plan's world. */
export function jobCardinalities(module: ModulePlan, job: JobPlan): { overall: Record<string, number>; maxBucket: Record<string, number> } {
  const config = job.job.job.analysis_config;
  const overall: Record<string, number> = {};
  const maxBucket: Record<string, number> = {};
  for (const d of config.detectors) {
    for (const f of [d.by_field_name, d.over_field_name, d.partition_field_name]) if (f) overall[f] = fieldCardinality(module, job, f);
  }
  for (const f of config.influencers ?? []) maxBucket[f] = fieldCardinality(module, job, f);
  return { overall, maxBucket };
}

/** The module's own limit for the job (Kibana's file), in MB. */
export function shippedLimitMb(job: JobPlan): number {
  const limits = (job.job.job as { analysis_limits?: { model_memory_limit?: unknown } }).analysis_limits;
  return parseMb(limits?.model_memory_limit) ?? 1024;
}

/** Every job's limit, from Elasticsearch's estimate of the demo's data. */
export async function sizeJobs(es: EsClient, plan: Plan): Promise<Map<string, JobSize>> {
  const out = new Map<string, JobSize>();
  for (const module of plan.modules) {
    for (const job of module.jobs) {
      const { overall, maxBucket } = jobCardinalities(module, job);
      const shipped = shippedLimitMb(job);
      let estimateMb: number | undefined;
      try {
        const res = await es.ml.estimateModelMemory({
          analysis_config: job.job.job.analysis_config as never,
          overall_cardinality: overall,
          max_bucket_cardinality: maxBucket,
        });
        estimateMb = parseMb(res.model_memory_estimate);
      } catch {
        estimateMb = undefined;
      }
      // Twice the estimate, at least the floor; capped at the module's own limit unless the estimate itself is above it.
      const limitMb =
        estimateMb === undefined ? shipped : Math.min(Math.max(shipped, Math.ceil(estimateMb)), Math.max(MIN_LIMIT_MB, Math.ceil(estimateMb * HEADROOM)));
      out.set(job.job.id, { jobId: job.job.id, estimateMb, limitMb, overall, maxBucket });
    }
  }
  return out;
}

/** ML nodes and their free native memory; undefined when the cluster cannot say (before 8.2, or not allowed). */
export async function mlNodesMemory(es: EsClient): Promise<MlNodeMemory[] | undefined> {
  let res;
  try {
    res = await es.ml.getMemoryStats();
  } catch (error) {
    const status = statusOf(error);
    if (status === 400 || status === 403 || status === 404 || status === 405) return undefined;
    throw error;
  }
  return Object.values(res.nodes)
    .filter((n) => n.roles.includes('ml'))
    .map((n) => {
      const ml = n.mem.ml;
      const used = ml.anomaly_detectors_in_bytes + ml.data_frame_analytics_in_bytes + ml.native_inference_in_bytes + ml.native_code_overhead_in_bytes;
      return { name: n.name, maxBytes: ml.max_in_bytes, freeBytes: Math.max(0, ml.max_in_bytes - used), hasProcesses: ml.native_code_overhead_in_bytes > 0 };
    });
}

/** Memory a job takes on a node once open. */
export const jobNeedBytes = (limitMb: number) => limitMb * MB + JOB_OVERHEAD_BYTES;

export interface WavePlan {
  waves: string[][];
  /** Total memory all jobs need at once, and what the nodes have free. */
  needBytes: number;
  freeBytes: number;
}

/**
 * Packs jobs into waves that fit the nodes' free memory (first-fit decreasing per node). Throws an
 * InstallError with one sentence when there is no ML node or a job fits on none.
 */
export function planWaves(jobs: { jobId: string; limitMb: number }[], nodes: MlNodeMemory[]): WavePlan {
  const needBytes = jobs.reduce((n, j) => n + jobNeedBytes(j.limitMb), 0) + NATIVE_CODE_BYTES;
  const freeBytes = nodes.reduce((n, x) => n + x.freeBytes, 0);
  if (!nodes.length) {
    throw new InstallError(
      'This cluster has no machine learning capacity: no node has the ml role, so no anomaly detection job can open; add an ML node (or enable ML autoscaling) and run again.',
      400,
      'ml_capacity',
    );
  }
  const room = (n: MlNodeMemory) => n.freeBytes - (n.hasProcesses ? 0 : NATIVE_CODE_BYTES);
  const biggest = Math.max(...nodes.map(room));
  const largestJob = jobs.reduce((m, j) => Math.max(m, jobNeedBytes(j.limitMb)), 0);
  if (jobs.length && largestJob > biggest) {
    const mb = (b: number) => `${Math.max(0, Math.floor(b / MB))} MB`;
    throw new InstallError(
      `This cluster has no machine learning capacity for the demo: the ML node${nodes.length > 1 ? 's have' : ' has'} at most ${mb(biggest)} of free ML memory and the largest demo job needs ${mb(largestJob)}; close other ML jobs or add ML memory, then run again.`,
      400,
      'ml_capacity',
    );
  }
  const sorted = [...jobs].sort((a, b) => b.limitMb - a.limitMb || a.jobId.localeCompare(b.jobId));
  const waves: string[][] = [];
  let left = sorted;
  while (left.length) {
    const free = nodes.map(room);
    const wave: string[] = [];
    const rest: typeof left = [];
    for (const j of left) {
      const i = free.findIndex((f) => f >= jobNeedBytes(j.limitMb));
      if (i >= 0) {
        free[i] -= jobNeedBytes(j.limitMb);
        wave.push(j.jobId);
      } else rest.push(j);
    }
    waves.push(wave);
    left = rest;
  }
  // Keep the catalogue's order inside a wave (reports read better).
  const order = new Map(jobs.map((j, i) => [j.jobId, i]));
  return { waves: waves.map((w) => w.sort((a, b) => order.get(a)! - order.get(b)!)), needBytes, freeBytes };
}
