/**
 * A simulated ML node with a fixed amount of native memory, so the installer's job sizing and its
 * waves can be tested the way a small demo deployment behaves: `_ml/memory/_stats` reports the
 * node's ML memory and what open jobs take, `_open` refuses a job that does not fit (429, as
 * Elasticsearch answers when no node has room and lazy open is off), and
 * `_ml/anomaly_detectors/_estimate_model_memory` answers with Elasticsearch's own formula.
 *
 * Sources (elastic/elasticsearch): Job.PROCESS_MEMORY_OVERHEAD (10 MB per open job),
 * MachineLearning.NATIVE_EXECUTABLE_CODE_OVERHEAD (30 MB once per node with a native process),
 * TransportEstimateModelMemoryAction (the estimate), GetMlMemoryStats (the response shape, as typed
 * by the client's `MlGetMemoryStatsResponse`).
 */
import type { StandinState } from './state';

const KB = 1024;
const MB = 1024 * KB;
export const JOB_PROCESS_OVERHEAD = 10 * MB;
export const NATIVE_CODE_OVERHEAD = 30 * MB;

/** "256mb", "1gb", 1024 (MB when a bare number, as ES reads model_memory_limit) -> bytes. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v * MB;
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|tb|t)?$/i.exec(String(v ?? '').trim());
  if (!m) return 1024 * MB;
  const unit = (m[2] ?? 'mb').toLowerCase()[0];
  const mult: Record<string, number> = { b: 1, k: KB, m: MB, g: 1024 * MB, t: 1024 * 1024 * MB };
  return Math.round(Number(m[1]) * mult[unit]);
}

export interface MlNodeOptions {
  /** ML native memory of the single ML node in bytes (mem.ml.max_in_bytes); 0: no ML node at all. */
  maxBytes: number;
  /** Refuse `_open` when the job does not fit (false: never refuse, the default stand-in). */
  enforce: boolean;
}

const jobLimit = (config: Record<string, unknown>) =>
  parseBytes((config.analysis_limits as { model_memory_limit?: unknown } | undefined)?.model_memory_limit ?? '1024mb');

export class MlNode {
  /** Highest ML memory in use at any moment (for tests: waves stayed within the node). */
  peakBytes = 0;
  /** Most jobs open at once. */
  peakOpen = 0;
  constructor(
    private readonly state: StandinState,
    readonly options: MlNodeOptions,
  ) {}

  private open() {
    return [...this.state.jobs.values()].filter((j) => j.state === 'opened');
  }

  adBytes(): number {
    return this.open().reduce((n, j) => n + jobLimit(j.config) + JOB_PROCESS_OVERHEAD, 0);
  }

  usedBytes(): number {
    const ad = this.adBytes();
    return ad + (ad > 0 ? NATIVE_CODE_OVERHEAD : 0);
  }

  /** Undefined when the job may open; else the reason Elasticsearch gives. */
  refuseOpen(config: Record<string, unknown>): string | undefined {
    if (!this.options.enforce) return undefined;
    if (this.options.maxBytes <= 0) return 'Could not open job because no ML nodes with sufficient capacity were found';
    const need = jobLimit(config) + JOB_PROCESS_OVERHEAD + (this.adBytes() > 0 ? 0 : NATIVE_CODE_OVERHEAD);
    const free = this.options.maxBytes - this.usedBytes();
    if (need > free) {
      return `Could not open job because no ML nodes with sufficient capacity were found [Not opening job on node {standin-ml-0}, because this node has insufficient available memory. Available memory for ML [${this.options.maxBytes}], memory required by existing jobs [${this.usedBytes()}], estimated memory required for this job [${need}]]`;
    }
    return undefined;
  }

  noteOpened(): void {
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes());
    this.peakOpen = Math.max(this.peakOpen, this.open().length);
  }

  memoryStats(): Record<string, unknown> {
    const nodes: Record<string, unknown> = {};
    if (this.options.maxBytes > 0) {
      const ad = this.adBytes();
      nodes['standin-ml-node-id'] = {
        name: 'standin-ml-0',
        ephemeral_id: 'standin-ml-ephemeral',
        transport_address: '127.0.0.1:9301',
        roles: ['ml', 'remote_cluster_client'],
        attributes: { 'ml.machine_memory': String(Math.round(this.options.maxBytes / 0.3)), 'ml.max_jvm_size': String(512 * MB) },
        jvm: { heap_max_in_bytes: 512 * MB, java_inference_in_bytes: 0, java_inference_max_in_bytes: 0 },
        mem: {
          total_in_bytes: Math.round(this.options.maxBytes / 0.3),
          adjusted_total_in_bytes: Math.round(this.options.maxBytes / 0.3),
          ml: {
            max_in_bytes: this.options.maxBytes,
            native_code_overhead_in_bytes: ad > 0 ? NATIVE_CODE_OVERHEAD : 0,
            anomaly_detectors_in_bytes: ad,
            data_frame_analytics_in_bytes: 0,
            native_inference_in_bytes: 0,
          },
        },
      };
    }
    const n = Object.keys(nodes).length;
    return { _nodes: { total: n, successful: n, failed: 0 }, cluster_name: 'standin', nodes };
  }
}

/** Elasticsearch's TransportEstimateModelMemoryAction, for the functions the demo's jobs use. */
export function estimateModelMemory(body: Record<string, unknown>): { model_memory_estimate: string } | { error: string } {
  const config = (body.analysis_config ?? {}) as { bucket_span?: string; detectors?: Record<string, string>[]; influencers?: string[] };
  const overall = (body.overall_cardinality ?? {}) as Record<string, number>;
  const maxBucket = (body.max_bucket_cardinality ?? {}) as Record<string, number>;
  const spanSeconds = Math.max(1, parseSpanSeconds(config.bucket_span ?? '5m'));
  const missing: string[] = [];
  const card = (map: Record<string, number>, field: string, what: string) => {
    if (map[field] === undefined) missing.push(`[${what}] cardinality estimate required for [${field}] but not supplied`);
    return map[field] ?? 0;
  };
  let total = 10 * MB;
  for (const d of config.detectors ?? []) {
    const fn = d.function;
    let answer: number;
    let workspace = false;
    if (/distinct_count$/.test(fn)) {
      workspace = true;
      answer = 32 * KB;
    } else if (/count$/.test(fn)) answer = 32 * KB;
    else if (/rare$/.test(fn)) answer = 2 * KB;
    else if (/info_content$/.test(fn)) {
      workspace = true;
      answer = 48 * KB;
    } else if (fn === 'time_of_day' || fn === 'time_of_week') answer = 10 * KB;
    else answer = 48 * KB;
    const partition = d.partition_field_name ? Math.max(1, card(overall, d.partition_field_name, 'Overall')) : 1;
    if (d.by_field_name) answer *= Math.ceil((reduced(card(overall, d.by_field_name, 'Overall'), partition, spanSeconds) * 2) / 3);
    if (d.over_field_name) answer += 768 * Math.ceil(reduced(card(overall, d.over_field_name, 'Overall'), partition, spanSeconds));
    if (d.partition_field_name) answer *= partition;
    if (workspace) answer += 5 * MB;
    total += answer;
  }
  const analysed = new Set((config.detectors ?? []).flatMap((d) => [d.field_name, d.by_field_name, d.over_field_name, d.partition_field_name].filter(Boolean)));
  for (const influencer of config.influencers ?? []) if (!analysed.has(influencer)) total += 10 * KB * card(maxBucket, influencer, 'Bucket max');
  if (missing.length) return { error: missing[0] };
  return { model_memory_estimate: `${Math.ceil(total / MB)}mb` };
}

function reduced(cardinality: number, partition: number, spanSeconds: number): number {
  if (cardinality === 0) return 0;
  const power = Math.min(1, (Math.log10(spanSeconds) + 1) / 8);
  return cardinality / Math.pow(Math.min(cardinality, partition), power);
}

function parseSpanSeconds(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s);
  if (!m) return 300;
  const mult: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(m[1]) * mult[m[2] ?? 's'];
}
