/**
 * ML results the stand-in cannot compute: anomaly records are preloaded by the test
 * (`standin.preloadRecords`), buckets are derived from them. Not in the serverless ES document:
 * request shapes are hand-checked against estypes.MlGetRecordsRequest / MlGetBucketsRequest.
 */
import { handCheck, type Kind } from './hand_checks';
import { parseDuration } from './ml_sim';
import { ok, type Ctx, type Reply, type RouteDef, type Shared } from './server';
import { esError, parseTimestamp, type JobState } from './state';

const RECORD_QUERY: Record<string, Kind> = { desc: 'boolean', end: 'date', exclude_interim: 'boolean', from: 'integer', record_score: 'number', size: 'integer', sort: 'string', start: 'date' };
const RECORD_BODY: Record<string, Kind> = { desc: 'boolean', end: 'date', exclude_interim: 'boolean', page: 'object', record_score: 'number', sort: 'string', start: 'date' };
const BUCKET_QUERY: Record<string, Kind> = { anomaly_score: 'number', desc: 'boolean', end: 'date', exclude_interim: 'boolean', expand: 'boolean', from: 'integer', size: 'integer', sort: 'string', start: 'date' };
const BUCKET_BODY: Record<string, Kind> = { anomaly_score: 'number', desc: 'boolean', end: 'date', exclude_interim: 'boolean', expand: 'boolean', page: 'object', sort: 'string', start: 'date' };

function checkPage(b: Record<string, unknown>): string[] {
  const p = b.page as Record<string, unknown> | undefined;
  if (!p) return [];
  const errors: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k !== 'from' && k !== 'size') errors.push(`body.page.${k}: unknown key`);
    else if (!Number.isInteger(v)) errors.push(`body.page.${k}: must be integer`);
  }
  return errors;
}

/** Fill in the fields a real record has, from what the test preloaded. */
export function completeRecord(job: JobState, r: Record<string, unknown>): Record<string, unknown> {
  const span = parseDuration((job.config.analysis_config as Record<string, unknown>).bucket_span);
  const det = ((job.config.analysis_config as Record<string, unknown>).detectors as Record<string, unknown>[])[Number(r.detector_index ?? 0)] ?? {};
  const ts = parseTimestamp(r.timestamp) ?? 0;
  const score = Number(r.record_score ?? 0);
  return {
    job_id: job.id,
    result_type: 'record',
    probability: 1e-5,
    multi_bucket_impact: -5,
    record_score: score,
    initial_record_score: r.initial_record_score ?? score,
    bucket_span: span / 1000,
    detector_index: 0,
    is_interim: false,
    function: det.function,
    function_description: String(det.function ?? '').replace(/^(high_|low_)/, ''),
    ...(det.by_field_name ? { by_field_name: det.by_field_name } : {}),
    ...(det.partition_field_name ? { partition_field_name: det.partition_field_name } : {}),
    ...(det.over_field_name ? { over_field_name: det.over_field_name } : {}),
    ...(det.field_name ? { field_name: det.field_name } : {}),
    ...r,
    timestamp: Math.floor(ts / span) * span,
  };
}

function params(ctx: Ctx): Record<string, unknown> {
  const q = ctx.q;
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const page = (b.page ?? {}) as Record<string, unknown>;
  const bool = (v: unknown) => (v === undefined ? undefined : v === true || v === 'true' || v === '');
  return {
    ...q,
    ...b,
    desc: bool(b.desc ?? q.desc),
    exclude_interim: bool(b.exclude_interim ?? q.exclude_interim),
    from: Number(page.from ?? q.from ?? 0),
    size: Number(page.size ?? q.size ?? 100),
  };
}

export function recordsRoutes(shared: Shared): RouteDef[] {
  const jobOf = (ctx: Ctx): JobState | Reply => {
    const job = shared.state.jobs.get(ctx.params.job_id);
    return job ?? esError(404, 'resource_not_found_exception', `No known job with id '${ctx.params.job_id}'`);
  };

  const records = (ctx: Ctx): Reply => {
    const job = jobOf(ctx);
    if (!('id' in job)) return job;
    const p = params(ctx);
    const start = parseTimestamp(p.start);
    const end = parseTimestamp(p.end);
    const min = p.record_score === undefined ? 0 : Number(p.record_score);
    const sort = String(p.sort ?? 'record_score');
    const desc = p.desc ?? true;
    const all = (shared.state.records.get(job.id) ?? [])
      .map((r) => completeRecord(job, r))
      .filter((r) => Number(r.record_score) >= min)
      .filter((r) => (start === undefined || Number(r.timestamp) >= start) && (end === undefined || Number(r.timestamp) < end))
      .filter((r) => !(p.exclude_interim && r.is_interim))
      .sort((a, b) => (Number(a[sort] ?? 0) - Number(b[sort] ?? 0)) * (desc ? -1 : 1));
    return ok({ count: all.length, records: all.slice(Number(p.from), Number(p.from) + Number(p.size)) });
  };

  const buckets = (ctx: Ctx): Reply => {
    const job = jobOf(ctx);
    if (!('id' in job)) return job;
    const p = params(ctx);
    const span = parseDuration((job.config.analysis_config as Record<string, unknown>).bucket_span);
    const byTs = new Map<number, Record<string, unknown>[]>();
    for (const r of (shared.state.records.get(job.id) ?? []).map((x) => completeRecord(job, x))) {
      const ts = Number(r.timestamp);
      byTs.set(ts, [...(byTs.get(ts) ?? []), r]);
    }
    const start = parseTimestamp(p.start);
    const end = parseTimestamp(p.end);
    const wanted = ctx.params.timestamp === undefined ? undefined : parseTimestamp(ctx.params.timestamp);
    const list = [...byTs.entries()]
      .map(([ts, recs]) => {
        const score = Math.max(...recs.map((r) => Number(r.record_score)));
        return {
          job_id: job.id,
          timestamp: ts,
          anomaly_score: score,
          initial_anomaly_score: score,
          bucket_span: span / 1000,
          event_count: 0,
          is_interim: false,
          result_type: 'bucket',
          processing_time_ms: 0,
          bucket_influencers: [],
          ...(p.expand ? { records: recs } : {}),
        };
      })
      .filter((b) => (wanted === undefined || b.timestamp === wanted) && (start === undefined || b.timestamp >= start) && (end === undefined || b.timestamp < end))
      .filter((b) => p.anomaly_score === undefined || b.anomaly_score >= Number(p.anomaly_score))
      .sort((a, b) => (p.desc ? b.timestamp - a.timestamp : a.timestamp - b.timestamp));
    return ok({ count: list.length, buckets: list.slice(Number(p.from), Number(p.from) + Number(p.size)) });
  };

  const rec = handCheck({ query: RECORD_QUERY, body: RECORD_BODY, extra: checkPage });
  const bkt = handCheck({ query: BUCKET_QUERY, body: BUCKET_BODY, extra: checkPage });
  const authz = (what: string) => ({ action: `cluster:monitor/xpack/ml/job/results/${what}/get`, cluster: ['monitor_ml', 'manage_ml', 'monitor', 'manage', 'all'] });
  return [
    { method: 'GET', path: '/_ml/anomaly_detectors/{job_id}/results/records', check: rec, authz: authz('records'), handler: records },
    { method: 'POST', path: '/_ml/anomaly_detectors/{job_id}/results/records', check: rec, authz: authz('records'), handler: records },
    { method: 'GET', path: '/_ml/anomaly_detectors/{job_id}/results/buckets', check: bkt, authz: authz('buckets'), handler: buckets },
    { method: 'POST', path: '/_ml/anomaly_detectors/{job_id}/results/buckets', check: bkt, authz: authz('buckets'), handler: buckets },
    { method: 'GET', path: '/_ml/anomaly_detectors/{job_id}/results/buckets/{timestamp}', check: bkt, authz: authz('buckets'), handler: buckets },
    { method: 'POST', path: '/_ml/anomaly_detectors/{job_id}/results/buckets/{timestamp}', check: bkt, authz: authz('buckets'), handler: buckets },
  ];
}
