/** ML job / datafeed model: creation defaults, simulated datafeed runs, stats documents. */
import { resolveTargets } from './es_routes';
import type { Shared } from './server';
import { parseTimestamp, type DatafeedState, type JobState } from './state';

export const JOB_ID_RX = /^[a-z0-9](?:[a-z0-9_\-.]{0,62}[a-z0-9])?$/;

export function parseDuration(s: unknown): number {
  const m = /^(\d+)(nanos|micros|ms|s|m|h|d)?$/.exec(String(s ?? ''));
  if (!m) return 15 * 60000;
  const mult: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return Number(m[1]) * mult[m[2] ?? 's'];
}

export function jobDefaults(id: string, body: Record<string, unknown>): Record<string, unknown> {
  const analysis = { ...(body.analysis_config as Record<string, unknown>) };
  analysis.detectors = ((analysis.detectors as Record<string, unknown>[]) ?? []).map((d, i) => ({
    detector_description: `${String(d.function)}${d.field_name ? `(${String(d.field_name)})` : ''}${d.by_field_name ? ` by ${String(d.by_field_name)}` : ''}${d.over_field_name ? ` over ${String(d.over_field_name)}` : ''}${d.partition_field_name ? ` partitionfield=${String(d.partition_field_name)}` : ''}`,
    ...d,
    detector_index: i,
  }));
  analysis.influencers ??= [];
  analysis.model_prune_window ??= '30d';
  const { datafeed_config: _df, ...rest } = body;
  return {
    job_id: id,
    job_type: 'anomaly_detector',
    job_version: '12.0.0',
    create_time: Date.now(),
    groups: [],
    description: '',
    ...rest,
    analysis_config: analysis,
    analysis_limits: { model_memory_limit: '1024mb', categorization_examples_limit: 4, ...(body.analysis_limits as object) },
    data_description: { time_format: 'epoch_ms', ...(body.data_description as object) },
    model_snapshot_retention_days: body.model_snapshot_retention_days ?? 10,
    daily_model_snapshot_retention_after_days: body.daily_model_snapshot_retention_after_days ?? 1,
    results_index_name: body.results_index_name ?? 'shared',
    allow_lazy_open: body.allow_lazy_open ?? false,
    blocked: { reason: 'none' },
  };
}

export function datafeedDefaults(id: string, body: Record<string, unknown>, shared: Shared): Record<string, unknown> {
  return {
    datafeed_id: id,
    authorization: { roles: shared.privileges.roles },
    query_delay: '82439ms',
    chunking_config: { mode: 'auto' },
    indices_options: { expand_wildcards: ['open'], ignore_unavailable: false, allow_no_indices: true, ignore_throttled: true },
    query: { match_all: {} },
    scroll_size: 1000,
    delayed_data_check_config: { enabled: true },
    ...body,
    indices: [body.indices ?? body.indexes ?? []].flat(),
  };
}

export function newJob(id: string, config: Record<string, unknown>): JobState {
  return { id, config, state: 'closed', processed: 0, savedObjectSpaces: new Set() };
}

/** How latest_record_timestamp advances: to the datafeed `end` (default) or to the last document seen. */
export type LatestMode = 'end' | 'lastDoc';

export class MlSim {
  private timers = new Set<NodeJS.Timeout>();
  constructor(
    private readonly shared: Shared,
    private readonly latestMode: LatestMode,
    private readonly autoClose: boolean,
  ) {}

  /** Start a datafeed run over [start, end). */
  start(df: DatafeedState, startParam: unknown, endParam: unknown): void {
    const job = this.shared.state.jobs.get(df.jobId)!;
    const start = parseTimestamp(startParam) ?? job.latest ?? 0;
    const end = parseTimestamp(endParam);
    const stop = end ?? Date.now();
    const indices = (df.config.indices as string[]).join(',');
    const { streams } = resolveTargets(this.shared, indices);
    let total = 0;
    let lastTs: number | undefined;
    for (const ds of streams) {
      for (const ts of ds.timestamps) {
        if (ts >= start && ts < stop) {
          total += 1;
          if (lastTs === undefined || ts > lastTs) lastTs = ts;
        }
      }
    }
    const runMs = this.shared.faults.datafeedRunMs;
    df.state = 'started';
    df.searchCount += 1;
    df.run = { start, end, startedAt: Date.now(), runMs, total, lastTs, done: false };
    job.earliest ??= start;
    if (runMs <= 0) this.finish(df);
    else {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.finish(df);
      }, runMs);
      t.unref();
      this.timers.add(t);
    }
  }

  private fraction(df: DatafeedState): number {
    const r = df.run;
    if (!r) return 0;
    if (r.done || r.runMs <= 0) return 1;
    return Math.min(1, (Date.now() - r.startedAt) / r.runMs);
  }

  /** Apply a finished run to its job. */
  private apply(df: DatafeedState): void {
    const r = df.run;
    const job = this.shared.state.jobs.get(df.jobId);
    if (!r || !job || r.done) return;
    job.processed += r.total;
    const target = this.latestMode === 'end' ? (r.end ?? r.lastTs) : r.lastTs;
    if (target !== undefined && (job.latest === undefined || target > job.latest)) job.latest = target;
    job.lastDataTime = Date.now();
    r.done = true;
  }

  finish(df: DatafeedState): void {
    if (!df.run || df.run.done) return;
    this.apply(df);
    if (df.run.end !== undefined) {
      df.state = 'stopped';
      const job = this.shared.state.jobs.get(df.jobId);
      if (job && this.autoClose) job.state = 'closed';
    }
  }

  /** Stop a started datafeed now, keeping the progress made so far. */
  stop(df: DatafeedState): void {
    const r = df.run;
    if (r && !r.done) {
      const f = this.fraction(df);
      r.total = Math.round(r.total * f);
      if (r.end !== undefined) r.end = r.start + (r.end - r.start) * f;
      if (r.lastTs !== undefined) r.lastTs = r.start + (r.lastTs - r.start) * f;
      this.apply(df);
    }
    df.state = 'stopped';
  }

  /** data_counts while a run is in flight (linear progress). */
  dataCounts(job: JobState) {
    let processed = job.processed;
    let latest = job.latest;
    for (const df of this.shared.state.datafeeds.values()) {
      const r = df.run;
      if (df.jobId !== job.id || !r || r.done) continue;
      const f = this.fraction(df);
      processed += Math.round(r.total * f);
      const target = this.latestMode === 'end' ? (r.end ?? r.lastTs) : r.lastTs;
      if (target !== undefined) latest = Math.max(latest ?? 0, r.start + (target - r.start) * f);
    }
    const span = parseDuration((job.config.analysis_config as Record<string, unknown>).bucket_span);
    const buckets = latest !== undefined && job.earliest !== undefined ? Math.max(0, Math.floor((latest - job.earliest) / span)) : 0;
    return {
      job_id: job.id,
      processed_record_count: processed,
      processed_field_count: processed * 3,
      input_bytes: processed * 512,
      input_field_count: processed * 3,
      invalid_date_count: 0,
      missing_field_count: 0,
      out_of_order_timestamp_count: 0,
      empty_bucket_count: 0,
      sparse_bucket_count: 0,
      bucket_count: buckets,
      input_record_count: processed,
      ...(job.earliest !== undefined && processed > 0 ? { earliest_record_timestamp: job.earliest } : {}),
      ...(latest !== undefined ? { latest_record_timestamp: Math.floor(latest), latest_bucket_timestamp: Math.floor(latest / span) * span } : {}),
      ...(job.lastDataTime !== undefined ? { last_data_time: job.lastDataTime } : {}),
      log_time: Date.now(),
    };
  }

  jobStats(job: JobState) {
    const opened = job.state === 'opened';
    return {
      job_id: job.id,
      data_counts: this.dataCounts(job),
      model_size_stats: {
        job_id: job.id,
        result_type: 'model_size_stats',
        model_bytes: job.processed ? 150000 : 0,
        peak_model_bytes: job.processed ? 150000 : 0,
        total_by_field_count: 0,
        total_over_field_count: 0,
        total_partition_field_count: 0,
        bucket_allocation_failures_count: 0,
        memory_status: 'ok',
        assignment_memory_basis: 'model_memory_limit',
        categorization_status: 'ok',
        log_time: Date.now(),
        timestamp: job.latest ?? 0,
      },
      forecasts_stats: { total: 0, forecasted_jobs: 0 },
      state: job.state,
      ...(opened
        ? {
            node: { id: 'standin-node-id', name: 'standin-node-0', ephemeral_id: 'standin-ephemeral', transport_address: '127.0.0.1:9300', attributes: { 'ml.machine_memory': '8589934592', 'ml.max_jvm_size': '1073741824' } },
            assignment_explanation: '',
            open_time: `${Math.floor((Date.now() - (job.openedAt ?? Date.now())) / 1000)}s`,
          }
        : {}),
      timing_stats: { job_id: job.id, bucket_count: 0, total_bucket_processing_time_ms: 0 },
      deleting: false,
    };
  }

  datafeedStats(df: DatafeedState) {
    return {
      datafeed_id: df.id,
      state: df.state,
      ...(df.state === 'started' ? { node: { id: 'standin-node-id', name: 'standin-node-0', ephemeral_id: 'standin-ephemeral', transport_address: '127.0.0.1:9300', attributes: {} }, assignment_explanation: '' } : {}),
      timing_stats: { job_id: df.jobId, search_count: df.searchCount, bucket_count: 0, total_search_time_ms: 0, exponential_average_search_time_per_hour_ms: 0 },
      ...(df.state === 'started' ? { running_state: { real_time_configured: df.run?.end === undefined, real_time_running: df.run?.end === undefined && !!df.run?.done } } : {}),
    };
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
