/**
 * A user's own anomaly detection jobs as the generator's recipe. Accepted: the body of
 * `PUT _ml/anomaly_detectors/<id>` (with or without `job_id`, with or without an embedded
 * `datafeed_config`), Kibana's module job files (`ml/<id>.json` + `ml/datafeed_<id>.json`, or a
 * module setup entry `{ "id", "config" }`), and the answer of `GET _ml/anomaly_detectors/<id>`
 * (`{ "jobs": [...] }`); datafeeds as the body of `PUT _ml/datafeeds/<id>`.
 *
 * What cannot be generated is refused with one sentence naming the file and the field: a
 * categorization job, several detectors, a pre-summarised input, a datafeed with aggregations or
 * script fields, a runtime field whose script the verifier cannot evaluate, a query clause the
 * generator cannot turn into documents, a detector the registry has no data for.
 */
import type { CatalogueJob, DatafeedConfig, JobVariant, MlJobConfig } from '../../common/catalogue/types';
import { parseTimeValue } from '../engine/detector';
import { detectorProblem } from '../generators/detectors';
import { solveQuery } from '../generators/constraints';
import { compileQuery } from '../verify/query_evaluator';
import { fieldReader } from '../verify/runtime_fields';

/** The module every custom job is generated in: data stream logs-ml_demo.custom-<namespace>. */
export const CUSTOM_MODULE_ID = 'custom';

/** Elasticsearch's job id rule: lowercase alphanumerics, - and _, starting and ending alphanumeric, at most 64. */
export const JOB_ID_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;

export const MIN_BUCKET_SPAN_MS = 60_000;
export const MAX_BUCKET_SPAN_MS = 86_400_000;

export class CustomJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomJobError';
  }
}

export interface JobInput {
  /** The job body (any accepted format). */
  job: unknown;
  /** Where it came from, for messages and provenance ("jobs/mine.json", "pasted"). */
  source: string;
  /** The id when the body has none (the file name without .json). */
  fallbackId?: string;
  datafeed?: unknown;
  datafeedSource?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The job bodies in one parsed JSON value: one job, or the `jobs` of a GET answer. */
export function jobBodies(value: unknown): Record<string, unknown>[] {
  if (isObject(value) && Array.isArray(value.jobs)) return value.jobs.filter(isObject);
  if (isObject(value) && isObject(value.config) && typeof value.id === 'string') return [{ job_id: value.id, ...value.config }];
  return isObject(value) ? [value] : [];
}

/** Whether a parsed JSON value looks like a datafeed body (a query or indices, no analysis_config). */
export function isDatafeedBody(value: unknown): boolean {
  return isObject(value) && !('analysis_config' in value) && ('query' in value || 'indices' in value || 'indexes' in value);
}

function checkDatafeed(feed: Record<string, unknown>, where: string): DatafeedConfig {
  for (const key of ['aggregations', 'aggs']) {
    if (key in feed) throw new CustomJobError(`${where}: the datafeed has ${key}; the tool generates documents, not pre-aggregated buckets, so it cannot make data for it (remove ${key} to generate for the same detector)`);
  }
  if ('script_fields' in feed) {
    throw new CustomJobError(`${where}: the datafeed's script_fields (${Object.keys(isObject(feed.script_fields) ? feed.script_fields : {}).join(', ')}) are scripts the tool cannot evaluate, so it cannot make data for them`);
  }
  const runtime = isObject(feed.runtime_mappings) ? (feed.runtime_mappings as Record<string, { type: string; script?: unknown }>) : undefined;
  for (const field of Object.keys(runtime ?? {})) {
    try {
      fieldReader(field, runtime);
    } catch {
      throw new CustomJobError(`${where}: runtime_mappings.${field} has a script the tool cannot evaluate, so it cannot make data for it`);
    }
  }
  const query = feed.query ?? { match_all: {} };
  try {
    solveQuery(query);
    compileQuery(query);
  } catch (error) {
    throw new CustomJobError(`${where}: query: ${(error as Error).message}`);
  }
  return { ...(feed as object), job_id: String(feed.job_id ?? ''), indices: Array.isArray(feed.indices) ? (feed.indices as string[]) : [], query } as DatafeedConfig;
}

function checkJob(body: Record<string, unknown>, where: string): MlJobConfig {
  const ac = body.analysis_config;
  if (!isObject(ac)) throw new CustomJobError(`${where}: analysis_config is missing; give the body of PUT _ml/anomaly_detectors/<job> or a Kibana module job file`);
  if (ac.categorization_field_name !== undefined) {
    throw new CustomJobError(`${where}: analysis_config.categorization_field_name: a categorization job groups free text into categories the tool cannot invent, so it cannot make data for it`);
  }
  if (ac.summary_count_field_name !== undefined) {
    throw new CustomJobError(`${where}: analysis_config.summary_count_field_name: the job reads pre-summarised input, which the tool does not generate`);
  }
  const span = typeof ac.bucket_span === 'string' ? ac.bucket_span : '5m';
  const spanMs = parseTimeValue(span);
  if (!spanMs || spanMs < MIN_BUCKET_SPAN_MS || spanMs > MAX_BUCKET_SPAN_MS) {
    throw new CustomJobError(`${where}: analysis_config.bucket_span ${JSON.stringify(ac.bucket_span)} must be a time value from 1m to 1d (e.g. 5m, 1h, 1d)`);
  }
  if (!Array.isArray(ac.detectors) || ac.detectors.length === 0) throw new CustomJobError(`${where}: analysis_config.detectors must be a non-empty array`);
  if (ac.detectors.length > 1) throw new CustomJobError(`${where}: analysis_config.detectors has ${ac.detectors.length} detectors; the tool makes data for jobs with one detector`);
  const d = ac.detectors[0] as Record<string, unknown>;
  if (!isObject(d) || typeof d.function !== 'string') throw new CustomJobError(`${where}: analysis_config.detectors[0].function is missing`);
  for (const key of ['field_name', 'by_field_name', 'over_field_name', 'partition_field_name']) {
    if (d[key] === 'mlcategory') throw new CustomJobError(`${where}: analysis_config.detectors[0].${key} is mlcategory: a categorization job groups free text into categories the tool cannot invent, so it cannot make data for it`);
    if (d[key] !== undefined && (typeof d[key] !== 'string' || d[key] === '')) throw new CustomJobError(`${where}: analysis_config.detectors[0].${key} must be a field name`);
  }
  const problem = detectorProblem(d as unknown as MlJobConfig['analysis_config']['detectors'][0]);
  if (problem) throw new CustomJobError(`${where}: analysis_config.detectors[0]: ${problem}`);
  const dd = isObject(body.data_description) ? body.data_description : {};
  const timeField = typeof dd.time_field === 'string' ? dd.time_field : '@timestamp';
  if (timeField !== '@timestamp') throw new CustomJobError(`${where}: data_description.time_field ${JSON.stringify(timeField)}: the tool writes its events' time in @timestamp`);
  if (ac.influencers !== undefined && (!Array.isArray(ac.influencers) || ac.influencers.some((f) => typeof f !== 'string'))) {
    throw new CustomJobError(`${where}: analysis_config.influencers must be a list of field names`);
  }
  // The body as ES takes it back: no id (it is in the URL), no embedded datafeed, no read-only fields.
  const {
    job_id: _id,
    datafeed_config: _feed,
    job_type: _type,
    job_version: _version,
    create_time: _created,
    finished_time: _finished,
    model_snapshot_id: _snapshot,
    model_snapshot_retention_days: _retention,
    results_index_name: _results,
    blocked: _blocked,
    ...rest
  } = body;
  return {
    description: typeof body.description === 'string' ? body.description : '',
    groups: Array.isArray(body.groups) ? (body.groups as string[]) : [],
    ...rest,
    analysis_config: { ...(ac as MlJobConfig['analysis_config']), bucket_span: span },
    data_description: { ...dd, time_field: timeField },
  } as MlJobConfig;
}

/** One custom job as a catalogue job of the custom module; throws CustomJobError naming the file and field. */
export function parseCustomJob(input: JobInput, variant: JobVariant = 'classic'): CatalogueJob {
  const bodies = jobBodies(input.job);
  if (bodies.length !== 1) {
    throw new CustomJobError(`${input.source}: ${bodies.length === 0 ? 'is not a JSON object with analysis_config' : `holds ${bodies.length} jobs; give one job per file`}`);
  }
  const body = bodies[0];
  const id = typeof body.job_id === 'string' ? body.job_id : input.fallbackId;
  if (!id || !JOB_ID_PATTERN.test(id)) {
    throw new CustomJobError(`${input.source}: job_id ${JSON.stringify(id ?? '')} must be 1-64 lowercase letters, digits, - or _, starting and ending with a letter or digit (or name the file after the job)`);
  }
  const job = checkJob(body, input.source);
  const embedded = isObject(body.datafeed_config) ? body.datafeed_config : undefined;
  const feedBody = input.datafeed ?? embedded ?? { query: { match_all: {} } };
  if (!isObject(feedBody)) throw new CustomJobError(`${input.datafeedSource ?? input.source}: the datafeed is not a JSON object`);
  const datafeed = checkDatafeed(feedBody, input.datafeed ? (input.datafeedSource ?? 'datafeed') : `${input.source} (datafeed)`);
  const ref = (path: string) => ({ repo: 'local', path, commit: '' });
  return {
    id,
    moduleId: CUSTOM_MODULE_ID,
    variant,
    job,
    datafeed: { ...datafeed, job_id: id },
    sources: { job: ref(input.source), datafeed: ref(input.datafeed ? (input.datafeedSource ?? 'datafeed') : input.source) },
  };
}

/** Several custom jobs; a job id given twice is an error. */
export function parseCustomJobs(inputs: JobInput[], variant: JobVariant = 'classic'): CatalogueJob[] {
  const jobs = inputs.map((i) => parseCustomJob(i, variant));
  const seen = new Map<string, string>();
  for (const [i, job] of jobs.entries()) {
    const earlier = seen.get(job.id);
    if (earlier) throw new CustomJobError(`${inputs[i].source}: job id ${job.id} is also the id of ${earlier}; job ids must differ`);
    seen.set(job.id, inputs[i].source);
  }
  return jobs;
}
