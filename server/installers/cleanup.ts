/**
 * Cleanup: removes exactly what the tool created in a namespace — its data streams
 * (logs-ml_demo.*-<ns>), its index template, the ML jobs carrying its marker for that namespace
 * (with their datafeeds and results), and the rules it created (tagged, or recorded in the
 * template) — and nothing else.
 */
import { dataStreamPattern, indexTemplateName, JOB_MARKER } from '../../common/constants';
import { datafeedId, RULE_TAG } from '../../common/requests';
import { statusOf, toInstallError } from './errors';
import { readTemplateMeta } from './index_template';
import type { CleanupReport, EsClient, InstallDeps } from './types';

const notFound = (e: unknown) => statusOf(e) === 404;

/** ML jobs created by the tool for this namespace. */
export async function ourJobs(es: EsClient, namespace: string): Promise<string[]> {
  const res = await es.ml.getJobs({ allow_no_match: true }).catch((e) => (notFound(e) ? { jobs: [] } : Promise.reject(e)));
  return res.jobs
    .filter((j) => (j.custom_settings as Record<string, { namespace?: string }> | undefined)?.[JOB_MARKER]?.namespace === namespace)
    .map((j) => j.job_id);
}

export async function cleanupDemo(deps: InstallDeps, namespace: string): Promise<CleanupReport> {
  const { es, kibana } = deps;
  const report: CleanupReport = { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [], errors: [] };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      if (!notFound(error)) report.errors.push(toInstallError(error, what).message);
    }
  };
  const meta = await readTemplateMeta(es, namespace).catch(() => undefined);

  if (kibana) {
    await attempt('Deleting rules', async () => {
      const tagged = await kibana.findRules({ tag: RULE_TAG });
      const recorded = meta?.createdRules?.length ? await kibana.findRules({ ruleIds: meta.createdRules }) : [];
      const rules = [...new Map([...tagged, ...recorded].map((r) => [r.id, r])).values()];
      if (rules.length) await kibana.deleteRules(rules.map((r) => r.id));
      report.rules.push(...rules.map((r) => r.rule_id));
    });
  }

  for (const jobId of await ourJobs(es, namespace).catch((e) => (report.errors.push(toInstallError(e, 'Listing ML jobs').message), []))) {
    await attempt(`Stopping datafeed of ${jobId}`, async () => void (await es.ml.stopDatafeed({ datafeed_id: datafeedId(jobId), force: true })));
    await attempt(`Deleting datafeed of ${jobId}`, async () => {
      await es.ml.deleteDatafeed({ datafeed_id: datafeedId(jobId), force: true });
      report.datafeeds.push(datafeedId(jobId));
    });
    await attempt(`Closing job ${jobId}`, async () => void (await es.ml.closeJob({ job_id: jobId, force: true })));
    await attempt(`Deleting job ${jobId}`, async () => {
      // delete_user_annotations and the job's results go with it.
      await es.ml.deleteJob({ job_id: jobId, force: true, wait_for_completion: true });
      report.jobs.push(jobId);
    });
  }
  if (kibana && report.jobs.length) await kibana.syncMlSavedObjects().catch(() => undefined);

  await attempt('Deleting data streams', async () => {
    const res = await es.indices.getDataStream({ name: dataStreamPattern(namespace) });
    const names = res.data_streams.map((d) => d.name);
    if (names.length) await es.indices.deleteDataStream({ name: names });
    report.dataStreams.push(...names);
  });
  if (meta) {
    await attempt('Deleting the index template', async () => {
      await es.indices.deleteIndexTemplate({ name: indexTemplateName(namespace) });
      report.indexTemplates.push(indexTemplateName(namespace));
    });
  }
  return report;
}
