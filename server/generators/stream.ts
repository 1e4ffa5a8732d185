/**
 * The module stream: one ECS event stream per module that all of its jobs read, produced tick by
 * tick (15 minutes) in time order, as NDJSON chunks. Memory is bounded by one chunk, whatever
 * the number of documents.
 */
import type { Entity } from './entities';
import { familyOf } from '../engine/registry';
import { pickEntities, type Lane, type Strata, type TurnMode } from './lanes';
import type { ModulePlan, Plan } from './plan';
import { Random } from './random';
import { activeIn, isSuppressed } from './suppression';
import { lanePhase } from './phase';
import { cutAbove, TailCut } from './tail_cut';
import { hourOfWeek, TICK } from './time';

/**
 * A lane's events in a tick are a Poisson draw, cut at three standard deviations (and one): the
 * tail beyond (0.2 % of office-hour ticks) is noise no demo needs, and a young count model scored
 * it as an anomaly (the default seed's 19 logon failures against 5.4 expected, a 1-in-100,000
 * draw, 75.9 against a rule at 75). The cut leaves the draws themselves as they were.
 */
export const poissonCap = (rate: number) => cutAbove(rate, 3);

/** The golden ratio's fractional part: its multiples spread most evenly over [0, 1). */
const GOLDEN = 0.6180339887498949;

export interface StreamOptions {
  /** Prefix every document with a bulk `create` action line (for _bulk files). */
  bulkCreate?: boolean;
  /** Documents per chunk (default 2000). */
  chunkDocs?: number;
  /**
   * Live mode (server/live): only the ticks of [from, to), which may lie after the plan's end. Warm-up
   * and onboarding stay counted from the plan's start (a live tick never re-runs them), and each window
   * has its own random sequence, so the same window gives the same bytes.
   */
  window?: { from: number; to: number };
  /** false: only the module's injections, no baseline (a live incident's events). */
  baseline?: boolean;
}

export interface Chunk {
  ndjson: string;
  docs: number;
  /** Start of the last tick in this chunk: progress through the window. */
  until: number;
}

/** Formats timestamps quickly: the date-hour prefix changes only once per hour. */
class TimestampFormatter {
  private hour = -1;
  private prefix = '';
  format(ms: number): string {
    const hour = Math.floor(ms / 3_600_000);
    if (hour !== this.hour) {
      this.hour = hour;
      this.prefix = new Date(hour * 3_600_000).toISOString().slice(0, 14);
    }
    const inHour = ms - hour * 3_600_000;
    const minutes = Math.floor(inHour / 60_000);
    const seconds = Math.floor((inHour % 60_000) / 1000);
    const millis = inHour % 1000;
    return `${this.prefix}${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}

export function* moduleStream(plan: Plan, module: ModulePlan, options: StreamOptions = {}): Generator<Chunk> {
  const window = options.window;
  const random = window
    ? Random.scoped(plan.options.seed, module.moduleId, 'events', `window@${window.from}`)
    : Random.scoped(plan.options.seed, module.moduleId, 'events');
  const from = window?.from ?? plan.dataStart;
  const to = window?.to ?? plan.end;
  const lanes = options.baseline === false ? [] : module.jobs.map((j) => j.lane);
  // Each lane draws its event counts and values from its own sequence, so another job of the module
  // reading a longer history does not reshuffle them (the draws would otherwise interleave); only
  // who of the organisation's people gets a lane's events comes from the module's shared sequence
  // (below).
  const laneRandoms = lanes.map((lane) =>
    window
      ? Random.scoped(plan.options.seed, module.moduleId, 'events', lane.jobId, `window@${window.from}`)
      : Random.scoped(plan.options.seed, module.moduleId, 'events', lane.jobId),
  );
  const chunkDocs = options.chunkDocs ?? 2000;
  const action = options.bulkCreate ? '{"create":{}}\n' : '';
  const clock = new TimestampFormatter();
  const picked: Entity[] = [];
  let parts: string[] = [];
  let docs = 0;
  let next = 0;
  const injections = module.injections;
  // Generation state lives in the stream: streaming the same plan twice gives the same bytes.
  const cursors = new Map<Lane, Map<string, number>>();
  // Steady lanes: the expected count each step, the fractions carried over (state of this pass).
  const carried = new Map<Lane, number>();
  const steadyCount = (lane: Lane, rate: number) => {
    const total = (carried.get(lane) ?? 0) + rate;
    const n = Math.floor(total);
    carried.set(lane, total - n);
    return n;
  };
  // Steady lanes with weighted turns (a floor under every host, detectors/steady.ts) share one
  // round: together they give each host its share in every step. Two lanes' separate rounds left a
  // floor host 2 events in a 5-minute bucket where it has 3.6, and a low_count job reading every
  // stream scored that as a drop (issue #8).
  const sharedTurns = new Map<string, number>();
  const cursorsOf = (lane: Lane) => {
    if (lane.steady && lane.pools.some((p) => p.turnOrder)) return sharedTurns;
    let c = cursors.get(lane);
    if (!c) cursors.set(lane, (c = new Map()));
    return c;
  };
  // The module's step (tick.ts); lanes' rates are per 15 minutes (TICK).
  const step = module.tick ?? TICK;
  const perStep = step / TICK;
  const suppressions = module.suppressions ?? [];
  // Each lane starts with its job: most at the plan's window, a job needing a longer history earlier.
  const starts = module.jobs.map((j) => j.laneStart);
  const kindsMax = Math.max(1, ...lanes.map((l) => l.kinds.length));
  // Warm-up (see TurnMode): a rare job's lane takes its values in turn all day, so each is well
  // known before anything is scored; every other lane once through, then at its ordinary weights.
  // Event times inside a step: each host's (else the lane's first entity's) k-th event at
  // phase + k·φ (mod 1) of the step, so a 5-minute bucket inside a 15-minute step gets its third of
  // that host's events. Uniform times left a host's 5-minute bucket empty (Poisson: 1 in 400 at 6
  // a bucket), which a low_count job reading every stream scored 65–80 (issue #8).
  const timing = new Map<Entity, number>();
  const timingKind = lanes.map((lane) => Math.max(0, lane.kinds.indexOf('host')));
  const warmTurns = module.jobs.map((j): TurnMode => (familyOf(j.job.job.analysis_config.detectors[0].function) === 'rare' ? 'cycle' : 'cover'));
  const strata: Strata = { u: 0, offsets: new Float64Array(kindsMax), rest: new Float64Array(kindsMax) };
  // Lanes that pick people from the whole organisation share one sequence of quantiles, event k of
  // any of them at start + k·φ (mod 1), and fixed offsets per kind: a person's events, and so their
  // hosts', come at even intervals across the module's lanes. Independent draws per lane added up
  // to Poisson noise per host (3-7 logons in 15 minutes, x2.5-3.5 about once per host and month),
  // which a per-host count job scored (issue #8).
  const shared = lanes.map((lane) => !lane.steady && !!lane.usersByHour && !lane.pools[lane.kinds.indexOf('user')].constrained);
  const sharedRandom = Random.scoped(plan.options.seed, module.moduleId, 'events', 'shared', window ? `window@${window.from}` : '');
  let sharedAt = sharedRandom.next();
  const sharedOffsets = new Map<string, number>();
  const offsetOf = (kind: string) => {
    let o = sharedOffsets.get(kind);
    if (o === undefined) sharedOffsets.set(kind, (o = sharedRandom.next()));
    return o;
  };
  // Count series stop at two standard deviations above their expected count, in the sum of every
  // module's stream a job may read (tail_cut.ts).
  const cut = new TailCut(
    plan,
    plan.modules.findIndex((m) => m.moduleId === module.moduleId),
    lanes,
    perStep,
  );
  for (let tick = from; tick < to; tick += step) {
    const how = hourOfWeek(tick);
    if (cut.active) cut.begin(tick);
    const suppressing = suppressions.length ? activeIn(suppressions, tick, tick + step) : [];
    for (let l = 0; l < lanes.length; l++) {
      const phase = lanePhase(tick, starts[l]);
      if (phase === 'off') continue;
      const lane = lanes[l];
      const random = laneRandoms[l];
      const warmup = phase === 'warmup';
      const onboarding = phase !== 'ordinary';
      const rate = (onboarding && lane.onboarding ? lane.onboarding.ratePerTick : lane.ratePerTick)[how] * perStep;
      const n = lane.steady ? steadyCount(lane, rate) : Math.min(random.poisson(rate), poissonCap(rate));
      if (n === 0) continue;
      // The tick's events by quantile (see Strata): each entity gets its share with little spread.
      const u0 = random.next();
      for (let k = 0; k < lane.kinds.length; k++) strata.offsets[k] = shared[l] ? offsetOf(lane.kinds[k]) : random.next();
      for (let i = 0; i < n; i++) {
        if (shared[l]) {
          sharedAt += GOLDEN;
          sharedAt -= Math.floor(sharedAt);
          strata.u = sharedAt;
        } else strata.u = (u0 + i) / n;
        const turns = lane.steady === true && !lane.usersByHour ? 'cycle' : warmup ? warmTurns[l] : undefined;
        if (!pickEntities(lane, how, random, picked, undefined, turns, cursorsOf(lane), strata)) break;
        const who = picked[timingKind[l]];
        const at = (timing.get(who) ?? who.phase) + GOLDEN;
        timing.set(who, at - Math.floor(at));
        const ts = tick + Math.floor((at - Math.floor(at)) * step);
        if (suppressing.length && isSuppressed(suppressing, lane, ts, picked)) continue;
        if (cut.active && !cut.admit(l, picked)) {
          random.next();
          continue;
        }
        parts.push(action, lane.serialize(clock.format(ts), picked, (random.next() * 2147483647) | 0), '\n');
        if (++docs >= chunkDocs) {
          yield { ndjson: parts.join(''), docs, until: tick };
          parts = [];
          docs = 0;
        }
      }
    }
    while (next < injections.length && injections[next].ts < tick + step) {
      const inj = injections[next++];
      if (inj.ts < tick) continue;
      if (!pickEntities(inj.lane, hourOfWeek(inj.ts), random, picked, inj.forced)) {
        // Only possible for a lane with users and no forced user at an hour nobody works.
        throw new Error(`${inj.lane.jobId}: anomaly event at ${new Date(inj.ts).toISOString()} has no active user`);
      }
      // A drop is a drop for every job that reads it: another job's burst does not fill it.
      if (
        suppressing.length &&
        isSuppressed(
          suppressing.filter((s) => s.jobId !== inj.lane.jobId),
          inj.lane,
          inj.ts,
          picked,
        )
      )
        continue;
      parts.push(action, inj.lane.serialize(clock.format(inj.ts), picked, (random.next() * 2147483647) | 0), '\n');
      if (++docs >= chunkDocs) {
        yield { ndjson: parts.join(''), docs, until: tick };
        parts = [];
        docs = 0;
      }
    }
  }
  if (docs > 0) yield { ndjson: parts.join(''), docs, until: to };
}
