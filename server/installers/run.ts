/**
 * One run: preflight → plan → index → jobs → datafeeds → rules → read-back. The CLI and the
 * Kibana routes both call this; it reports the whole RunProgress at every step. A run that
 * stops part-way says what it created and how to remove it.
 */
import { randomUUID } from 'node:crypto';
import { dataStreamPattern, indexTemplateName } from '../../common/constants';
import type { JobProgress, PhaseId, RunProgress } from '../../common/api';
import { buildPlan, type ModulePlan, type Plan } from '../generators/plan';
import { OptionsError } from '../generators/options';
import { ONBOARDING } from '../generators/phase';
import { hourOfWeek, parseLookback, TICK } from '../generators/time';
import { cleanupDemo } from './cleanup';
import { InstallError, statusOf, toInstallError } from './errors';
import { putTemplate, readTemplateMeta, templateState } from './index_template';
import { indexModule, planFingerprint } from './indexer';
import { closeJob, createJobs, existingJobs, jobMarkers, jobProgress, maxRecordScore, startJob } from './ml_jobs';
import { preflight } from './preflight';
import { installRules } from './rules';
import { mlNodesMemory, planWaves, sizeJobs, type JobSize } from './sizing';
import type { InstallDeps, InstallOptions, ProgressListener } from './types';
import { TIMELINE_STAGES } from '../../common/options';

const iso = (ms: number) => new Date(ms).toISOString();

/** Documents the plan will produce, from the lanes' rates (people work every day while onboarding). */
export function expectedDocs(plan: Plan): number {
  return Math.round(plan.modules.reduce((sum, m) => sum + expectedModuleDocs(plan, m), 0));
}

/** The same for one module (not rounded): the parallel generator balances its threads with it. */
export function expectedModuleDocs(plan: Plan, m: ModulePlan): number {
  let total = m.injections.length;
  for (const { lane, laneStart: start } of m.jobs) {
    for (let t = start; t < plan.end; t += TICK) {
      const rates = t < start + ONBOARDING && lane.onboarding ? lane.onboarding.ratePerTick : lane.ratePerTick;
      total += rates[hourOfWeek(t)];
    }
  }
  return total;
}

/** Kibana schedules manual rule runs (backfills) over the past 90 days only, and none in the future. */
export const MAX_MANUAL_RUN_LOOKBACK_MS = 90 * 24 * 3600_000;
/** Kept inside that limit: Kibana checks it again a little later (its own gap fill keeps 5 minutes, kibana#256507). */
const LOOKBACK_MARGIN_MS = 5 * 60_000;

/**
 * The range of the manual rule run for anomalies outside their rules' look-back: from an hour
 * before the earliest such anomaly's bucket to the end of the data, within what Kibana's
 * validateBackfillSchedule accepts (x-pack/platform/plugins/shared/alerting/common/lib/validate_backfill_schedule.ts:
 * start at most 90 days ago, end after start, nothing in the future). Undefined when nothing is left.
 */
export function manualRunRange(plan: Pick<Plan, 'start' | 'end'>, bucketStarts: number[], now: number): { start: number; end: number } | undefined {
  if (!bucketStarts.length) return undefined;
  const start = Math.max(plan.start, Math.min(...bucketStarts) - 3600_000, now - MAX_MANUAL_RUN_LOOKBACK_MS + LOOKBACK_MARGIN_MS);
  const end = Math.min(plan.end, now);
  return end > start && Math.max(...bucketStarts) >= start && Math.max(...bucketStarts) < end ? { start, end } : undefined;
}

/**
 * Rules whose anomaly record is outside their look-back: counted from the end of the data (as the
 * plan says), or, for a re-based load, from `now` with every bucket moved by `shift`.
 */
export function lateRules(plan: Plan, shift = 0, now?: number): string[] {
  return plan.modules.flatMap((m) =>
    m.jobs.flatMap((j) =>
      j.anomalies.flatMap((a) =>
        a.rules.filter((r) => (now === undefined ? !r.withinLookback : a.bucketStart + shift < now - parseLookback(r.from))).map((r) => r.ruleId),
      ),
    ),
  );
}

/** Kibana runs rules manually (the Detection Engine's bulk action `run`, the rules client's scheduleBackfill) from 8.16. */
export const MANUAL_RUN_SINCE = { major: 8, minor: 16 } as const;

export function canRunRulesManually(kibanaVersion: string | undefined): boolean {
  const [major, minor] = (kibanaVersion ?? '').split('.').map(Number);
  return major > MANUAL_RUN_SINCE.major || (major === MANUAL_RUN_SINCE.major && minor >= MANUAL_RUN_SINCE.minor);
}

/**
 * Whether a run keeps the timeline option (common/options.ts): its earlier anomalies alert only
 * through a manual rule run, so a run that installs rules on a Kibana without manual runs places
 * every anomaly in the last buckets instead (the scheduled runs see those). Without rules (no
 * Kibana, or installRules false) the timeline stays: Anomaly Explorer tells the story. The live
 * route and live mode ask the same question, so their base plan is the run's.
 */
export function keepsTimeline(
  options: Pick<InstallOptions, 'timeline' | 'installRules'>,
  kibana: { version?: string; runRules: boolean } | undefined,
): boolean {
  if (!options.timeline) return false;
  if (options.installRules === false || !kibana) return true;
  return kibana.runRules && canRunRulesManually(kibana.version);
}

export function cleanupHintFor(namespace: string): string {
  return `Remove what this run created with: ml-demo-data cleanup --namespace ${namespace} (or "Clean up" on the Generate ML demo data page).`;
}

/**
 * Before anything is written: the namespace's template, its data streams and the jobs must be the
 * tool's or absent. ML job ids are cluster-wide and the prebuilt rules look for those exact ids,
 * so the demo lives in one namespace at a time; a second namespace's run is refused with what to do.
 */
export async function refuseCollisions(deps: Pick<InstallDeps, 'es'>, plan: Plan, withJobs: boolean): Promise<void> {
  const { es } = deps;
  const namespace = plan.options.namespace;
  const fail = (message: string) => new InstallError(message, 409, 'conflict');
  let template;
  try {
    template = await templateState(es, namespace);
  } catch (error) {
    throw toInstallError(error, 'Reading the index template');
  }
  if (template.kind === 'foreign') {
    throw fail(
      `Index template ${indexTemplateName(namespace)} exists and was not created by ml-demo-data; choose another namespace (--namespace) or remove that template.`,
    );
  }
  const recorded = template.kind === 'ours' ? (template.meta.dataStreams ?? []) : [];
  let streams: { name: string; template?: string }[] = [];
  try {
    streams = (await es.indices.getDataStream({ name: dataStreamPattern(namespace) })).data_streams;
  } catch (error) {
    if (statusOf(error) !== 404) throw toInstallError(error, 'Listing data streams');
  }
  const planned = plan.modules.map((m) => m.dataStream);
  const foreign = streams.filter((d) => planned.includes(d.name) && !(recorded.includes(d.name) && d.template === indexTemplateName(namespace)));
  if (foreign.length) {
    throw fail(
      `Data stream ${foreign.map((d) => d.name).join(', ')} exists and was not created by ml-demo-data; choose another namespace (--namespace) so the demo does not write into it.`,
    );
  }
  if (!withJobs) return;
  let markers;
  try {
    markers = await jobMarkers(
      es,
      plan.modules.flatMap((m) => m.jobs.map((j) => j.job.id)),
    );
  } catch (error) {
    throw toInstallError(error, 'Listing ML jobs');
  }
  const elsewhere = [...markers].filter(([, m]) => m?.namespace !== undefined && m.namespace !== namespace);
  if (elsewhere.length) {
    const other = elsewhere[0][1]!.namespace!;
    const ids = elsewhere.map(([id]) => id);
    throw fail(
      `ML job${ids.length > 1 ? 's' : ''} ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''} already belong${ids.length > 1 ? '' : 's'} to the demo in namespace "${other}" ` +
        `(job ids are cluster-wide and the prebuilt rules look for these ids, so the demo runs in one namespace at a time): ` +
        `run "ml-demo-data cleanup --namespace ${other}" first, or use --namespace ${other}.`,
    );
  }
}

export async function runInstall(deps: InstallDeps, options: InstallOptions, onProgress: ProgressListener, signal?: AbortSignal): Promise<RunProgress> {
  const { es, kibana } = deps;
  const namespace = options.namespace ?? 'default';
  const now = () => new Date().toISOString();
  const progress: RunProgress = {
    runId: options.runId ?? randomUUID(),
    space: deps.space ?? 'default',
    state: 'running',
    phase: 'preflight',
    startedAt: now(),
    updatedAt: now(),
    request: { modules: options.modules, namespace },
    docs: { planned: 0, generated: 0, indexed: 0, failed: 0 },
    dataStreams: [],
    jobs: [],
    rules: [],
    notices: [],
    errors: [],
    created: { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [] },
  };
  const emit = (phase?: PhaseId) => {
    if (phase) progress.phase = phase;
    progress.updatedAt = now();
    onProgress(JSON.parse(JSON.stringify(progress)) as RunProgress);
  };
  const checkAbort = () => {
    if (signal?.aborted) throw new InstallError('The run was cancelled.', 499, 'cancelled');
  };
  const job = (id: string) => progress.jobs.find((j) => j.jobId === id)!;
  emit();

  const stack = await preflight(es, kibana, namespace, deps.stack);
  progress.notices.push(
    `Elasticsearch ${stack.esVersion}${stack.kibanaVersion ? `, Kibana ${stack.kibanaVersion}` : ''}: ${stack.variant === 'ea' ? '9.4+ (_ea)' : 'classic'} job ids.`,
  );

  let timeline = options.timeline;
  if (options.timeline && !keepsTimeline(options, kibana && { version: stack.kibanaVersion, runRules: Boolean(kibana.runRules) })) {
    const why = `Kibana ${stack.kibanaVersion ?? ''} cannot run rules manually (${MANUAL_RUN_SINCE.major}.${MANUAL_RUN_SINCE.minor}+)`;
    if (options.documents) {
      // A bundle's documents are its plan's: the timeline stays, and its earlier anomalies do not alert.
      progress.notices.push(
        `Timeline: ${why}, so only the anomalies inside their rules' look-back will alert; the others are in Anomaly Explorer. Write the bundle without --timeline for this stack.`,
      );
    } else {
      timeline = false;
      progress.notices.push(`Timeline: ${why}, so every anomaly goes to the last buckets as without --timeline, where the rules' scheduled runs see them.`);
    }
  }

  let plan: Plan;
  try {
    plan = buildPlan({ ...options, timeline, variant: options.variant ?? stack.variant });
  } catch (error) {
    throw error instanceof OptionsError ? new InstallError(error.message, 400, 'bad_request') : error;
  }
  await refuseCollisions(deps, plan, options.enableJobs !== false);
  // A re-based load (bundle.ts: load) moves every time of the plan by `shiftMs`.
  const shift = options.shiftMs ?? 0;
  const start = plan.start + shift;
  const end = plan.end + shift;
  progress.notices.push(...plan.notices);
  progress.window = { start: iso(start), end: iso(end) };
  progress.docs.planned = expectedDocs(plan);
  progress.dataStreams = plan.modules.map((m) => m.dataStream);
  progress.jobs = plan.modules.flatMap((m) =>
    m.jobs.map((j): JobProgress => {
      const a = j.anomalies[0];
      const rule = j.rules[0];
      return {
        jobId: j.job.id,
        moduleId: m.moduleId,
        function: j.job.job.analysis_config.detectors[0].function,
        state: 'pending',
        anomaly: { bucketStart: iso(a.bucketStart + shift), description: a.description, scope: a.scope, value: a.value },
        maxRecordScore: null,
        ruleId: rule?.rule_id,
        ruleName: rule?.name,
        ruleThreshold: rule?.anomaly_threshold,
      };
    }),
  );
  emit('plan');

  try {
    // A different earlier demo in this namespace is replaced; an identical one is resumed.
    const fingerprint = planFingerprint(plan, shift);
    // Sized for the cluster before anything is written (sizing.ts): limits from the demo's data,
    // waves when they do not fit, one sentence when there is no ML capacity.
    let waves: string[][] | undefined;
    let sizes: Map<string, JobSize> | undefined;
    if (options.enableJobs !== false && options.sizeJobs !== false) {
      const existing = await existingJobs(
        es,
        progress.jobs.map((j) => j.jobId),
      );
      sizes = await sizeJobs(es, plan);
      const nodes = await mlNodesMemory(es);
      // Jobs someone else made stay as they are; ours (this demo or an earlier one it replaces) are opened.
      const toOpen = progress.jobs.filter((j) => existing.get(j.jobId) !== null);
      if (nodes) {
        const w = planWaves(
          toOpen.map((j) => ({ jobId: j.jobId, limitMb: sizes!.get(j.jobId)!.limitMb })),
          nodes,
        );
        waves = w.waves;
        const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
        progress.notices.push(
          w.waves.length > 1
            ? `ML memory: the demo's ${toOpen.length} jobs need ${mb(w.needBytes)} at once and the ML nodes have ${mb(w.freeBytes)} free: they run in ${w.waves.length} waves (each wave is closed once it has processed the data; results stay).`
            : `ML memory: the demo's ${toOpen.length} jobs need ${mb(w.needBytes)}; the ML nodes have ${mb(w.freeBytes)} free.`,
        );
      }
    }
    const meta = await readTemplateMeta(es, namespace);
    if (meta?.fingerprint && meta.fingerprint !== fingerprint) {
      progress.notices.push(`Replacing the earlier demo in namespace "${namespace}" (different options or time window).`);
      const removed = await cleanupDemo(deps, namespace);
      if (removed.errors.length) throw new InstallError(`Could not remove the earlier demo: ${removed.errors.join('; ')}`, 409, 'conflict');
    }
    // Recorded before the first document: a run killed part-way still leaves a record cleanup can use.
    const same = meta?.fingerprint === fingerprint;
    const dataStreams = [...new Set([...(same ? (meta?.dataStreams ?? []) : []), ...plan.modules.map((m) => m.dataStream)])];
    progress.created.indexTemplates.push(await putTemplate(es, plan, { fingerprint, dataStreams, createdRules: same ? meta?.createdRules : [] }));
    emit('index');

    for (const module of plan.modules) {
      checkAbort();
      progress.created.dataStreams.push(module.dataStream);
      const base = { ...progress.docs };
      const counts = await indexModule(es, plan, module, {
        source: options.documents && (() => options.documents!(module)),
        fingerprint,
        chunkSize: options.chunkSize ?? 5000,
        concurrency: options.concurrency ?? 4,
        retryWaitMs: options.retryWaitMs,
        signal,
        onProgress: (_id, c) => {
          progress.docs.generated = base.generated + c.sent;
          progress.docs.indexed = base.indexed + c.indexed + c.present;
          progress.docs.failed = base.failed + c.failed;
          emit();
        },
      }).catch((error) => {
        throw toInstallError(error, `Indexing into ${module.dataStream}`);
      });
      progress.docs.generated = base.generated + counts.sent;
      progress.docs.indexed = base.indexed + counts.indexed + counts.present;
      progress.docs.failed = base.failed + counts.failed;
      if (counts.failed) progress.errors.push(`${counts.failed} documents of ${module.dataStream} were rejected: ${JSON.stringify(counts.failures)}`);
      emit();
    }
    checkAbort();

    if (options.enableJobs !== false) {
      emit('jobs');
      const existing = await existingJobs(
        es,
        progress.jobs.map((j) => j.jobId),
      );
      const limits = sizes && new Map([...sizes].map(([id, s]) => [id, s.limitMb]));
      for (const module of plan.modules) {
        checkAbort();
        for (const outcome of await createJobs(es, kibana, plan, module, existing, fingerprint, limits)) {
          const j = job(outcome.jobId);
          const ours = outcome.state === 'created' || (outcome.state === 'existing' && existing.get(outcome.jobId) === fingerprint);
          j.state = outcome.state === 'failed' ? 'failed' : ours ? 'created' : 'existing';
          if (outcome.error) j.error = outcome.error;
          if (outcome.warning && !progress.notices.includes(outcome.warning)) progress.notices.push(outcome.warning);
          if (outcome.state === 'existing' && !ours)
            progress.notices.push(
              `Job ${outcome.jobId} already exists and was not created by this tool: left as it is; it does not read the demo data, so no score is reported for it.`,
            );
          if (outcome.state === 'created') {
            progress.created.jobs.push(outcome.jobId);
            progress.created.datafeeds.push(`datafeed-${outcome.jobId}`);
          }
        }
        emit();
      }
      emit('datafeeds');
      const created = progress.jobs.filter((j) => j.state === 'created');
      const inWave = new Map((waves ?? []).flatMap((w, i) => w.map((id) => [id, i] as const)));
      const waveCount = waves?.length ?? 1;
      for (let w = 0; w < waveCount; w++) {
        const ours = created.filter((j) => (inWave.get(j.jobId) ?? 0) === w);
        for (const j of ours) {
          checkAbort();
          try {
            // A job that needs a longer history starts its datafeed where its own data starts.
            const jobStart = (plan.modules.flatMap((m) => m.jobs).find((jp) => jp.job.id === j.jobId)?.start ?? plan.start) + shift;
            await startJob(es, j.jobId, jobStart, end);
            j.state = 'running';
          } catch (error) {
            j.state = 'failed';
            j.error = toInstallError(error, `Starting ${j.jobId}`).message;
          }
        }
        emit();
        const deadline = Date.now() + (options.waitTimeoutMs ?? 15 * 60_000);
        while (ours.some((j) => j.state === 'running')) {
          checkAbort();
          if (Date.now() > deadline) {
            progress.errors.push('Timed out waiting for the datafeeds; they keep running in the stack. Check again with ml-demo-data status.');
            break;
          }
          for (const j of ours.filter((x) => x.state === 'running')) {
            const p = await jobProgress(es, j.jobId, end);
            if (p.processedUntil) j.processedUntil = iso(p.processedUntil);
            if (p.failed) {
              j.state = 'failed';
              j.error = p.failed;
            } else if (p.done) j.state = 'processed';
          }
          emit();
          if (ours.some((j) => j.state === 'running')) await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
        }
        if (ours.some((j) => j.state === 'running')) break;
        // The next wave needs this one's memory.
        if (w < waveCount - 1)
          for (const j of ours.filter((x) => x.state === 'processed'))
            await closeJob(es, j.jobId).catch((e) => progress.notices.push(toInstallError(e, `Closing ${j.jobId}`).message));
      }
    }
    checkAbort();

    if (options.installRules !== false && kibana) {
      emit('rules');
      const rules = plan.modules.flatMap((m) => m.jobs.flatMap((j) => j.rules));
      const outcomes = await installRules(kibana, rules, progress.notices);
      progress.rules = outcomes.map((o) => ({
        ruleId: o.ruleId,
        ...(o.prebuiltRuleId ? { prebuiltRuleId: o.prebuiltRuleId } : {}),
        name: o.name,
        id: o.id,
        state: o.state,
        error: o.error,
      }));
      const created = outcomes.filter((o) => o.createdByUs).map((o) => o.ruleId);
      progress.created.rules.push(...created);
      await putTemplate(es, plan, { fingerprint, dataStreams, createdRules: [...new Set([...(same ? (meta?.createdRules ?? []) : []), ...created])] });
      for (const o of outcomes.filter((x) => x.error)) progress.errors.push(o.error!);
      // Records outside a rule's look-back would only alert on a manual run over them.
      // (For a re-based load, counted from now with every bucket moved by the shift.)
      const nowMs = Date.now();
      const late = plan.modules.flatMap((m) =>
        m.jobs.flatMap((j) =>
          j.anomalies.flatMap((a) =>
            a.rules
              .filter((r) => (options.shiftMs === undefined ? !r.withinLookback : a.bucketStart + shift < nowMs - parseLookback(r.from)))
              .map((r) => ({ ruleId: r.ruleId, bucketStart: a.bucketStart + shift, stage: a.stage })),
          ),
        ),
      );
      const lateRules = outcomes.filter((o) => o.id && o.state !== 'failed' && late.some((l) => l.ruleId === (o.prebuiltRuleId ?? o.ruleId)));
      const range = lateRules.length
        ? manualRunRange(
            { start: plan.dataStart + shift, end },
            late.map((l) => l.bucketStart),
            nowMs,
          )
        : undefined;
      if (lateRules.length && !range)
        progress.notices.push(
          `Manual rule run not possible: the anomalies outside their rules' look-back are not in the past 90 days (Kibana runs rules manually over the past 90 days only).`,
        );
      if (range && kibana.runRules) {
        // With the timeline, each rule with its story's stage (the earliest of its anomalies').
        const stageOf = (o: (typeof lateRules)[number]) => {
          const stages = late.filter((l) => l.ruleId === (o.prebuiltRuleId ?? o.ruleId) && l.stage).map((l) => TIMELINE_STAGES.indexOf(l.stage!));
          return stages.length ? ` (${TIMELINE_STAGES[Math.min(...stages)]})` : '';
        };
        const names = lateRules.map((o) => `${o.name}${stageOf(o)}`).join(', ');
        try {
          const { errors } = await kibana.runRules(
            lateRules.map((o) => o.id!),
            iso(range.start),
            iso(range.end),
          );
          if (errors.length < lateRules.length)
            progress.notices.push(
              `Manual rule run scheduled over ${iso(range.start)} .. ${iso(range.end)} for ${names} (their anomalies are outside the rules' look-back).`,
            );
          for (const e of errors) progress.notices.push(`Manual rule run not possible: ${e}`);
        } catch (e) {
          progress.notices.push(`Manual rule run not possible: ${toInstallError(e, 'Manual rule run').message}`);
        }
      } else if (range) {
        progress.notices.push(
          `Rules ${lateRules.map((o) => o.name).join(', ')} will not alert on their anomalies (outside their look-back) and this Kibana cannot run them manually.`,
        );
      }
      emit();
    } else if (options.installRules !== false) {
      progress.notices.push('Rules were not installed: no Kibana connection (set KIBANA_URL).');
    }

    if (options.enableJobs !== false) {
      emit('readback');
      // Only jobs that read this run's data: someone else's job of the same id reads other data.
      for (const j of progress.jobs.filter((x) => x.state === 'processed')) {
        j.maxRecordScore = await maxRecordScore(es, j.jobId).catch(() => null);
        j.detected = j.maxRecordScore !== null && j.ruleThreshold !== undefined ? j.maxRecordScore >= j.ruleThreshold : undefined;
      }
    }
    progress.state = progress.errors.length || progress.jobs.some((j) => j.state === 'failed') ? 'failed' : 'succeeded';
    if (progress.state === 'failed') progress.cleanupHint = cleanupHintFor(namespace);
    emit('done');
    return progress;
  } catch (error) {
    const e = toInstallError(error, 'The run');
    progress.state = e.reason === 'cancelled' ? 'cancelled' : 'failed';
    progress.errors.push(e.message);
    progress.cleanupHint = cleanupHintFor(namespace);
    emit();
    return progress;
  }
}
