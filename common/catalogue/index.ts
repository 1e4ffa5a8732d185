/**
 * The Security ML catalogue: the six modules users ask for, every job Kibana ships in them
 * (classic ids and the 9.4+ `_ea` ids), and the prebuilt ML rules that read their results.
 * Data lives in catalogue.json, built by scripts/build_catalogue.ts from copies of Kibana's files.
 */
import data from './catalogue.json';
import { JOB_ALIASES, MODULE_ALIASES } from './aliases';
import type { Catalogue, CatalogueJob, CatalogueModule, CatalogueRule, JobVariant } from './types';

export * from './types';

export const catalogue = data as unknown as Catalogue;

export const SUPPORTED_MODULE_IDS = catalogue.modules.map((m) => m.id);

const jobsById = new Map(catalogue.jobs.map((j) => [j.id, j]));
const modulesById = new Map(catalogue.modules.map((m) => [m.id, m]));

export function getModule(id: string): CatalogueModule {
  const module = modulesById.get(id);
  if (!module) throw new Error(`Unknown ML module "${id}". Known modules: ${SUPPORTED_MODULE_IDS.join(', ')}`);
  return module;
}

export function getJob(id: string): CatalogueJob {
  const job = jobsById.get(id);
  if (!job) throw new Error(`Unknown ML job "${id}"`);
  return job;
}

export function moduleJobs(moduleId: string, variant: JobVariant): CatalogueJob[] {
  const module = getModule(moduleId);
  return (variant === 'ea' ? module.eaJobIds : module.classicJobIds).map(getJob);
}

/** The prebuilt rules whose machine_learning_job_id names this job. */
export function rulesForJob(jobId: string): CatalogueRule[] {
  return catalogue.rules.filter((r) => ([] as string[]).concat(r.machine_learning_job_id).includes(jobId));
}

/** The job with the same detector in the other id generation (classic <-> _ea), if any. */
export function jobInVariant(jobId: string, variant: JobVariant): CatalogueJob {
  const job = getJob(jobId);
  if (job.variant === variant || !job.twinId) return job;
  const module = getModule(job.moduleId);
  const ids = variant === 'ea' ? module.eaJobIds : module.classicJobIds;
  return ids.includes(job.id) ? job : getJob(job.twinId);
}

export interface Resolution {
  /** Modules asked for whole: all their jobs. */
  moduleIds: string[];
  /** Jobs asked for one by one (their module is generated with just these jobs). */
  jobIds: string[];
  notices: string[];
}

/**
 * Turns what the user typed (module ids, job ids, old names) into real module and job ids.
 * Unknown names are an error that lists what exists.
 */
export function resolveSelection(names: string[], variant: JobVariant): Resolution {
  const out: Resolution = { moduleIds: [], jobIds: [], notices: [] };
  const unknown: string[] = [];
  for (const raw of names.map((n) => n.trim()).filter(Boolean)) {
    let name = raw;
    if (Object.prototype.hasOwnProperty.call(MODULE_ALIASES, name)) {
      out.notices.push(`Module "${raw}" is called "${MODULE_ALIASES[name]}" in Kibana; using that.`);
      name = MODULE_ALIASES[name];
    }
    if (modulesById.has(name)) {
      if (!out.moduleIds.includes(name)) out.moduleIds.push(name);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(JOB_ALIASES, name)) {
      out.notices.push(`Job "${raw}" is "${JOB_ALIASES[name].id}" in Kibana (${JOB_ALIASES[name].why}); using that.`);
      name = JOB_ALIASES[name].id;
    }
    if (jobsById.has(name)) {
      const job = jobInVariant(name, variant);
      if (job.id !== name) out.notices.push(`Job "${name}" is "${job.id}" on this stack version; using that.`);
      if (!out.jobIds.includes(job.id)) out.jobIds.push(job.id);
      continue;
    }
    unknown.push(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  }
  if (unknown.length) {
    throw new Error(`Unknown module or job: ${unknown.join(', ')}. Modules: ${SUPPORTED_MODULE_IDS.join(', ')} (or a job id of one of them).`);
  }
  return out;
}

/** Every job a resolution selects, grouped by module in catalogue order. */
export function selectedJobs(resolution: Resolution, variant: JobVariant): Map<string, CatalogueJob[]> {
  const out = new Map<string, CatalogueJob[]>();
  for (const module of catalogue.modules) {
    const jobs = resolution.moduleIds.includes(module.id)
      ? moduleJobs(module.id, variant)
      : resolution.jobIds.map(getJob).filter((j) => j.moduleId === module.id);
    if (jobs.length) out.set(module.id, jobs);
  }
  return out;
}
