/**
 * ML jobs: created through Kibana's own module setup when a whole module is chosen and Kibana is
 * reachable (real definitions, saved objects in the space, empty prefix so the prebuilt rules
 * find them); otherwise through the ES ML APIs with the catalogue's configs, then ML's
 * saved-object sync. Every job the tool creates carries a marker in custom_settings, so cleanup
 * removes exactly those. Datafeeds run over the data window; we wait until they reach its end.
 */
import { JOB_MARKER } from '../../common/constants';
import { datafeedId, datafeedPutBody, jobPutBody } from '../../common/requests';
import { CUSTOM_MODULE_ID } from '../custom_jobs/parse';
import type { ModulePlan, Plan } from '../generators/plan';
import { statusOf, toInstallError } from './errors';
import type { EsClient, KibanaApi } from './types';

export type JobOutcome = {
  jobId: string;
  state: 'created' | 'existing' | 'failed';
  error?: string;
  via?: 'module_setup' | 'es_api';
  /** Created, but something is off (e.g. not visible in the space yet). */
  warning?: string;
};

/** Jobs that exist, with our marker's fingerprint when we created them. */
export async function existingJobs(es: EsClient, jobIds: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (jobIds.length === 0) return out;
  // All jobs, filtered here: ES answers 404 to a list of explicit ids when any one is missing.
  const res = await es.ml.getJobs({ allow_no_match: true }).catch((e) => {
    if (statusOf(e) === 404) return { jobs: [] };
    throw e;
  });
  for (const job of res.jobs.filter((j) => jobIds.includes(j.job_id))) {
    const marker = (job.custom_settings as Record<string, { fingerprint?: string }> | undefined)?.[JOB_MARKER];
    out.set(job.job_id, marker?.fingerprint ?? null);
  }
  return out;
}

/** Who made each of these jobs that exists: the tool's marker (namespace, fingerprint), or null for someone else's job. */
export async function jobMarkers(es: EsClient, jobIds: string[]): Promise<Map<string, { namespace?: string; fingerprint?: string } | null>> {
  const out = new Map<string, { namespace?: string; fingerprint?: string } | null>();
  if (jobIds.length === 0) return out;
  const res = await es.ml.getJobs({ allow_no_match: true }).catch((e) => {
    if (statusOf(e) === 404) return { jobs: [] };
    throw e;
  });
  for (const job of res.jobs.filter((j) => jobIds.includes(j.job_id))) {
    out.set(job.job_id, (job.custom_settings as Record<string, { namespace?: string; fingerprint?: string }> | undefined)?.[JOB_MARKER] ?? null);
  }
  return out;
}

function marker(namespace: string, fingerprint: string) {
  return { [JOB_MARKER]: { namespace, fingerprint } };
}

/** model_memory_limit per job id (MB), from sizing.ts; jobs not in it keep the module's limit. */
export type JobLimits = Map<string, number>;

const limitOverride = (limits: JobLimits | undefined, id: string, current?: object) =>
  limits?.has(id) ? { analysis_limits: { ...current, model_memory_limit: `${limits.get(id)}mb` } } : {};

async function createViaEs(es: EsClient, module: ModulePlan, jobIds: string[], namespace: string, fingerprint: string, limits?: JobLimits): Promise<JobOutcome[]> {
  const out: JobOutcome[] = [];
  for (const { job } of module.jobs.filter((j) => jobIds.includes(j.job.id))) {
    try {
      const body = jobPutBody(job);
      body.custom_settings = { ...body.custom_settings, ...marker(namespace, fingerprint) };
      Object.assign(body, limitOverride(limits, job.id, body.analysis_limits as object | undefined));
      await es.ml.putJob({ job_id: job.id, ...(body as object) } as Parameters<EsClient['ml']['putJob']>[0]);
      await es.ml.putDatafeed({ datafeed_id: datafeedId(job.id), ...(datafeedPutBody(job, [module.dataStream]) as object) } as Parameters<EsClient['ml']['putDatafeed']>[0]);
      out.push({ jobId: job.id, state: 'created', via: 'es_api' });
    } catch (error) {
      out.push({ jobId: job.id, state: 'failed', error: toInstallError(error, `Creating ML job ${job.id}`).message });
    }
  }
  return out;
}

async function createViaModuleSetup(kibana: KibanaApi, module: ModulePlan, jobIds: string[], namespace: string, fingerprint: string, limits?: JobLimits): Promise<JobOutcome[]> {
  const res = await kibana.setupModule(module.moduleId, {
    prefix: '',
    indexPatternName: module.dataStream,
    useDedicatedIndex: false,
    startDatafeed: false,
    jobOverrides: jobIds.map((id) => ({
      job_id: id,
      custom_settings: { ...module.jobs.find((j) => j.job.id === id)?.job.job.custom_settings, ...marker(namespace, fingerprint) },
      ...limitOverride(limits, id),
    })),
  });
  return jobIds.map((id) => {
    const r = res.jobs.find((j) => j.id === id);
    const err = r?.error && (typeof r.error === 'string' ? r.error : r.error.reason ?? r.error.msg);
    if (r?.success) return { jobId: id, state: 'created', via: 'module_setup' };
    return { jobId: id, state: 'failed', error: err ?? 'module setup did not create the job' };
  });
}

/** Creates the module's jobs that do not exist yet. */
export async function createJobs(es: EsClient, kibana: KibanaApi | undefined, plan: Plan, module: ModulePlan, existing: Map<string, string | null>, fingerprint: string, limits?: JobLimits): Promise<JobOutcome[]> {
  const ids = module.jobs.map((j) => j.job.id);
  const missing = ids.filter((id) => !existing.has(id));
  const kept: JobOutcome[] = ids.filter((id) => existing.has(id)).map((jobId) => ({ jobId, state: 'existing' }));
  if (missing.length === 0) return kept;
  const whole = missing.length === module.jobs.length;
  let made: JobOutcome[];
  // The custom module (the user's own jobs) is no Kibana module: its jobs go through the ES API.
  if (kibana && whole && module.moduleId !== CUSTOM_MODULE_ID) {
    try {
      made = await createViaModuleSetup(kibana, module, missing, plan.options.namespace, fingerprint, limits);
      // Kibana's module may not ship a job (other stack version): make those through ES.
      const failed = made.filter((m) => m.state === 'failed').map((m) => m.jobId);
      if (failed.length) made = [...made.filter((m) => m.state !== 'failed'), ...(await createViaEs(es, module, failed, plan.options.namespace, fingerprint, limits))];
    } catch {
      made = await createViaEs(es, module, missing, plan.options.namespace, fingerprint, limits);
    }
  } else {
    made = await createViaEs(es, module, missing, plan.options.namespace, fingerprint, limits);
  }
  // Jobs made through the ES API have no ML saved object: ML's jobIdsCheck would hide them from
  // the space (Anomaly Explorer, the ML rules' anomaly search) until ML's hourly sync.
  const viaEs = made.filter((m) => m.via === 'es_api' && m.state === 'created');
  if (kibana && viaEs.length) {
    try {
      await kibana.syncMlSavedObjects(viaEs.map((m) => m.jobId));
    } catch (error) {
      const warning = `ML jobs ${viaEs.map((m) => m.jobId).join(', ')} have no ML saved object in this space yet (${toInstallError(error, 'Creating ML saved objects').message}); run "Synchronize saved objects" in Stack Management → Machine Learning.`;
      for (const m of viaEs) m.warning = warning;
    }
  }
  return [...kept, ...made];
}

/** Opens the job and starts its datafeed over [start, end). */
export async function startJob(es: EsClient, jobId: string, start: number, end: number): Promise<void> {
  try {
    await es.ml.openJob({ job_id: jobId });
  } catch (error) {
    if (statusOf(error) !== 409) throw toInstallError(error, `Opening ML job ${jobId}`); // 409: already open
  }
  try {
    await es.ml.startDatafeed({ datafeed_id: datafeedId(jobId), start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  } catch (error) {
    if (statusOf(error) !== 409) throw toInstallError(error, `Starting datafeed of ${jobId}`); // 409: already started
  }
}

/** Closes a job that has processed its window (frees its ML memory; results and model state stay). */
export async function closeJob(es: EsClient, jobId: string): Promise<void> {
  try {
    await es.ml.closeJob({ job_id: jobId });
  } catch (error) {
    if (statusOf(error) !== 409 && statusOf(error) !== 404) throw toInstallError(error, `Closing ML job ${jobId}`);
  }
}

/** Where the job's datafeed has got to, and whether it has finished the window. */
export async function jobProgress(es: EsClient, jobId: string, end: number): Promise<{ processedUntil?: number; done: boolean; failed?: string }> {
  const [jobStats, feedStats] = await Promise.all([es.ml.getJobStats({ job_id: jobId }), es.ml.getDatafeedStats({ datafeed_id: datafeedId(jobId) })]);
  const job = jobStats.jobs[0];
  const feed = feedStats.datafeeds[0];
  const latest = job?.data_counts.latest_record_timestamp;
  const processedUntil = typeof latest === 'number' ? latest : latest ? Date.parse(String(latest)) : undefined;
  if (job?.state === 'failed') return { processedUntil, done: true, failed: job.assignment_explanation ?? 'job failed' };
  const done = feed?.state === 'stopped' && (processedUntil === undefined || processedUntil >= end - 15 * 60_000 || job?.state === 'closed');
  return { processedUntil, done };
}

/** Highest record score in the job's results. */
export async function maxRecordScore(es: EsClient, jobId: string): Promise<number | null> {
  const res = await es.ml.getRecords({ job_id: jobId, sort: 'record_score', desc: true, page: { from: 0, size: 1 } });
  return res.records[0]?.record_score ?? null;
}
