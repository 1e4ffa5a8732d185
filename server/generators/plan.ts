/**
 * The plan: everything about a demo decided up front from the options and the seed — time
 * window, each module's world and lanes, and where each job's headline anomaly goes. Streams,
 * the verifier and the bundle all read the same plan.
 */
import { resolveSelection, rulesForJob, selectedJobs, type CatalogueJob, type CatalogueRule } from '../../common/catalogue';
import { familyOf, hasDailyProfile } from '../engine/registry';
import { seriesFields, type Incident, type InjectedEvent } from './anomalies';
import { baseRateOf, isAroundTheClock, isSteady, shapeAnomaly } from './detectors';
import { makeSteady, prepareSteadyLane } from './detectors/steady';
import type { Entity, EntityKind } from './entities';
import { buildLane, busiestHour, compileLane, sampleLane, type Lane } from './lanes';
import { compileQuery } from '../verify/query_evaluator';
import { OptionsError, resolveOptions, type GenerateOptions, type ResolvedOptions } from './options';
import { getProfile, type ModuleProfile } from './profiles';
import { Random } from './random';
import { DAY, floorTo, HOUR, MINUTE, parseDuration, parseLookback, TICK } from './time';
import { earliestStage, stageEnds, stageOfJob, timelineNotice } from './timeline';
import type { TimelineStage } from '../../common/options';
import { THEMES } from './vocabulary';
import type { Suppression } from './suppression';
import { moduleTick } from './tick';
import { ONBOARDING } from './phase';
import { buildWorld, poolOf, type World } from './world';
import { CUSTOM_MODULE_ID } from '../custom_jobs/parse';
import { customProfile } from '../custom_jobs/profile';

/** Custom jobs, refused when one has the id of a job chosen from a module (job ids are cluster-wide). */
function withoutClashes(custom: CatalogueJob[], groups: Map<string, CatalogueJob[]>): CatalogueJob[] {
  for (const [moduleId, jobs] of groups) {
    const clash = custom.find((c) => jobs.some((j) => j.id === c.id));
    if (clash)
      throw new OptionsError(
        `job ${clash.id} (${clash.sources.job.path}) has the id of a job of module ${moduleId} that is also chosen; rename it or leave the module out`,
        'customJobs',
      );
  }
  return custom;
}

/** Baseline every anomaly has before it: rare needs 20+ buckets, change-point tests need days. */
export const MIN_HISTORY_BEFORE_ANOMALY = 2 * DAY;

/**
 * History a partitioned rare job needs for a 75 rule: the engine scores a value new to one
 * partition by how long and how densely the partition was observed (calibration rare_partition:
 * 200 events a day give 66 after 14 days, 76 after 30, 84 after 60). Such a job reads its own,
 * longer history: its lane starts this many days before the end and its datafeed with it; every
 * other job's data and datafeed start at the plan's window (a rare job's, RARE_MIN_DAYS back at least).
 */
export const PARTITIONED_RARE_DAYS = 90;
/**
 * History any other rare job reads at least: a never-seen value scores by the history observed
 * (calibration rare: 3 days 68, 7 days 83, 14 days 93), and a 75 rule needs 85 with margin.
 */
export const RARE_MIN_DAYS = 12;
/**
 * History every other rare job reads when it has extra anomalies
 * (--anomalies-per-job): each is a novelty the later ones saw before, which costs the later ones
 * points (calibration rare, earlier: ~4.5 for one, ~7 for two), and a month of history gives them
 * back (~7 from 14 to 30 days; issue #8: v3_windows_rare_script 82-85 with three).
 */
export const RARE_EXTRA_ANOMALIES_DAYS = 30;

/**
 * History a population job (info content over a domain: DNS tunnelling) reads when it has extra
 * anomalies. Each round joins the population the next is measured against, and a job reading
 * every stream sees both network modules' rounds: with 3 days, the third round's domain (4,218)
 * stood under the four before it (the population's high 4,272) and scored 0 (random set s21,
 * model). A month of ordinary domains keeps a few rounds a small part of the population.
 */
export const POPULATION_EXTRA_ANOMALIES_DAYS = 30;

/**
 * History a rare job with buckets longer than 15 minutes reads: such a job has a quarter (1 h) or
 * a sixteenth (4 h) of a 15-minute job's (bucket, value) observations a day, and the engine scores
 * a new value by those observations (calibration rare: longer bucket spans score lower). On 14 days
 * the model gave rare_error_code 68, rare_method_for_a_city 74 and v3_rare_process_by_host_windows
 * 64 against rules at 50 that want 60: the thinnest margins of the demo.
 */
export const RARE_LONG_BUCKET_DAYS = 30;
/** Buckets longer than the 15-minute tick (see RARE_LONG_BUCKET_DAYS). */
const hasLongBuckets = (job: CatalogueJob) => parseDuration(job.job.analysis_config.bucket_span) > TICK;
/**
 * History a count job reads at least: the engine learns a daily profile over days (calibration
 * count: an x6 spike scores 43-71 after 3 days, 95 after 14), and with less the office mornings
 * after the first days are spikes themselves (issue #8: suspicious_login_activity 58-77 at
 * 13:00 UTC on the Monday of a 3-day history).
 */
export const COUNT_MIN_DAYS = 7;
/**
 * A count job reads from the first Monday after its lane's onboarding: while the data onboards
 * (stream.ts ONBOARDING, WARMUP) people work every day and each value comes in turn, a start no
 * real week has, and a young count model learns it as the level. Read from there, the first
 * office start after the first weekend came on day 2-3 of the job and scored as a spike to the
 * per-host logon count (a Windows host's 11-16 logons against 4-5 expected: 51-73, 4 of 30 random
 * option sets); read from the onboarding's end on any weekday, the same happened with the weekend
 * first (6 of the 30). From a Monday, the model has a working week before its first weekend.
 */
export const READ_AFTER_ONBOARDING = ONBOARDING;

/** Monday 00:00 UTC at or after `t`. */
function mondayFrom(t: number): number {
  const day = Math.ceil(t / DAY) * DAY;
  return day + ((8 - new Date(day).getUTCDay()) % 7) * DAY;
}

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
  /** With the timeline option: the intrusion's stage this anomaly tells (timeline.ts). */
  stage?: TimelineStage;
}

export interface JobPlan {
  job: CatalogueJob;
  /** Where this job's datafeed starts: the plan's start, or earlier for a job that needs a longer history; a count job's on a Monday after its lane's onboarding. */
  start: number;
  /** Where its lane's events start (`start`, or before it for a count job). */
  laneStart: number;
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
  /** Baseline events the low-side anomalies take away (suppression.ts). */
  suppressions?: Suppression[];
  /** The stream's time step: the gcd of the jobs' bucket spans and 15 minutes, at least a minute (tick.ts). */
  tick?: number;
}

export interface Plan {
  options: ResolvedOptions;
  /** The demo's window (what every job reads), and the earliest job start (<= start). */
  start: number;
  dataStart: number;
  end: number;
  modules: ModulePlan[];
  notices: string[];
}

/**
 * The data ends on the 15-minute grid so every bucket of every job ends inside it, and starts at
 * midnight UTC: the engine models a time of day on a 00:00-24:00 line, so a 24/7 account whose
 * first day began at 18:00 would see its first 00:xx logon as 18 hours from all it knows.
 */
export function dataWindow(options: ResolvedOptions): { start: number; end: number } {
  const end = floorTo(options.end, TICK);
  return { start: floorTo(end - options.historyDays * DAY, DAY), end };
}

/** Last bucket that lies fully inside the data, `ordinal` steps back (at least 2 hours apart). */
export function anomalyBucket(end: number, span: number, ordinal: number): number {
  const last = floorTo(end, span) - span;
  const step = Math.max(span, 2 * HOUR);
  return floorTo(last - ordinal * step, span);
}

/**
 * Time of day. The engine models a logon's time as seconds since midnight UTC, on a line, not a
 * circle (calibration time_of_day: a logon at 00:xx against 07:00-18:00 office logons scores
 * 80-94; at 22:00, 22-77). The anomaly's people work 08:00-18:00 at UTC+8, i.e. 00:00-10:00 UTC,
 * one end of the line, in every module (one organisation); their logon goes to the latest 20:xx
 * UTC bucket (04:xx local), 10 hours after their last usual time on the line. Its rule gets a
 * manual run when that bucket is outside its look-back.
 */
export const TIME_OF_DAY_OFFSET = 8;
const TIME_OF_DAY_UTC_HOUR = 20;
/** The person (index in the theme's names) whose logon is the first time-of-day anomaly; the next ones follow. */
const TIME_OF_DAY_PERSON = 2;

export function timeOfDayBucket(end: number, span: number, ordinal: number): number {
  const last = floorTo(end, span) - span;
  let b = floorTo(floorTo(last, DAY) + (TIME_OF_DAY_UTC_HOUR + 1) * HOUR - span, span);
  if (b > last) b -= DAY;
  return b - ordinal * span;
}

function ruleReach(rule: CatalogueRule, bucketStart: number, end: number): RuleReach {
  const lookback = parseLookback(rule.from);
  return {
    ruleId: rule.rule_id,
    name: rule.name,
    anomalyThreshold: rule.anomaly_threshold,
    from: rule.from,
    // With a tick to spare: a rule that runs a few minutes after the end (or after a load) must
    // still see it; an anomaly at the very edge of the look-back gets a manual run instead.
    withinLookback: bucketStart >= end - lookback + TICK,
    alertableUntil: new Date(bucketStart + lookback).toISOString(),
  };
}

/**
 * Live mode (server/live): incident `round` (1, 2, …) of a demo whose base plan ended at `baseEnd`.
 * The world stays the base plan's, the incident
 * takes other entities (rotated by round) and never-seen values no earlier round used.
 */
export interface LiveRound {
  round: number;
  baseEnd: number;
}

/**
 * How far ahead of its end live mode plans an incident (server/live): two of the longest bucket
 * span of its jobs, so even a 4-hour job's anomaly bucket lies wholly in what is not yet indexed.
 */
export const incidentLead = (bucketSpans: readonly number[]): number => 2 * Math.max(...bucketSpans);

/** Distance on the engine's time-of-day line (00:00..24:00 UTC) from `hour` to a person's office day. */
function officeDistance(user: Entity, hour: number): number {
  const a = (((8 - (user.utcOffset ?? 0)) % 24) + 24) % 24;
  const spans =
    a + 10 <= 24
      ? [[a, a + 10]]
      : [
          [a, 24],
          [0, a + 10 - 24],
        ];
  return Math.min(...spans.map(([lo, hi]) => Math.max(0, lo - hour, hour - hi)));
}

/** Picks the people and machines of the module's incident. */
function planIncident(
  world: World,
  jobs: CatalogueJob[],
  end: number,
  anomaliesPerJob: number,
  shared: Incident['shared'],
  lead: number,
  live?: LiveRound,
): Incident {
  const users = poolOf(world, 'user').entities;
  const humans = users.filter((u) => u.human);
  const forced: Partial<Record<EntityKind, Entity>> = {};
  const timeOfDayUsers: Entity[] = [];
  let todAnchor = end;
  const todJob = jobs.find((j) => familyOf(j.job.analysis_config.detectors[0].function) === 'time');
  if (todJob) {
    const span = parseDuration(todJob.job.analysis_config.bucket_span);
    for (let k = 0; k < anomaliesPerJob; k++)
      timeOfDayUsers.push(humans.find((u) => u.person === TIME_OF_DAY_PERSON + k) ?? humans[(TIME_OF_DAY_PERSON + k) % humans.length]);
    if (live && live.round > 0) {
      // A later incident: its logon in the bucket, of those the round may still use, whose hour is
      // farthest from some person's office day on the engine's line (the offices of the
      // organisation's time zones cover the whole UTC day, so the round's last bucket is often
      // near them all: 10.2 at 11:52 UTC); by the person farthest from it, rotating among the
      // equally far ones. The round may use what falls after the earlier round's end and after
      // what was indexed when it was planned (incidentLead ahead).
      const room = Math.min(lead, (end - live.baseEnd) / live.round);
      // The logon is 7 minutes into its bucket (anomalies.ts timeOfDay).
      const hourOf = (bucket: number) => ((bucket + 7 * MINUTE) % DAY) / HOUR;
      const farthest = (bucket: number) => Math.max(...humans.map((u) => officeDistance(u, hourOf(bucket))));
      for (let a = end - span; anomalyBucket(a, span, anomaliesPerJob - 1) >= end - room; a -= span)
        if (farthest(anomalyBucket(a, span, 0)) > farthest(anomalyBucket(todAnchor, span, 0))) todAnchor = a;
      timeOfDayUsers.length = 0;
      for (let k = 0; k < anomaliesPerJob; k++) {
        const hour = hourOf(anomalyBucket(todAnchor, span, k));
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
  forced.host =
    (hostAffinity?.from === 'user' && rotate(hostAffinity.subsets.get(forced.user.key)?.items ?? [])) ||
    rotate(poolOf(world, 'host').entities.filter((e) => e.fields['host.os.type'] === world.flavor.os))!;
  const sourceAffinity = world.affinities.get('source');
  forced.source =
    (sourceAffinity?.from === 'user' && rotate(sourceAffinity.subsets.get(forced.user.key)?.items ?? [])) || rotate(poolOf(world, 'source').entities)!;
  forced.destination = rotate(poolOf(world, 'destination').entities)!;
  forced.dport = rotate(poolOf(world, 'dport').entities)!;
  // Never-seen values of a later round start past those earlier rounds used (25 a round is more
  // than a module injects; after 63 rounds they come round again). 25, not 24: a list of six (the
  // anomalous countries) goes on to its next entry each round; with 24 every round's new
  // destination country was Belarus, a value the rare country job had already seen.
  return { forced, timeOfDayUsers, ...(todAnchor < end ? { timeOfDayAnchor: todAnchor } : {}), novel: r ? 25 * (((r - 1) % 63) + 1) : 0, shared, round: r };
}

/** A population job: a per-bucket quantity of each member against every member's (info content over a domain). */
const isPopulation = (d: { function: string; over_field_name?: string }) =>
  !!d.over_field_name && familyOf(d.function) !== 'rare' && familyOf(d.function) !== 'count';

/** Days of history a job reads: the plan's, or more for a rare, count or population job that needs it (see RARE_MIN_DAYS, COUNT_MIN_DAYS, POPULATION_EXTRA_ANOMALIES_DAYS). */
export function historyDaysFor(job: CatalogueJob, historyDays: number, anomaliesPerJob = 1): number {
  const d = job.job.analysis_config.detectors[0];
  if (familyOf(d.function) === 'count') return Math.max(historyDays, COUNT_MIN_DAYS);
  if (isPopulation(d)) return anomaliesPerJob > 1 ? Math.max(historyDays, POPULATION_EXTRA_ANOMALIES_DAYS) : historyDays;
  if (familyOf(d.function) !== 'rare') return historyDays;
  const top = Math.max(0, ...rulesForJob(job.id).map((r) => r.anomaly_threshold));
  if (d.partition_field_name && top >= 75) return Math.max(historyDays, PARTITIONED_RARE_DAYS);
  if (hasLongBuckets(job)) return Math.max(historyDays, RARE_LONG_BUCKET_DAYS);
  // Every rare job of a module starts together (a lane starting later brings values new to the others' partitions).
  return Math.max(historyDays, anomaliesPerJob > 1 ? RARE_EXTRA_ANOMALIES_DAYS : RARE_MIN_DAYS);
}

const fieldPrefix = (f?: string) => (f ?? '').split('.').slice(0, -1).join('.');

/** The module's jobs that inject many unique strings (info_content) into the family of fields a rare job's values come from. */
function uniqueStringSiblings(job: CatalogueJob, jobs: CatalogueJob[]): CatalogueJob[] {
  const by = fieldPrefix(job.job.analysis_config.detectors[0].by_field_name);
  return jobs.filter(
    (j) => j.job.analysis_config.detectors[0].function.includes('info_content') && fieldPrefix(j.job.analysis_config.detectors[0].field_name) === by,
  );
}

/**
 * How far a job's anomalies move back from a weekend to the last weekday evening. People do not
 * work weekends, and the engine does not score a weekend bucket of a weekday/weekend pattern
 * learnt from two weeks (engine calibration, count: Saturday x5 and Sunday x20 both 0). No
 * measurement covers a longer history (the model assumes three weeks teach the pattern,
 * params.count.weeklyDays), so the anomalies move at any history rather than bet on it, and the
 * job's rule gets a manual run over the window. The same for distinct counts, info content and
 * metrics of a series: the engine models them as it models counts, with a weekday/weekend split
 * when its test finds one (a Windows script job's info content after 14 days, random set p6).
 * Not a steady module's (servers that report all week, security_host): its weekends are scored,
 * and a burst moved to Friday evening taught a 5-minute low_count job's profile that slot, so
 * Saturday's ordinary level there scored as a drop (96).
 */
function weekendShift(job: CatalogueJob, anchor: number, steady: boolean | undefined): number {
  const detector = job.job.analysis_config.detectors[0];
  if (steady || !hasDailyProfile(detector.function, detector.over_field_name)) return 0;
  const span = parseDuration(job.job.analysis_config.bucket_span);
  const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());
  const first = anomalyBucket(anchor, span, 0);
  let shift = 0;
  while (weekend(first - shift)) shift += span;
  return shift;
}

/** Whether `job`'s datafeed query matches events of `lane` (sampled at the lane's busiest hour of the week). */
function readsLane(job: CatalogueJob, lane: Lane): boolean {
  const matches = compileQuery(job.datafeed.query);
  for (const { doc } of sampleLane(lane, busiestHour(lane), Random.scoped('reads', job.id), 50)) if (matches(doc)) return true;
  return false;
}

/**
 * Each job's timeline stage within its module (timeline.ts stageOfJob), moved where other jobs'
 * novelties would otherwise compete with its own:
 * - a rare job never comes after the unique strings of its info_content siblings (see `early`);
 * - a rare job partitioned by host (or parent process) shares its stage with every rare job of the
 *   same field, the earliest of theirs. The same host's new process in an earlier stage makes its
 *   own new process the partition's second (rare_process_by_host_windows scored 59, the earlier
 *   one its top record); one in a later stage can outscore it (anomalous_process_creation 80 under
 *   83 twelve hours later). In one bucket each is the partition's first, as without the timeline;
 * - a rare job never comes after a rare job of the same field whose events it reads: the
 *   reconnaissance stage's never-seen account had made anomalous_user_name's own account the job's
 *   second new user name, 98.8 under that account's 100.
 */
function moduleStages(jobs: CatalogueJob[], lanes: Lane[]): Map<string, TimelineStage> {
  const out = new Map(jobs.map((j) => [j.id, stageOfJob(j)]));
  const detector = (j: CatalogueJob) => j.job.analysis_config.detectors[0];
  const rare = (j: CatalogueJob) => familyOf(detector(j).function) === 'rare';
  for (const job of jobs.filter((j) => rare(j) && detector(j).partition_field_name)) {
    const group = jobs.filter((j) => rare(j) && detector(j).by_field_name === detector(job).by_field_name);
    const stage = earliestStage(group.map((j) => out.get(j.id)!));
    for (const j of group) out.set(j.id, stage);
  }
  for (const job of jobs.filter((j) => rare(j) && !detector(j).partition_field_name)) {
    const read = jobs.filter((k, i) => k !== job && rare(k) && detector(k).by_field_name === detector(job).by_field_name && readsLane(job, lanes[i]));
    if (read.length) out.set(job.id, earliestStage([out.get(job.id)!, ...read.map((k) => out.get(k.id)!)]));
  }
  for (const job of jobs.filter(rare)) {
    const siblings = uniqueStringSiblings(job, jobs);
    if (siblings.length) out.set(job.id, earliestStage([out.get(job.id)!, ...siblings.map((j) => out.get(j.id)!)]));
  }
  return out;
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
  const groups = selectedJobs(resolution, options.variant);
  if (options.customJobs?.length) groups.set(CUSTOM_MODULE_ID, withoutClashes(options.customJobs, groups));
  const lead = incidentLead([...groups.values()].flatMap((jobs) => jobs.map((j) => parseDuration(j.job.analysis_config.bucket_span))));
  // The timeline (timeline.ts): each job's anomalies go before its stage's end instead of the data's.
  // A live round (server/live) is one incident in its last buckets, whatever the demo it continues.
  const timeline = options.timeline && !(live && live.round > 0);
  const stages = new Map<string, TimelineStage>();
  const ends = timeline ? stageEnds(end) : undefined;
  const people = new Map<number, number>();
  if ([...groups.values()].some((jobs) => jobs.some((j) => familyOf(j.job.analysis_config.detectors[0].function) === 'time'))) {
    for (let k = 0; k < options.anomaliesPerJob; k++) people.set(TIME_OF_DAY_PERSON + k, TIME_OF_DAY_OFFSET);
  }
  for (const [moduleId, jobs] of groups) {
    const profile = moduleId === CUSTOM_MODULE_ID ? customProfile(jobs) : getProfile(moduleId);
    const random = Random.scoped(options.seed, moduleId, 'plan');
    const world = buildWorld(profile, { ...profile.flavor, theme: THEMES[options.theme] }, { seed: options.seed, people });
    const incident = planIncident(world, jobs, end, options.anomaliesPerJob, shared, lead, live);
    const lanes = jobs.map((job) => {
      const d = job.job.analysis_config.detectors[0];
      const lane = buildLane(world, job, options.scale, Random.scoped(options.seed, moduleId, job.id), baseRateOf(d), isAroundTheClock(d));
      if (profile.steady) prepareSteadyLane(lane, d, incident, profile.steadyFloor);
      else if (isSteady(d)) makeSteady(lane, d, incident);
      return lane;
    });
    const dataStreamFields = { 'data_stream.type': 'logs', 'data_stream.dataset': profile.dataset, 'data_stream.namespace': options.namespace };
    for (const lane of lanes) Object.assign(lane.constants, dataStreamFields);
    const starts = jobs.map((job) => {
      const days = historyDaysFor(job, options.historyDays, options.anomaliesPerJob);
      // A count job's notice comes with its Monday (below).
      if (days > options.historyDays && familyOf(job.job.analysis_config.detectors[0].function) !== 'count') {
        const d0 = job.job.analysis_config.detectors[0];
        const top = Math.max(0, ...rulesForJob(job.id).map((r) => r.anomaly_threshold)) || 75;
        const what = isPopulation(d0)
          ? `each extra anomaly joins the ${d0.over_field_name} population the next is measured against, and a month of ordinary ${d0.over_field_name} values keeps them a small part of it`
          : d0.partition_field_name
            ? `a new ${d0.by_field_name} within one ${d0.partition_field_name} scores ${top}+ only after weeks of that ${d0.partition_field_name}'s history`
            : `a never-seen ${d0.by_field_name ?? d0.field_name} scores ${top}+ with margin only after ${days} days of history${
                hasLongBuckets(job)
                  ? ` in ${job.job.analysis_config.bucket_span} buckets (fewer observations a day than 15-minute ones)`
                  : days > RARE_MIN_DAYS
                    ? ' when earlier anomalies of the job are novelties too'
                    : ''
              }`;
        notices.push(`${job.id}: ${what}, so this job reads ${days} days (its own data and datafeed start earlier than the other jobs').`);
      }
      return Math.min(start, floorTo(end - days * DAY, DAY));
    });
    // Where each job's datafeed starts after its lane's: a count job's on the first Monday after
    // the lane's onboarding, with at least COUNT_MIN_DAYS to the end (its lane starts earlier for that).
    const skips = jobs.map((job, i) => {
      if (familyOf(job.job.analysis_config.detectors[0].function) !== 'count') return 0;
      while (end - mondayFrom(starts[i] + READ_AFTER_ONBOARDING) < COUNT_MIN_DAYS * DAY) starts[i] -= DAY;
      const read = mondayFrom(starts[i] + READ_AFTER_ONBOARDING);
      if (starts[i] < start)
        notices.push(
          `${job.id}: a count job learns its daily profile over ${COUNT_MIN_DAYS} days (with less, ordinary office mornings score as spikes), from a Monday after its data's first ${READ_AFTER_ONBOARDING / DAY} days, so this job reads from ${new Date(read).toISOString().slice(0, 10)} (its own data and datafeed start earlier than the other jobs').`,
        );
      return read - starts[i];
    });
    if (timeline) for (const [id, stage] of moduleStages(jobs, lanes)) stages.set(id, stage);
    const injections: InjectedEvent[] = [];
    const suppressions: Suppression[] = [];
    const extended = new Set<string>();
    const jobPlans: JobPlan[] = jobs.map((job, i) => {
      const bucketSpan = parseDuration(job.job.analysis_config.bucket_span);
      const rules = rulesForJob(job.id);
      const anomalies: AnomalyPlan[] = [];
      // Novelties first: where a job of the module injects many unique strings (DNS tunnelling,
      // obfuscated scripts), the short-bucket rare jobs' anomalies go one bucket earlier, so those
      // strings neither share their bucket nor precede them as earlier novelties (issue #8): all of
      // them before the earliest of those (with --anomalies-per-job, the unique strings' first round).
      const fn = job.job.analysis_config.detectors[0].function;
      const siblings = uniqueStringSiblings(job, jobs);
      const early = fn === 'rare' && bucketSpan < HOUR && siblings.length ? bucketSpan : 0;
      // Where this job's anomalies end: the data's end, or its timeline stage's.
      const anchor = ends ? ends[stages.get(job.id)!] : familyOf(fn) === 'time' ? (incident.timeOfDayAnchor ?? end) : end;
      // A bucket longer than the anomalies' 2-hour step would hold other jobs' extra anomalies
      // (with --anomalies-per-job): on the incident's host they are new processes of the same
      // partition. Such a job's anomalies go to whole buckets before the earliest of those.
      const longBucket = familyOf(fn) === 'rare' && bucketSpan > 2 * HOUR && options.anomaliesPerJob > 1;
      // Counts on a weekend move to the last weekday evening (weekendShift). A rare job whose
      // anomalies go before its unique-string siblings' (`early`) moves with them.
      const shiftOf = (j: CatalogueJob) => weekendShift(j, ends ? ends[stages.get(j.id)!] : end, profile.steady);
      const ownShift = shiftOf(job);
      const shift = early ? Math.max(ownShift, ...siblings.map(shiftOf)) : ownShift;
      if (ownShift)
        notices.push(
          `${job.id}: ${ends ? `its timeline stage (${stages.get(job.id)}) falls` : 'the data ends'} on a weekend; its anomaly goes to the last weekday evening (the engine ${familyOf(fn) === 'count' ? '' : `models a ${fn} series as it models counts, and `}did not score weekend counts after two weeks of history, and no measurement shows it does after more), and its rule gets a manual run.`,
        );
      else if (shift)
        notices.push(`${job.id}: its anomaly stays before the unique strings of ${siblings.map((j) => j.id).join(', ')}, which moved off the weekend.`);
      // A count job of one series (no by, partition or over field: all logons, all network events)
      // gets one anomaly: the engine scores an anomaly like one the series had before lower
      // (calibration count prior=24: 69 against 94), and an earlier burst of it, carrying the
      // incident's host and source IP, was a first anomaly in those series of the module's
      // partitioned count jobs too. The others' extra anomalies take other series (anomalies.ts).
      const oneSeries = familyOf(fn) === 'count' && !seriesFields(job.job.analysis_config.detectors[0]).length;
      const count = oneSeries ? 1 : options.anomaliesPerJob;
      if (count < options.anomaliesPerJob)
        notices.push(
          `${job.id}: one series (no by, partition or over field), so one anomaly: the engine scores an anomaly like one the series had before lower (a second equal spike 69 against 94), and further ones would only repeat it.`,
        );
      // Without a rule to keep the anomaly in the look-back of, a person's odd hour is late evening
      // UTC, where the engine scores it best (detectors/time.ts).
      for (let ordinal = 0; ordinal < count; ordinal++) {
        const bucketStart =
          familyOf(fn) === 'time' && !(live && live.round > 0)
            ? timeOfDayBucket(anchor, bucketSpan, ordinal)
            : longBucket
              ? floorTo(anomalyBucket(anchor, TICK, options.anomaliesPerJob - 1), bucketSpan) - (1 + ordinal) * bucketSpan - shift
              : anomalyBucket(anchor, bucketSpan, early ? options.anomaliesPerJob - 1 + ordinal : ordinal) - early - shift;
        if (bucketStart < starts[i] + skips[i] + MIN_HISTORY_BEFORE_ANOMALY) {
          // Never inside the models' warm-up: a short history whose anomaly moved back (a weekend
          // end, extra anomalies) gives this job the baseline it needs before it, from its own
          // earlier start, rather than refusing the option set.
          const latest = floorTo(bucketStart - MIN_HISTORY_BEFORE_ANOMALY, DAY);
          // A count job's reading still starts on a Monday after its lane's onboarding.
          if (skips[i]) {
            skips[i] = READ_AFTER_ONBOARDING;
            starts[i] = mondayFrom(latest - 6 * DAY) - skips[i];
          } else starts[i] = latest;
          if (!extended.has(job.id))
            notices.push(
              `${job.id}: its anomaly needs ${MIN_HISTORY_BEFORE_ANOMALY / DAY} days of baseline before it, so this job reads from ${new Date(starts[i] + skips[i]).toISOString().slice(0, 10)} (its own data and datafeed start earlier than the other jobs').`,
            );
          extended.add(job.id);
        }
        const shaped = shapeAnomaly({
          world,
          job,
          lane: lanes[i],
          moduleLanes: lanes,
          incident,
          bucketStart,
          bucketSpan,
          ordinal,
          of: count,
          perJob: options.anomaliesPerJob,
          random,
          timeline,
        });
        injections.push(...shaped.events);
        if (shaped.suppress) suppressions.push(...shaped.suppress);
        anomalies.push({
          jobId: job.id,
          moduleId,
          function: job.job.analysis_config.detectors[0].function,
          ordinal,
          bucketStart,
          bucketEnd: bucketStart + bucketSpan,
          scope: shaped.scope,
          field: shaped.field,
          value: shaped.value,
          description: shaped.description,
          eventCount: shaped.events.length,
          rules: rules.map((r) => ruleReach(r, bucketStart, end)),
          ...(timeline ? { stage: stages.get(job.id) } : {}),
        });
      }
      return { job, start: starts[i] + skips[i], laneStart: starts[i], bucketSpan, lane: lanes[i], rules, anomalies };
    });
    for (const lane of lanes)
      compileLane(
        lane,
        injections.filter((e) => e.lane === lane).flatMap((e) => Object.values(e.forced) as Entity[]),
      );
    injections.sort((a, b) => a.ts - b.ts);
    const injectedValues = new Set<string>();
    for (const e of injections)
      for (const entity of Object.values(e.forced) as Entity[]) if (entity.novel) for (const v of Object.values(entity.fields)) injectedValues.add(String(v));
    const tick = moduleTick(jobPlans.map((j) => j.bucketSpan));
    modules.push({
      moduleId,
      profile,
      dataStream: `logs-${profile.dataset}-${options.namespace}`,
      world,
      jobs: jobPlans,
      injections,
      injectedValues,
      suppressions,
      tick,
    });
  }
  if (timeline) notices.splice(resolution.notices.length, 0, timelineNotice(end, stages));
  const dataStart = Math.min(start, ...modules.flatMap((m) => m.jobs.map((j) => j.laneStart)));
  return { options, start, dataStart, end, modules, notices };
}
