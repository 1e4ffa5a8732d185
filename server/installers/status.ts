/** What of the demo exists in a stack: the tool's jobs and data streams (by its records) and their document counts. */
import { ourDataStreams, ourJobs } from './cleanup';
import { readTemplateMeta } from './index_template';
import { existingJobs } from './ml_jobs';
import type { EsClient } from './types';

export async function installedJobIds(es: EsClient, jobIds: string[]): Promise<Set<string>> {
  return new Set((await existingJobs(es, jobIds)).keys());
}

export interface DemoStatus {
  namespace: string;
  fingerprint?: string;
  dataStreams: { name: string; docs: number }[];
  jobs: { id: string; state: string; processedRecords: number; latest?: string }[];
}

export async function demoStatus(es: EsClient, namespace: string): Promise<DemoStatus> {
  const ids = await ourJobs(es, namespace); // checks the namespace first
  const meta = await readTemplateMeta(es, namespace);
  const names = await ourDataStreams(es, namespace, meta);
  const dataStreams = await Promise.all(names.map(async (name) => ({ name, docs: (await es.count({ index: name })).count })));
  const stats = ids.length ? (await es.ml.getJobStats({ job_id: ids.join(',') })).jobs : [];
  return {
    namespace,
    fingerprint: meta?.fingerprint,
    dataStreams,
    jobs: stats.map((s) => ({
      id: s.job_id, state: s.state, processedRecords: s.data_counts.processed_record_count ?? 0,
      latest: s.data_counts.latest_record_timestamp ? new Date(Number(s.data_counts.latest_record_timestamp)).toISOString() : undefined,
    })),
  };
}
