/**
 * `--from-stack`: a job that already exists in the cluster as the recipe — its configuration and
 * its datafeed read with `GET _ml/anomaly_detectors/<ids>` and `GET _ml/datafeeds`, then checked
 * and generated like a job file (parse.ts). Only reads: nothing in the cluster is changed.
 */
import type { JobInput } from './parse';
import { CustomJobError } from './parse';

/** The part of the Elasticsearch client this needs (the official client's ml namespace). */
export interface MlReader {
  ml: {
    getJobs(params: { job_id: string; allow_no_match?: boolean }): Promise<{ jobs: Record<string, unknown>[] }>;
    getDatafeeds(params: { allow_no_match?: boolean }): Promise<{ datafeeds: Record<string, unknown>[] }>;
  };
}

/** The datafeed fields Elasticsearch answers but does not take back in PUT _ml/datafeeds. */
const READ_ONLY_DATAFEED = ['datafeed_id', 'authorization', 'state'];

export async function readStackJobs(es: MlReader, ids: readonly string[], where: string): Promise<JobInput[]> {
  const found = new Map<string, Record<string, unknown>>();
  try {
    for (const job of (await es.ml.getJobs({ job_id: ids.join(','), allow_no_match: true })).jobs) found.set(String(job.job_id), job);
  } catch (error) {
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status !== 404) throw new CustomJobError(`--from-stack: cannot read the jobs from ${where} (${status ? `HTTP ${status}` : (error as Error).message})`);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new CustomJobError(`--from-stack: ${missing.map((m) => JSON.stringify(m)).join(', ')} ${missing.length === 1 ? 'is not a job' : 'are not jobs'} in ${where}`);
  const feeds = (await es.ml.getDatafeeds({ allow_no_match: true })).datafeeds;
  return ids.map((id) => {
    const feed = feeds.find((f) => f.job_id === id);
    const datafeed = feed ? Object.fromEntries(Object.entries(feed).filter(([k]) => !READ_ONLY_DATAFEED.includes(k))) : undefined;
    return { job: found.get(id), source: `job ${id} in ${where}`, datafeed, datafeedSource: feed ? `datafeed ${String(feed.datafeed_id)} in ${where}` : undefined };
  });
}
