/** Elasticsearch ML face: anomaly detection jobs, datafeeds, results, info. */
import { datafeedDefaults, JOB_ID_RX, jobDefaults, newJob, type MlSim } from './ml_sim';
import { handCheck } from './hand_checks';
import { estimateModelMemory } from './ml_node';
import { recordsRoutes } from './ml_results';
import { ok, type Ctx, type Reply, type RouteDef, type Shared } from './server';
import { esError, expandIds, type DatafeedState } from './state';

export interface MlOptions {
  esVersion: string;
  license: 'trial' | 'basic';
  mlEnabled: boolean;
}

const ES = 'elasticsearch' as const;
const admin = (a: string) => ({ action: `cluster:admin/xpack/ml/${a}`, cluster: ['manage_ml', 'manage', 'all'] });
const monitor = (a: string) => ({ action: `cluster:monitor/xpack/ml/${a}`, cluster: ['monitor_ml', 'manage_ml', 'monitor', 'manage', 'all'] });

const noJob = (id: string) => esError(404, 'resource_not_found_exception', `No known job with id '${id}'`);
const noDatafeed = (id: string) => esError(404, 'resource_not_found_exception', `No datafeed with id [${id}] exists`);

/** Create a job (used by PUT and by Kibana module setup). Returns an error reply or undefined. */
export function createJob(shared: Shared, id: string, body: Record<string, unknown>): Reply {
  const s = shared.state;
  if (!JOB_ID_RX.test(id)) {
    return esError(400, 'illegal_argument_exception', `Invalid job_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric`);
  }
  if (body.job_id !== undefined && body.job_id !== id) return esError(400, 'illegal_argument_exception', `Inconsistent job_id; '${String(body.job_id)}' specified in the body differs from '${id}' specified as a URL argument`);
  if (s.jobs.has(id)) return esError(400, 'resource_already_exists_exception', `The job cannot be created with the Id '${id}'. The Id is already used.`);
  const config = jobDefaults(id, body);
  s.jobs.set(id, newJob(id, config));
  const dfc = body.datafeed_config as Record<string, unknown> | undefined;
  if (dfc) {
    const dfId = String(dfc.datafeed_id ?? id);
    const dfConfig = datafeedDefaults(dfId, { ...dfc, job_id: id }, shared);
    s.datafeeds.set(dfId, { id: dfId, jobId: id, config: dfConfig, state: 'stopped', searchCount: 0 });
    config.datafeed_config = dfConfig;
  }
  return ok(config);
}

export function createDatafeed(shared: Shared, id: string, body: Record<string, unknown>): Reply {
  const s = shared.state;
  if (!JOB_ID_RX.test(id)) return esError(400, 'illegal_argument_exception', `Invalid datafeed_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric`);
  const jobId = String(body.job_id ?? '');
  if (!s.jobs.has(jobId)) return noJob(jobId);
  if (s.datafeeds.has(id)) return esError(409, 'resource_already_exists_exception', `A datafeed with id [${id}] already exists`);
  const other = [...s.datafeeds.values()].find((d) => d.jobId === jobId);
  if (other) return esError(409, 'resource_already_exists_exception', `A datafeed [${other.id}] already exists for job [${jobId}]`);
  const indices = [body.indices ?? body.indexes ?? []].flat();
  if (!indices.length) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: datafeed [indices] must not be empty;');
  const config = datafeedDefaults(id, body, shared);
  s.datafeeds.set(id, { id, jobId, config, state: 'stopped', searchCount: 0 });
  return ok(config);
}

export function openJob(shared: Shared, id: string): Reply {
  const job = shared.state.jobs.get(id);
  if (!job) return noJob(id);
  const failure = shared.faults.openFailures.get(id);
  if (failure) return esError(failure.status, 'status_exception', failure.reason);
  if (job.state !== 'opened') {
    const refused = shared.mlNode?.refuseOpen(job.config);
    if (refused) return esError(429, 'status_exception', refused);
    job.state = 'opened';
    job.openedAt = Date.now();
    shared.mlNode?.noteOpened();
  }
  return ok({ opened: true, node: 'standin-node-id' });
}

export function startDatafeed(shared: Shared, sim: MlSim, id: string, start: unknown, end: unknown): Reply {
  const df = shared.state.datafeeds.get(id);
  if (!df) return noDatafeed(id);
  const job = shared.state.jobs.get(df.jobId);
  if (!job || job.state !== 'opened') return esError(409, 'status_exception', `cannot start datafeed [${id}] because job [${df.jobId}] is ${job?.state ?? 'missing'}`);
  if (df.state === 'started') return esError(409, 'status_exception', `cannot start datafeed [${id}] because it has already been started`);
  sim.start(df, start, end);
  return ok({ started: true, node: 'standin-node-id' });
}

export function mlRoutes(shared: Shared, sim: MlSim, opts: MlOptions): RouteDef[] {
  const s = shared.state;
  // Licence and `xpack.ml.enabled` gate every ML route.
  const gate = (handler: (ctx: Ctx) => Reply): ((ctx: Ctx) => Reply) => (ctx) => {
    if (!opts.mlEnabled) return esError(400, 'illegal_argument_exception', `no handler found for uri [${ctx.path}] and method [${ctx.method}]`);
    if (opts.license === 'basic' && ctx.path !== '/_ml/info') return esError(403, 'security_exception', 'current license is non-compliant for [ml]', { 'license.expired.feature': 'ml' });
    return handler(ctx);
  };
  const route = (method: string, path: string, authz: { action: string; cluster: string[] }, handler: (ctx: Ctx) => Reply, check?: RouteDef['check']): RouteDef => ({
    method,
    path,
    authz,
    ...(check ? { check } : { contract: ES }),
    handler: gate(handler),
  });

  const jobsMatching = (ctx: Ctx): { ids: string[]; error?: Reply } => {
    const expr = ctx.params.job_id;
    const { ids, missing } = expandIds(expr, s.jobs.keys());
    if (missing.length) return { ids, error: noJob(missing[0]) };
    if (!ids.length && ctx.q.allow_no_match === false) return { ids, error: noJob(expr ?? '_all') };
    return { ids };
  };
  const feedsMatching = (ctx: Ctx): { ids: string[]; error?: Reply } => {
    const expr = ctx.params.datafeed_id;
    const { ids, missing } = expandIds(expr, s.datafeeds.keys());
    if (missing.length) return { ids, error: noDatafeed(missing[0]) };
    if (!ids.length && ctx.q.allow_no_match === false) return { ids, error: noDatafeed(expr ?? '_all') };
    return { ids };
  };

  const getJobs = (ctx: Ctx): Reply => {
    const { ids, error } = jobsMatching(ctx);
    if (error) return error;
    return ok({ count: ids.length, jobs: ids.map((i) => s.jobs.get(i)!.config) });
  };
  const jobStats = (ctx: Ctx): Reply => {
    const { ids, error } = jobsMatching(ctx);
    if (error) return error;
    return ok({ count: ids.length, jobs: ids.map((i) => sim.jobStats(s.jobs.get(i)!)) });
  };
  const deleteJob = (ctx: Ctx): Reply => {
    const id = ctx.params.job_id;
    const job = s.jobs.get(id);
    if (!job) return noJob(id);
    const df = [...s.datafeeds.values()].find((d) => d.jobId === id);
    if (df) return esError(409, 'status_exception', `Cannot delete job [${id}] because datafeed [${df.id}] refers to it`);
    if (job.state === 'opened' && ctx.q.force !== true) return esError(409, 'status_exception', `Cannot delete job [${id}] because the job is opened`);
    s.jobs.delete(id);
    return ok({ acknowledged: true });
  };
  const closeJob = (ctx: Ctx): Reply => {
    const { ids, error } = jobsMatching(ctx);
    if (error) return error;
    for (const id of ids) {
      for (const df of s.datafeeds.values()) if (df.jobId === id && df.state === 'started') sim.stop(df);
      s.jobs.get(id)!.state = 'closed';
    }
    return ok({ closed: true });
  };

  const getFeeds = (ctx: Ctx): Reply => {
    const { ids, error } = feedsMatching(ctx);
    if (error) return error;
    return ok({ count: ids.length, datafeeds: ids.map((i) => s.datafeeds.get(i)!.config) });
  };
  const feedStats = (ctx: Ctx): Reply => {
    const { ids, error } = feedsMatching(ctx);
    if (error) return error;
    return ok({ count: ids.length, datafeeds: ids.map((i) => sim.datafeedStats(s.datafeeds.get(i)!)) });
  };
  const deleteFeed = (ctx: Ctx): Reply => {
    const df = s.datafeeds.get(ctx.params.datafeed_id);
    if (!df) return noDatafeed(ctx.params.datafeed_id);
    if (df.state === 'started' && ctx.q.force !== true) return esError(409, 'status_exception', `Cannot delete datafeed [${df.id}] while its status is started`);
    s.datafeeds.delete(df.id);
    return ok({ acknowledged: true });
  };
  const stopFeed = (ctx: Ctx): Reply => {
    const { ids, error } = feedsMatching(ctx);
    if (error) return error;
    ids.map((i) => s.datafeeds.get(i)!).filter((d: DatafeedState) => d.state === 'started').forEach((d) => sim.stop(d));
    return ok({ stopped: true });
  };
  const body = (ctx: Ctx) => (ctx.body ?? {}) as Record<string, unknown>;

  const info = (): Reply =>
    ok({
      defaults: {
        anomaly_detectors: {
          categorization_analyzer: { char_filter: ['first_line_with_letters'], tokenizer: 'ml_standard', filter: [{ type: 'stop', stopwords: ['Monday', 'Tuesday'] }] },
          model_memory_limit: '1gb',
          categorization_examples_limit: 4,
          model_snapshot_retention_days: 10,
          daily_model_snapshot_retention_after_days: 1,
        },
        datafeeds: { scroll_size: 1000 },
      },
      upgrade_mode: false,
      native_code: { version: opts.esVersion, build_hash: 'st4nd1n' },
      limits: { max_single_ml_node_processors: 2, total_ml_processors: 2, max_model_memory_limit: '3gb', effective_max_model_memory_limit: '3gb', total_ml_memory: '4gb' },
    });

  return [
    route('GET', '/_ml/info', monitor('info/get'), info, handCheck({ body: 'none' })),
    route('GET', '/_ml/memory/_stats', monitor('memory/stats/get'), () => ok(shared.mlNode!.memoryStats()), handCheck({ query: { master_timeout: 'string', timeout: 'string' }, body: 'none' })),
    route('POST', '/_ml/anomaly_detectors/_estimate_model_memory', monitor('job/estimate_model_memory'), (ctx) => {
      const r = estimateModelMemory(body(ctx));
      return 'error' in r ? esError(400, 'illegal_argument_exception', r.error) : ok(r);
    }),
    route('PUT', '/_ml/anomaly_detectors/{job_id}', admin('job/put'), (ctx) => createJob(shared, ctx.params.job_id, body(ctx))),
    route('GET', '/_ml/anomaly_detectors/{job_id}', monitor('job/get'), getJobs),
    route('GET', '/_ml/anomaly_detectors', monitor('job/get'), getJobs),
    route('DELETE', '/_ml/anomaly_detectors/{job_id}', admin('job/delete'), deleteJob),
    route('POST', '/_ml/anomaly_detectors/{job_id}/_open', admin('job/open'), (ctx) => openJob(shared, ctx.params.job_id)),
    route('POST', '/_ml/anomaly_detectors/{job_id}/_close', admin('job/close'), closeJob),
    route('GET', '/_ml/anomaly_detectors/{job_id}/_stats', monitor('job/stats/get'), jobStats),
    route('GET', '/_ml/anomaly_detectors/_stats', monitor('job/stats/get'), jobStats),
    route('PUT', '/_ml/datafeeds/{datafeed_id}', admin('datafeeds/put'), (ctx) => createDatafeed(shared, ctx.params.datafeed_id, body(ctx))),
    route('GET', '/_ml/datafeeds/{datafeed_id}', monitor('datafeeds/get'), getFeeds),
    route('GET', '/_ml/datafeeds', monitor('datafeeds/get'), getFeeds),
    route('DELETE', '/_ml/datafeeds/{datafeed_id}', admin('datafeeds/delete'), deleteFeed),
    route('POST', '/_ml/datafeeds/{datafeed_id}/_start', admin('datafeed/start'), (ctx) =>
      startDatafeed(shared, sim, ctx.params.datafeed_id, body(ctx).start ?? ctx.q.start, body(ctx).end ?? ctx.q.end),
    ),
    route('POST', '/_ml/datafeeds/{datafeed_id}/_stop', admin('datafeed/stop'), stopFeed),
    route('GET', '/_ml/datafeeds/{datafeed_id}/_stats', monitor('datafeeds/stats/get'), feedStats),
    route('GET', '/_ml/datafeeds/_stats', monitor('datafeeds/stats/get'), feedStats),
    ...recordsRoutes(shared).map((r) => ({ ...r, handler: gate(r.handler as (ctx: Ctx) => Reply) })),
  ];
}
