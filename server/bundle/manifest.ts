/** The bundle's manifest: what was generated, where each anomaly is, and how each job verified. */
import type { CatalogueRule } from '../../common/catalogue/types';
import { datafeedId } from '../../common/requests';
import type { Plan } from '../generators/plan';
import type { EngineJobResult } from '../verify/engine_verify';

export interface BundleManifest {
  generator: string;
  options: Plan['options'] & { endIso: string };
  window: { start: string; end: string };
  dataStreams: { name: string; module: string; docs: number; file: string }[];
  /** `start`: where the job's data and datafeed start (the window's start, or earlier for a job that needs a longer history). */
  jobs: { id: string; module: string; function: string; bucketSpan: string; datafeedId: string; start: string; rules: string[] }[];
  rules: { ruleId: string; name: string; jobIds: string[]; anomalyThreshold: number; from: string }[];
  anomalies: {
    job: string;
    module: string;
    function: string;
    bucketStart: string;
    bucketEnd: string;
    scope: Record<string, string>;
    field: string;
    value: string | number;
    description: string;
    events: number;
    rules: { ruleId: string; anomalyThreshold: number; from: string; withinLookback: boolean; alertableUntil: string }[];
    /** With the timeline option: the intrusion's stage (server/generators/timeline.ts). */
    stage?: string;
  }[];
  verify: EngineJobResult[];
  totals: { docs: number; jobs: number; anomalies: number; verified: number; failed: number };
  notices: string[];
  /** Every file of the bundle (relative paths): a later bundle into the same directory replaces exactly these. */
  files?: string[];
}

export function buildManifest(
  plan: Plan,
  docsPerStream: Record<string, number>,
  verify: EngineJobResult[],
  rules: CatalogueRule[],
  files?: string[],
): BundleManifest {
  const iso = (ms: number) => new Date(ms).toISOString();
  const jobs = plan.modules.flatMap((m) => m.jobs.map((j) => ({ module: m, job: j })));
  const anomalies = jobs
    .flatMap(({ job }) => job.anomalies)
    .map((a) => ({
      job: a.jobId,
      module: a.moduleId,
      function: a.function,
      bucketStart: iso(a.bucketStart),
      bucketEnd: iso(a.bucketEnd),
      scope: a.scope,
      field: a.field,
      value: a.value,
      description: a.description,
      events: a.eventCount,
      rules: a.rules.map((r) => ({
        ruleId: r.ruleId,
        anomalyThreshold: r.anomalyThreshold,
        from: r.from,
        withinLookback: r.withinLookback,
        alertableUntil: r.alertableUntil,
      })),
      ...(a.stage ? { stage: a.stage } : {}),
    }));
  return {
    generator: 'ml-demo-data',
    options: { ...plan.options, endIso: iso(plan.options.end) },
    window: { start: iso(plan.start), end: iso(plan.end) },
    dataStreams: plan.modules.map((m) => ({
      name: m.dataStream,
      module: m.moduleId,
      docs: docsPerStream[m.dataStream] ?? 0,
      file: `data/${m.dataStream}.ndjson`,
    })),
    jobs: jobs.map(({ module, job }) => ({
      id: job.job.id,
      module: module.moduleId,
      function: job.job.job.analysis_config.detectors[0].function,
      bucketSpan: job.job.job.analysis_config.bucket_span,
      datafeedId: datafeedId(job.job.id),
      start: iso(job.start),
      rules: job.rules.map((r) => r.rule_id),
    })),
    rules: rules.map((r) => ({
      ruleId: r.rule_id,
      name: r.name,
      jobIds: ([] as string[]).concat(r.machine_learning_job_id),
      anomalyThreshold: r.anomaly_threshold,
      from: r.from,
    })),
    anomalies,
    verify,
    totals: {
      docs: Object.values(docsPerStream).reduce((a, b) => a + b, 0),
      jobs: jobs.length,
      anomalies: anomalies.length,
      verified: verify.filter((v) => v.pass).length,
      failed: verify.filter((v) => !v.pass).length,
    },
    notices: plan.notices,
    ...(files ? { files } : {}),
  };
}
