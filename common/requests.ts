/**
 * Request bodies built from the catalogue, shared by the offline bundle, the installers and the
 * Kibana routes: ML job and datafeed configs for the Elasticsearch ML APIs, and ML detection rules
 * for Kibana's Detection Engine API (2023-10-31).
 */
import type { CatalogueJob, CatalogueRule, MlJobConfig } from './catalogue/types';

/** The tag every rule this tool creates carries, so cleanup finds exactly its own rules. */
export const RULE_TAG = 'ML Demo Data';

/** Body of `PUT _ml/anomaly_detectors/<jobId>`: the job exactly as Kibana ships it. */
export function jobPutBody(job: CatalogueJob): MlJobConfig {
  return JSON.parse(JSON.stringify(job.job)) as MlJobConfig;
}

/** Datafeed id as Kibana's module setup names it (empty prefix). */
export function datafeedId(jobId: string): string {
  return `datafeed-${jobId}`;
}

/** Body of `PUT _ml/datafeeds/datafeed-<jobId>`: Kibana's template with job id and indices filled in. */
export function datafeedPutBody(job: CatalogueJob, indices: string[]): Record<string, unknown> {
  const { job_id: _template, indices: _pattern, ...rest } = JSON.parse(JSON.stringify(job.datafeed)) as Record<string, unknown>;
  return { ...rest, job_id: job.id, indices };
}

/**
 * The rule_id of the custom rule the tool creates when Elastic's prebuilt rule cannot be installed
 * as a prebuilt rule (no prebuilt-rules package, or the package lacks it). Never Elastic's own
 * rule_id: a custom rule holding it would stand in the way of the prebuilt rule (Security's
 * prebuilt-rules install skips a rule_id that exists, and upgrades would treat ours as Elastic's).
 */
export function customRuleId(prebuiltRuleId: string): string {
  return `ml-demo-data-${prebuiltRuleId}`;
}

/**
 * Body of `POST /api/detection_engine/rules`: the prebuilt rule, enabled, for these job ids.
 * `ruleId` overrides the rule_id (the installer passes customRuleId; the bundle keeps Elastic's,
 * which `_import` matches against the prebuilt-rules package).
 */
export function ruleCreateBody(rule: CatalogueRule, enabled = true, ruleId = rule.rule_id): Record<string, unknown> {
  return {
    rule_id: ruleId,
    type: 'machine_learning',
    name: rule.name,
    description: rule.description,
    machine_learning_job_id: rule.machine_learning_job_id,
    anomaly_threshold: rule.anomaly_threshold,
    risk_score: rule.risk_score,
    severity: rule.severity,
    from: rule.from,
    interval: rule.interval,
    enabled,
    tags: [...rule.tags, RULE_TAG],
    references: rule.references,
    threat: rule.threat,
    author: ['Elastic'],
    license: 'Elastic License v2',
    ...(rule.note ? { note: rule.note } : {}),
    ...(rule.version ? { version: rule.version } : {}),
  };
}

