/**
 * Cleanup: removes what the tool recorded as created in a namespace, and nothing else. Names alone
 * never decide (a user's `logs-ml_demo.mine-default` matches the tool's naming); each kind of
 * artifact is removed only when its own record says it is the tool's:
 *
 * - index template `ml-demo-data-<ns>`: only when its `_meta.ml_demo_data.managed_by` is the tool;
 * - data streams: only those the template's `_meta` lists and that were created from that template;
 * - ML jobs: only those whose `custom_settings.ml_demo_data.namespace` is this namespace, with the
 *   datafeeds that belong to those jobs (looked up by job id, not guessed from a name);
 * - rules: only rule_ids the template's `_meta` lists as created by the tool that still carry its
 *   tag (or are Elastic's prebuilt rules the tool installed).
 *
 * The namespace is checked before any call: it goes into names and patterns.
 */
import { dataStreamPattern, indexTemplateName, JOB_MARKER } from '../../common/constants';
import { assertOption } from '../../common/options';
import { RULE_TAG } from '../../common/requests';
import { InstallError, statusOf, toInstallError } from './errors';
import { templateState, type TemplateMeta } from './index_template';
import type { CleanupReport, EsClient, InstallDeps } from './types';

const notFound = (e: unknown) => statusOf(e) === 404;

/** Throws a 400 InstallError unless the namespace is a valid one (it is used in names and patterns). */
export function checkNamespace(namespace: unknown): asserts namespace is string {
  try {
    assertOption('namespace', namespace);
  } catch (error) {
    throw new InstallError((error as Error).message, 400, 'bad_request');
  }
}

/** ML jobs created by the tool for this namespace. */
export async function ourJobs(es: EsClient, namespace: string): Promise<string[]> {
  checkNamespace(namespace);
  const res = await es.ml.getJobs({ allow_no_match: true }).catch((e) => (notFound(e) ? { jobs: [] } : Promise.reject(e)));
  return res.jobs
    .filter((j) => (j.custom_settings as Record<string, { namespace?: string }> | undefined)?.[JOB_MARKER]?.namespace === namespace)
    .map((j) => j.job_id);
}

/** The data streams of the namespace the tool created: recorded in its template and made from it. */
export async function ourDataStreams(es: EsClient, namespace: string, meta: TemplateMeta | undefined): Promise<string[]> {
  checkNamespace(namespace);
  const recorded = meta?.dataStreams ?? [];
  if (!recorded.length) return [];
  // Listed through the naming pattern (explicit names would 404 as soon as one is gone); the record decides.
  const res = await es.indices.getDataStream({ name: dataStreamPattern(namespace) }).catch((e) => (notFound(e) ? { data_streams: [] } : Promise.reject(e)));
  return res.data_streams.filter((d) => recorded.includes(d.name) && d.template === indexTemplateName(namespace)).map((d) => d.name);
}

export async function cleanupDemo(deps: InstallDeps, namespace: string): Promise<CleanupReport> {
  checkNamespace(namespace);
  const { es, kibana } = deps;
  const report: CleanupReport = { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [], errors: [] };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      if (!notFound(error)) report.errors.push(toInstallError(error, what).message);
    }
  };
  const template = await templateState(es, namespace).catch((e) => (report.errors.push(toInstallError(e, 'Reading the index template').message), undefined));
  const meta = template?.kind === 'ours' ? template.meta : undefined;

  if (kibana && meta?.createdRules?.length) {
    await attempt('Deleting rules', async () => {
      const recorded = await kibana.findRules({ ruleIds: meta.createdRules });
      const rules = recorded.filter((r) => meta.createdRules!.includes(r.rule_id) && (r.tags.includes(RULE_TAG) || r.immutable));
      if (rules.length) await kibana.deleteRules(rules.map((r) => r.id));
      report.rules.push(...rules.map((r) => r.rule_id));
    });
  }

  const jobs = await ourJobs(es, namespace).catch((e) => (report.errors.push(toInstallError(e, 'Listing ML jobs').message), [] as string[]));
  const feeds = jobs.length
    ? await es.ml.getDatafeeds({ allow_no_match: true }).then(
        (r) => r.datafeeds.filter((d) => jobs.includes(d.job_id)),
        (e) => (notFound(e) ? [] : (report.errors.push(toInstallError(e, 'Listing datafeeds').message), [])),
      )
    : [];
  for (const jobId of jobs) {
    for (const feed of feeds.filter((d) => d.job_id === jobId)) {
      await attempt(`Stopping datafeed ${feed.datafeed_id}`, async () => void (await es.ml.stopDatafeed({ datafeed_id: feed.datafeed_id, force: true })));
      await attempt(`Deleting datafeed ${feed.datafeed_id}`, async () => {
        await es.ml.deleteDatafeed({ datafeed_id: feed.datafeed_id, force: true });
        report.datafeeds.push(feed.datafeed_id);
      });
    }
    await attempt(`Closing job ${jobId}`, async () => void (await es.ml.closeJob({ job_id: jobId, force: true })));
    await attempt(`Deleting job ${jobId}`, async () => {
      // delete_user_annotations and the job's results go with it.
      await es.ml.deleteJob({ job_id: jobId, force: true, wait_for_completion: true });
      report.jobs.push(jobId);
    });
  }
  if (kibana && report.jobs.length) await kibana.syncMlSavedObjects().catch(() => undefined);

  await attempt('Deleting data streams', async () => {
    const names = await ourDataStreams(es, namespace, meta);
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
