/**
 * The plan: everything about a demo decided up front from the options and the seed — time
 * window, each module's world and lanes, and where each job's headline anomaly goes. Streams,
 * the verifier and the bundle all read the same plan.
 */
import { resolveSelection, rulesForJob, selectedJobs, type CatalogueJob, type CatalogueRule } from '../../common/catalogue';
import { familyOf } from '../engine/registry';
import { shapeAnomaly, type Incident, type InjectedEvent } from './anomalies';
import type { Entity, EntityKind } from './entities';
import { buildLane, compileLane, type Lane } from './lanes';
import { OptionsError, resolveOptions, type GenerateOptions, type ResolvedOptions } from './options';
import { getProfile, type ModuleProfile } from './profiles';
import { Random } from './random';
import { DAY, floorTo, HOUR, MINUTE, parseDuration, parseLookback, TICK } from './time';
import { THEMES } from './vocabulary';
import { buildWorld, poolOf, type World } from './world';

/** Baseline every anomaly has before it: rare needs 20+ buckets, change-point tests need days. */
export const MIN_HISTORY_BEFORE_ANOMALY = 2 * DAY;

/** History a partitioned rare job needs for a 75 rule (engine model: ~45 days at the lanes' density). */
export const PARTITIONED_RARE_DAYS = 45;

export interface RuleReach {
  ruleId: string;
  name: string;
  anomalyThreshold: number;
  from: string;
  /** True when the anomaly's record (timestamped at its bucket start) is inside the rule's look-back counted from the end of the data. */
  withinLookback: boolean;
  /** Latest time the rule's scheduled run still sees the record. */
  alertableUntil: string;
}

export interface AnomalyPlan {
  jobId: string;
  moduleId: string;
  function: string;
  ordinal: number;
  bucketStart: number;
  bucketEnd: number;
  scope: Record<string, string>;
  field: string;
  value: string | number;
  description: string;
  eventCount: number;
  rules: RuleReach[];
}

export interface JobPlan {
  job: CatalogueJob;
  bucketSpan: number;
  lane: Lane;
  rules: CatalogueRule[];
  anomalies: AnomalyPlan[];
}

export interface ModulePlan {
  moduleId: string;
  profile: ModuleProfile;
  dataStream: string;
  world: World;
  jobs: JobPlan[];
  /** Anomaly events, sorted by time. */
  injections: InjectedEvent[];
  /** Every field value that only anomaly events carry (the never-seen values). */
  injectedValues: Set<string>;
}

export interface Plan {
  options: ResolvedOptions;
  start: number;
  end: number;
  modules: ModulePlan[];
  notices: string[];
}

/** The data ends on the 15-minute grid so every bucket of every job ends inside it. */
export function dataWindow(options: ResolvedOptions): { start: number; end: number } {
  const end = floorTo(options.end, TICK);
  return { start: end - options.historyDays * DAY, end };
}

/** Last bucket that lies fully inside the data, `ordinal` steps back (at least 2 hours apart). */
export function anomalyBucket(end: number, span: number, ordinal: number): number {
  const last = floorTo(end, span) - span;
  const step = Math.max(span, 2 * HOUR);
  return floorTo(last - ordinal * step, span);
}

function ruleReach(rule: CatalogueRule, bucketStart: number, end: number): RuleReach {
  const lookback = parseLookback(rule.from);
  return {
    ruleId: rule.rule_id, name: rule.name, anomalyThreshold: rule.anomaly_threshold, from: rule.from,
    withinLookback: bucketStart >= end - lookback,
    alertableUntil: new Date(bucketStart + lookback).toISOString(),
  };
}

/**
 * Live mode (server/live): incident `round` (1, 2, …) of a demo whose base plan ended at `baseEnd`.
 * The world stays the base plan's (the night owls' time zones are set from `baseEnd`), the incident
 * takes other entities (rotated by round) and never-seen values no earlier round used.
 */
export interface LiveRound {
  round: number;
  baseEnd: number;
}

/** Distance on the engine's time-of-day line (00:00..24:00 UTC) from `hour` to a person's office day. */
function officeDistance(user: Entity, hour: number): number {
  const a = (((8 - (user.utcOffset ?? 0)) % 24) + 24) % 24;
  const spans = a + 10 <= 24 ? [[a, a + 10]] : [[a, 24], [0, a + 10 - 24]];
  return Math.min(...spans.map(([lo, hi]) => Math.max(0, lo - hour, hour - hi)));
}

/** Picks the people and machines of the module's incident, and sets the night owls' time zones. */
function planIncident(world: World, jobs: CatalogueJob[], end: number, anomaliesPerJob: number, shared: Incident['shared'], live?: LiveRound): Incident {
  const users = poolOf(world, 'user').entities;
  const humans = users.filter((u) => u.human);
  const forced: Partial<Record<EntityKind, Entity>> = {};
  const timeOfDayUsers: Entity[] = [];
  const todJob = jobs.find((j) => j.job.analysis_config.detectors[0].function === 'time_of_day');
  if (todJob) {
    const span = parseDuration(todJob.job.analysis_config.bucket_span);
    for (let k = 0; k < anomaliesPerJob; k++) {
      const user = humans[(2 + k) % humans.length];
      // The engine models time of day on a line (00:00..24:00 UTC), not a circle: put the
      // user's office day on the other half of the UTC day from the anomaly, without crossing
      // midnight UTC, so the logon is 7+ hours from every usual one on that line.
      const hour = new Date(anomalyBucket(live?.baseEnd ?? end, span, k) + 7 * MINUTE).getUTCHours();
      const officeStartUtc = hour >= 12 ? 0.5 : 13;
      user.utcOffset = 8 - officeStartUtc;
      timeOfDayUsers.push(user);
    }
    if (live && live.round > 0) {
      // A later incident: the person whose (unchanged) office day is farthest from its logon hour
      // on the engine's line, rotating among the equally far ones so each round has another.
      timeOfDayUsers.length = 0;
      for (let k = 0; k < anomaliesPerJob; k++) {
        const hour = new Date(anomalyBucket(end, span, k) + 7 * MINUTE).getUTCHours() + 7 / 60;
        const ranked = humans.map((u, i) => ({ u, d: officeDistance(u, hour), i })).filter((x) => !timeOfDayUsers.includes(x.u));
        const best = Math.max(...ranked.map((x) => x.d));
        const far = ranked.filter((x) => x.d >= Math.min(best, 7));
        timeOfDayUsers.push(far[(live.round + k) % far.length].u);
      }
    }
  }
  const r = live?.round ?? 0;
  const rotate = <T>(list: readonly T[]): T | undefined => list[r % Math.max(1, list.length)];
  // A service account: it works around the clock, so the incident adds no time-of-day anomaly.
  forced.user = rotate(users.filter((u) => !u.human)) ?? humans.find((u) => !timeOfDayUsers.includes(u)) ?? users[0];
  const hostAffinity = world.affinities.get('host');
  forced.host = (hostAffinity?.from === 'user' && rotate(hostAffinity.subsets.get(forced.user.key)?.items ?? [])) || rotate(poolOf(world, 'host').entities)!;
  const sourceAffinity = world.affinities.get('source');
  forced.source = (sourceAffinity?.from === 'user' && rotate(sourceAffinity.subsets.get(forced.user.key)?.items ?? [])) || rotate(poolOf(world, 'source').entities)!;
  forced.destination = rotate(poolOf(world, 'destination').entities)!;
  forced.dport = rotate(poolOf(world, 'dport').entities)!;
  // Never-seen values of a later round start past those earlier rounds used (24 a round is more than a module injects).
  return { forced, timeOfDayUsers, novel: r ? 8 + ((r * 24) % 1536) : 0, shared, round: r };
}

export function buildPlan(input: GenerateOptions, now = Date.now(), live?: LiveRound): Plan {
  const options = resolveOptions(input, now);
  const { start, end } = dataWindow(options);
  const resolution = resolveSelection(options.modules, options.variant);
  const notices = [...resolution.notices];
  const modules: ModulePlan[] = [];
  // One organisation: a novel value injected for a field in a bucket is the same in every module,
  // so a job reading every stream (logs-*) sees one novelty, not one per module.
  const shared: Incident['shared'] = new Map();
  for (const [moduleId, jobs] of selectedJobs(resolution, options.variant)) {
    const profile = getProfile(moduleId);
    const random = Random.scoped(options.seed, moduleId, 'plan');
    const world = buildWorld(profile, { ...profile.flavor, theme: THEMES[options.theme] }, random);
    const incident = planIncident(world, jobs, end, options.anomaliesPerJob, shared, live);
    const lanes = jobs.map((job) => buildLane(world, job, options.scale, Random.scoped(options.seed, moduleId, job.id)));
    const dataStreamFields = { 'data_stream.type': 'logs', 'data_stream.dataset': profile.dataset, 'data_stream.namespace': options.namespace };
    for (const lane of lanes) Object.assign(lane.constants, dataStreamFields);
    const injections: InjectedEvent[] = [];
    const jobPlans: JobPlan[] = jobs.map((job, i) => {
      const bucketSpan = parseDuration(job.job.analysis_config.bucket_span);
      const rules = rulesForJob(job.id);
      const anomalies: AnomalyPlan[] = [];
      // Novelties first: where a job of the module injects many unique strings (DNS tunnelling,
      // obfuscated scripts), the short-bucket rare jobs' anomalies go one bucket earlier, so those
      // strings neither share their bucket nor precede them as earlier novelties (issue #8).
      const fn = job.job.analysis_config.detectors[0].function;
      const prefix = (f?: string) => (f ?? '').split('.').slice(0, -1).join('.');
      const by = prefix(job.job.analysis_config.detectors[0].by_field_name);
      const early =
        fn === 'rare' && bucketSpan < HOUR && jobs.some((j) => j.job.analysis_config.detectors[0].function.includes('info_content') && prefix(j.job.analysis_config.detectors[0].field_name) === by) ? bucketSpan : 0;
      // Counts on a weekend: people do not work weekends, and the engine does not score a weekend
      // bucket of a weekday/weekend pattern learnt from less than three weeks (engine calibration,
      // count: Saturday x5 and Sunday x20 both 0). Such a job's anomalies move back to the last
      // weekday evening; its rule then gets a manual run over the window.
      let weekendShift = 0;
      if (familyOf(fn) === 'count' && options.historyDays < 21) {
        const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());
        const first = anomalyBucket(end, bucketSpan, 0);
        while (weekend(first - weekendShift)) weekendShift += bucketSpan;
        if (weekendShift) notices.push(`${job.id}: the data ends on a weekend; its anomaly goes to the last weekday evening (the engine does not score weekend counts with less than three weeks of history), and its rule gets a manual run.`);
      }
      for (let ordinal = 0; ordinal < options.anomaliesPerJob; ordinal++) {
        const bucketStart = anomalyBucket(end, bucketSpan, ordinal) - early - weekendShift;
        if (bucketStart < start + MIN_HISTORY_BEFORE_ANOMALY) {
          // Never inside the models' warm-up: the headline must fit, extra anomalies may not.
          if (ordinal === 0) throw new OptionsError(`${job.id}: the history is too short to place its anomaly after ${MIN_HISTORY_BEFORE_ANOMALY / DAY} days of baseline`);
          notices.push(`${job.id}: only ${ordinal} anomalies fit after the warm-up`);
          break;
        }
        const shaped = shapeAnomaly({ world, job, lane: lanes[i], moduleLanes: lanes, incident, bucketStart, bucketSpan, ordinal, random });
        injections.push(...shaped.events);
        anomalies.push({
          jobId: job.id, moduleId, function: job.job.analysis_config.detectors[0].function, ordinal, bucketStart, bucketEnd: bucketStart + bucketSpan,
          scope: shaped.scope, field: shaped.field, value: shaped.value, description: shaped.description, eventCount: shaped.events.length,
          rules: rules.map((r) => ruleReach(r, bucketStart, end)),
        });
      }
      // Said before generating: a partitioned rare job scores a new value within its partition's
      // own history, and the engine needs weeks of it to reach 75 (engine calibration, rare_partition).
      const d0 = job.job.analysis_config.detectors[0];
      const topThreshold = Math.max(0, ...rules.map((r) => r.anomaly_threshold));
      if (d0.function === 'rare' && d0.partition_field_name && topThreshold >= 75 && options.historyDays < PARTITIONED_RARE_DAYS) {
        notices.push(
          `${job.id}: its rule needs a score of ${topThreshold}; a new ${d0.by_field_name} within one ${d0.partition_field_name} reaches that only after weeks of history, so with ${options.historyDays} days it is not expected to fire (use --history-days ${PARTITIONED_RARE_DAYS} or more).`,
        );
      }
      return { job, bucketSpan, lane: lanes[i], rules, anomalies };
    });
    for (const lane of lanes) compileLane(lane, injections.filter((e) => e.lane === lane).flatMap((e) => Object.values(e.forced) as Entity[]));
    injections.sort((a, b) => a.ts - b.ts);
    const injectedValues = new Set<string>();
    for (const e of injections) for (const entity of Object.values(e.forced) as Entity[]) if (entity.novel) for (const v of Object.values(entity.fields)) injectedValues.add(String(v));
    modules.push({ moduleId, profile, dataStream: `logs-${profile.dataset}-${options.namespace}`, world, jobs: jobPlans, injections, injectedValues });
  }
  return { options, start, end, modules, notices };
}
