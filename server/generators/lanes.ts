/**
 * A lane is the baseline event stream one job needs: documents that satisfy the job's datafeed
 * query (from the query itself), carry its detector and influencer fields (as entities of the
 * module's world), and look like the module's source (from its profile). A module's stream is
 * the union of its jobs' lanes.
 */
import type { CatalogueJob } from '../../common/catalogue/types';
import { solveQuery } from './constraints';
import { buildEntity, FIELD_KIND, kindFields, type Entity, type EntityKind } from './entities';
import { WeightedPicker, type Random } from './random';
import { compileSerializer, renderFragment, type Serializer } from './serializer';
import { fieldKindOf, fieldOfKind, isFieldKind } from './field_values';
import { keptResultsFor } from './kept_results';
import { HOUR, hourOfWeek, parseDuration, TICK } from './time';
import { poolOf, type Affinity, type Pool, type World } from './world';

/** Runtime fields the Security datafeeds define, and the document field each one reads. */
export const RUNTIME_FIELD_SOURCES: Record<string, string> = {
  dns_question_etld: 'dns.question.registered_domain',
  winlog_logon_type: 'winlog.event_data.LogonType',
};

/** The field an entity of each kind is built from. */
export const KEY_FIELD: Record<EntityKind, string> = {
  user: 'user.name',
  host: 'host.name',
  source: 'source.ip',
  destination: 'destination.ip',
  dport: 'destination.port',
  process: 'process.name',
  parent: 'process.parent.name',
  workdir: 'process.working_directory',
  service: 'winlog.event_data.ServiceName',
  script: 'powershell.file.script_block_text',
  aws_action: 'event.action',
  aws_error: 'aws.cloudtrail.error_code',
  dns: 'dns.question.name',
  server_domain: 'server.domain',
  url: 'url.full',
  user_agent: 'user_agent.original',
};

const ARRAY_FIELDS = new Set(['event.category', 'event.type']);

export interface LanePool extends Pool {
  picker: WeightedPicker<Entity>;
  /** Smaller than the world's pool: the datafeed restricts this kind's values. */
  constrained: boolean;
  /** How this kind depends on an earlier kind of the lane (the world's, or the lane's own over a constrained pool). */
  affinity?: Affinity;
  /** Steady lanes with unequal shares (detectors/steady.ts): the entity indexes of one round of turns. */
  turnOrder?: number[];
}

export interface Lane {
  jobId: string;
  kinds: EntityKind[];
  constants: Record<string, unknown>;
  pools: LanePool[];
  /** Expected events per tick for each hour of the week (UTC). */
  ratePerTick: Float64Array;
  /** For lanes with users: the users active in each hour of the week (null: nobody). */
  usersByHour?: (WeightedPicker<Entity> | null)[];
  /** The same while onboarding (see presence). */
  onboarding?: { ratePerTick: Float64Array; usersByHour: (WeightedPicker<Entity> | null)[] };
  /** Round-robin positions used during warm-up, when every value is introduced in turn. */
  serialize: Serializer;
  /**
   * A steady source (a heartbeat, a metric every few seconds): the stream writes the expected
   * number of events each step, spread evenly over the lane's entities, instead of a Poisson draw
   * by popularity — so a drop (low_count) or a sum stands out from a baseline without noise.
   * Set from the detector registry (FunctionSpec.steady).
   */
  steady?: boolean;
}

/** Detector fields, then influencers: every field a job's results are split or influenced by. */
export function jobFields(job: CatalogueJob): { detector: string[]; influencers: string[] } {
  const d = job.job.analysis_config.detectors[0];
  const detector = [d.field_name, d.by_field_name, d.over_field_name, d.partition_field_name].filter((f): f is string => !!f);
  return { detector, influencers: job.job.analysis_config.influencers ?? [] };
}

/** The entity kind that supplies a field in this module (event.action is an AWS API call only in CloudTrail). */
export function fieldKind(field: string, kinds?: readonly EntityKind[]): EntityKind | undefined {
  // A field no entity kind knows is a kind of its own (field_values.ts), for profiles that list it.
  const kind = FIELD_KIND[RUNTIME_FIELD_SOURCES[field] ?? field] ?? fieldKindOf(RUNTIME_FIELD_SOURCES[field] ?? field);
  return kind && (!kinds || kinds.includes(kind)) ? kind : undefined;
}

/**
 * How much of each local hour a person is at work: 08:00-18:00, arriving over the first two hours
 * and leaving over the last two. A step from nothing to everyone at 08:00 made a sparse host's
 * first office bucket a spike to count jobs partitioned by host (the engine calibration:
 * step-shaped office hours alert at the shift edges, a smooth day does not). The day stays inside
 * 08:00-18:00 local: the time zones are chosen so that it does not cross midnight UTC (entities.ts).
 */
const PRESENCE: Record<number, number> = { 8: 0.35, 9: 0.75, 10: 1, 11: 1, 12: 1, 13: 1, 14: 1, 15: 1, 16: 0.75, 17: 0.35 };

/**
 * People work Monday to Friday (PRESENCE by local hour); service accounts never sleep. While
 * `onboarding` (the first days of the data) everyone works every day, so that a window starting
 * on a weekend still introduces every person before the models' warm-up ends. 0 to 1.
 */
export function presence(entity: Entity, hourOfWeekUtc: number, onboarding = false): number {
  if (!entity.human) return 1;
  const local = hourOfWeek(Date.UTC(2024, 0, 1) + hourOfWeekUtc * HOUR, entity.utcOffset ?? 0); // 2024-01-01 is a Monday
  const day = Math.floor(local / 24);
  return onboarding || day < 5 ? (PRESENCE[local % 24] ?? 0) : 0;
}

/** Machines are busier by day and on weekdays, but never idle. */
function machineActivity(how: number): number {
  const hour = how % 24;
  const weekend = how >= 120;
  const day = hour >= 7 && hour < 20 ? 1 : 0.55;
  return day * (weekend ? 0.7 : 1);
}

/**
 * `baseRate`: baseline events per 15 minutes at full activity, the detector registry's (detectors/);
 * `aroundTheClock`: at that rate at every hour, whoever of the lane's users is at work then (a lane
 * without users follows machines' day either way).
 */
export function buildLane(world: World, job: CatalogueJob, scale: number, random: Random, baseRate = 6, aroundTheClock = false): Lane {
  const { profile } = world;
  const constraints = solveQuery(job.datafeed.query, profile.prefer);
  const fixed: Record<string, unknown> = {};
  const restrictions = new Map<EntityKind, Map<string, string[]>>();
  const required = new Set<EntityKind>();
  const moduleKind = (field: string) => fieldKind(field, profile.kindOrder);
  for (const [field, values] of constraints.allowed) {
    const kind = moduleKind(field);
    if (kind) {
      if (!restrictions.has(kind)) restrictions.set(kind, new Map());
      restrictions.get(kind)!.set(field, values);
      required.add(kind);
    } else {
      const preferred = profile.prefer[field];
      const value = preferred !== undefined && values.includes(preferred) ? preferred : values[0];
      fixed[field] = ARRAY_FIELDS.has(field) ? [value] : value;
    }
  }
  for (const field of constraints.exists) {
    const kind = moduleKind(field);
    if (kind) required.add(kind);
    else if (!(field in fixed) && !(field in profile.base)) throw new Error(`${job.id}: no generator knows field ${field} (required by the datafeed)`);
  }
  const { detector, influencers } = jobFields(job);
  for (const field of detector) {
    const kind = moduleKind(field);
    if (kind) required.add(kind);
    else if (!(field in fixed) && !(field in profile.base)) throw new Error(`${job.id}: no generator knows detector field ${field}`);
  }
  for (const field of influencers) {
    const kind = moduleKind(field);
    if (kind) required.add(kind);
  }
  const completed = profile.complete({ ...fixed });
  const constants = { ...profile.base, ...completed.fields };
  for (const k of Object.keys(constants)) if (constants[k] === undefined) delete constants[k];
  completed.kinds.forEach((k) => required.add(k));
  const kinds = [...profile.kindOrder.filter((k) => required.has(k)), ...[...required].filter((k) => !profile.kindOrder.includes(k))];

  const pools = kinds.map((kind): LanePool => {
    const world_ = poolOf(world, kind);
    const restriction = restrictions.get(kind);
    let entities = world_.entities;
    let weights = world_.weights;
    let constrained = false;
    if (restriction) {
      const keep = world_.entities.map((e) => [...restriction].every(([f, vs]) => vs.includes(String(e.fields[f]))));
      entities = world_.entities.filter((_, i) => keep[i]);
      weights = world_.weights.filter((_, i) => keep[i]);
      if (entities.length === 0) {
        const keyValues = restriction.get(isFieldKind(kind) ? fieldOfKind(kind) : KEY_FIELD[kind]);
        if (!keyValues) throw new Error(`${job.id}: cannot build ${kind} entities satisfying ${JSON.stringify([...restriction])}`);
        entities = keyValues.map((v) => buildEntity(kind, v, world.flavor));
        weights = entities.map(() => 1);
      }
      constrained = entities.length < world_.entities.length || !world_.entities.includes(entities[0]);
    }
    return { entities, weights, picker: new WeightedPicker(entities, weights), constrained };
  });
  // Each from-entity keeps a stable subset of the lane's values: a host runs its own few of the
  // discovery tools, so "this tool on this host" has a history in every partition.
  pools.forEach((pool, i) => {
    const affinity = world.affinities.get(kinds[i]);
    if (!affinity || !kinds.slice(0, i).includes(affinity.from)) return;
    if (!pool.constrained) return void (pool.affinity = affinity);
    const subsets = new Map<string, WeightedPicker<Entity>>();
    const size = Math.max(1, Math.ceil(pool.entities.length * 0.6));
    poolOf(world, affinity.from).entities.forEach((from, j) => {
      const first = pool.entities[j % pool.entities.length];
      const chosen = [
        first,
        ...random.sample(
          pool.entities.filter((e) => e !== first),
          size - 1,
        ),
      ];
      subsets.set(
        from.key,
        new WeightedPicker(
          chosen,
          chosen.map((e) => pool.weights[pool.entities.indexOf(e)]),
        ),
      );
    });
    pool.affinity = { from: affinity.from, subsets };
  });

  const d = job.job.analysis_config.detectors[0];
  const partitioned = !!(d.partition_field_name || d.over_field_name);
  let base = baseRate * (partitioned ? 3 : 1) * scale;
  // A skip rule that keeps only large results: add the ordinary lookups that cross it (see
  // kept_results.ts). Their rate does not follow `scale`: the rule's floor is absolute.
  const kept = keptResultsFor(job, moduleKind, world.flavor);
  const keptIndex = kept ? kinds.indexOf(kept.kind) : -1;
  if (kept && keptIndex >= 0) {
    const pool = pools[keptIndex];
    const extra = (kept.perBucket * TICK) / parseDuration(job.job.analysis_config.bucket_span);
    const share = extra / (base + extra);
    const sum = pool.weights.reduce((a, b) => a + b, 0);
    const weights = [...pool.weights.map((w) => (w / sum) * (1 - share)), ...kept.entities.map(() => share / kept.entities.length)];
    const entities = [...pool.entities, ...kept.entities];
    pools[keptIndex] = { ...pool, entities, weights, picker: new WeightedPicker(entities, weights) };
    base += extra;
  }
  const userIndex = kinds.indexOf('user');
  const schedule = (onboarding: boolean) => {
    const ratePerTick = new Float64Array(168);
    if (userIndex < 0) {
      for (let how = 0; how < 168; how++) ratePerTick[how] = base * machineActivity(how);
      return { ratePerTick, usersByHour: undefined };
    }
    const pool = pools[userIndex];
    const total = pool.weights.reduce((a, b) => a + b, 0);
    const usersByHour = Array.from({ length: 168 }, (_, how) => {
      const active = pool.entities.map((e, i) => presence(e, how, onboarding) * pool.weights[i]);
      const sum = active.reduce((a, b) => a + b, 0);
      ratePerTick[how] = sum === 0 ? 0 : aroundTheClock ? base : (base * sum) / total;
      return sum > 0 ? new WeightedPicker(pool.entities, active) : null;
    });
    return { ratePerTick, usersByHour };
  };
  const { ratePerTick, usersByHour } = schedule(false);
  const onboarding = usersByHour ? (schedule(true) as Lane['onboarding']) : undefined;

  const serialize: Serializer = () => {
    throw new Error(`${job.id}: lane used before compileLane()`);
  };
  return { jobId: job.id, kinds, constants, pools, ratePerTick, usersByHour, onboarding, serialize };
}

/** Compiles the lane's serialiser once its anomaly entities are known (their fields count too). */
export function compileLane(lane: Lane, injected: Entity[]): void {
  const kindFieldsUsed = lane.kinds.map((kind, i) => {
    const all = [...lane.pools[i].entities, ...injected.filter((e) => e.kind === kind)];
    return kindFields(kind)
      .filter((f) => all.some((e) => f in e.json))
      .map((field) => ({ field, always: all.every((e) => field in e.json) }));
  });
  const has = (k: EntityKind) => lane.kinds.includes(k);
  const randomFields = [has('process') ? 'process.pid' : '', has('source') && (has('destination') || has('dport')) ? 'source.port' : ''].filter(Boolean);
  const { serialize, fragments } = compileSerializer({ constants: lane.constants, kinds: lane.kinds, kindFields: kindFieldsUsed, randomFields });
  // Pre-render each entity's objects for this lane's shape (shared by lanes with the same shape).
  for (const { kind, signature, fields, depth } of fragments) {
    const kindName = lane.kinds[kind];
    for (const entity of [...lane.pools[kind].entities, ...injected.filter((e) => e.kind === kindName)]) {
      entity.fragments[signature] ??= renderFragment(entity, fields, depth);
    }
  }
  lane.serialize = serialize;
}

/**
 * Round-robin key of a dependent kind: its from-entity, plus the choices of earlier kinds that
 * depend on the same from-entity, so siblings (a user's source IPs and its API calls) do not
 * advance in lockstep and every combination appears.
 */
function warmupKey(lane: Lane, i: number, from: number, out: Entity[]): string {
  let key = `${lane.kinds[i]}<${out[from].key}`;
  for (let k = from + 1; k < i; k++) if (lane.pools[k].affinity?.from === lane.kinds[from]) key += `|${out[k].key}`;
  return key;
}

/**
 * How a lane's values are taken in turn: `cycle` always (a steady machine lane: every process on
 * every host, evenly); `cover` once through each list, then by weight (the warm-up: every value
 * and pair appears on the first day, and each entity's count is its ordinary one from then on —
 * a whole day of even turns gave a heavy source IP or host a quarter of its level, and the next
 * day's ordinary level scored x4 on the engine's second day, issue #8).
 */
export type TurnMode = 'cycle' | 'cover';

/** Next position of a round-robin over n items, or -1 once `cover` has been through them. */
function cycle(cursors: Map<string, number>, key: string, n: number, mode: TurnMode): number {
  const c = cursors.get(key) ?? 0;
  if (mode === 'cover' && c >= n) return -1;
  cursors.set(key, c + 1);
  return c % n;
}

/**
 * Where one event of a tick falls among the lane's n events of that tick: event i at
 * u = (u0 + i) / n. Picking by quantile instead of independently gives each entity its expected
 * count in every bucket with almost no Poisson spread, so a host's or an IP's ordinary busy bucket
 * is never a spike the engine would score (issue #8: small-count baseline records that alerted).
 * `offsets` (one per kind, drawn per tick) rotate the kinds against each other so pairs vary.
 */
export interface Strata {
  u: number;
  offsets: Float64Array;
  /** Per kind: where its pick fell inside the chosen entity's share (see WeightedPicker.pickAt). */
  rest: Float64Array;
}
const RESIDUAL = new Float64Array(1);

/**
 * Picks one entity per kind of the lane into `out`: forced ones first, then users by hour, then
 * each kind from its affinity subset (a host's own processes) when it has one. With `turns`
 * values are first taken in turn (see TurnMode), so every value and pair the baseline will ever
 * use appears on the first day: nothing "new" turns up later except the injected anomalies.
 * Returns false when nobody is active in that hour.
 */
export function pickEntities(
  lane: Lane,
  how: number,
  random: Random,
  out: Entity[],
  forced?: Partial<Record<EntityKind, Entity>>,
  turns?: TurnMode,
  // Round-robin positions of the warm-up: state of one stream pass, never of the (immutable) lane.
  cursors: Map<string, number> = new Map(),
  strata?: Strata,
): boolean {
  for (let i = 0; i < lane.kinds.length; i++) {
    const kind = lane.kinds[i];
    const f = forced?.[kind];
    if (f) {
      out[i] = f;
      if (strata) strata.rest[i] = strata.offsets[i];
      continue;
    }
    const pool = lane.pools[i];
    // Stratified: the first kind at the event's quantile, a dependent kind inside its from-entity's share.
    const pick = (picker: WeightedPicker<Entity>, from: number): Entity => {
      if (!strata) return picker.pick(random);
      // A dependent pick starts at its from-entity's phase: users at the same quantile (equal
      // shares, one event each) would otherwise all take their subsets' first host or IP together.
      const u = (from < 0 ? strata.u : strata.rest[from] + out[from].phase) + strata.offsets[i];
      const entity = picker.pickAt(u - Math.floor(u), RESIDUAL);
      strata.rest[i] = RESIDUAL[0];
      return entity;
    };
    // In turn (see TurnMode) while the turns last, else by weight.
    const turn = (items: readonly unknown[], key: string) => (turns ? cycle(cursors, key, items.length, turns) : -1);
    if (kind === 'user' && lane.usersByHour) {
      const picker = (turns && lane.onboarding ? lane.onboarding.usersByHour : lane.usersByHour)[how];
      if (!picker) return false;
      const t = turn(picker.activeItems, `user@${how}`);
      out[i] = t >= 0 ? picker.activeItems[t] : pick(picker, -1);
      continue;
    }
    const affinity = pool.affinity;
    if (affinity) {
      const j = lane.kinds.indexOf(affinity.from);
      const subset = affinity.subsets.get(out[j].key);
      if (subset) {
        const t = turns ? turn(subset.items, warmupKey(lane, i, j, out)) : -1;
        // Inside the share of the last earlier kind with the same from-entity, if any (a user's
        // CloudTrail action inside the pick of that user's source IP): inside the from-entity's
        // own, both kinds fell at the same quantile, so each IP kept to a few of the user's
        // actions and the others were rare in its city (issue #8: Decrypt 4 times in 25 days in
        // a partition of 50,000 events, 58.5 for a 50 rule).
        let within = j;
        for (let k = i - 1; k > j; k--)
          if (lane.pools[k].affinity?.from === affinity.from) {
            within = k;
            break;
          }
        out[i] = t >= 0 ? subset.items[t] : pick(subset, within);
        continue;
      }
    }
    const order = pool.turnOrder;
    const t = order ? turn(order, kind) : turn(pool.entities, kind);
    out[i] = t >= 0 ? pool.entities[order ? order[t] : t] : pick(pool.picker, -1);
  }
  return true;
}

/**
 * Each entity's expected share of the lane's ordinary events in hour-of-week `how` (its
 * onboarding days' with `onboarding`): what pickEntities draws, summed over the kinds an entity's pick depends on
 * (a host's share is its users' shares times its weight in each one's subset).
 */
export function entityShares(lane: Lane, how: number, onboarding = false): Map<Entity, number> {
  const shares = new Map<Entity, number>();
  for (const mine of kindShares(lane, how, onboarding, lane.kinds.length)) for (const [e, p] of mine) shares.set(e, (shares.get(e) ?? 0) + p);
  return shares;
}

/**
 * Per kind of the lane, the first `kinds` of them, each entity's expected share of the lane's
 * events (see entityShares); it stops before the users when nobody works in that hour.
 */
export function kindShares(lane: Lane, how: number, onboarding: boolean, kinds: number): Map<Entity, number>[] {
  const byKind: Map<Entity, number>[] = [];
  for (let i = 0; i < kinds; i++) {
    const kind = lane.kinds[i];
    const pool = lane.pools[i];
    const mine = new Map<Entity, number>();
    const add = (picker: WeightedPicker<Entity>, p: number) => {
      for (const [e, q] of picker.shares()) if (q > 0) mine.set(e, (mine.get(e) ?? 0) + p * q);
    };
    if (kind === 'user' && lane.usersByHour) {
      const picker = (onboarding && lane.onboarding ? lane.onboarding.usersByHour : lane.usersByHour)[how];
      if (!picker) return byKind;
      add(picker, 1);
    } else if (pool.affinity && lane.kinds.indexOf(pool.affinity.from) >= 0) {
      for (const [from, p] of byKind[lane.kinds.indexOf(pool.affinity.from)]) add(pool.affinity.subsets.get(from.key) ?? pool.picker, p);
    } else add(pool.picker, 1);
    byKind.push(mine);
  }
  return byKind;
}

/** The document as a flat dotted-field object: what the evaluator reads when planning. */
export function materialize(lane: Lane, entities: Entity[]): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...lane.constants };
  entities.forEach((e) => Object.assign(doc, e.fields));
  return doc;
}

/** The lane's busiest hour of the week (the first, if several tie). */
export function busiestHour(lane: Lane): number {
  return lane.ratePerTick.indexOf(Math.max(...lane.ratePerTick));
}

/**
 * What planning estimates from: `n` draws of the lane's events in hour-of-week `how`, each as the
 * entities picked and the flat document (draws with nobody active are left out).
 */
export function* sampleLane(lane: Lane, how: number, random: Random, n: number): Generator<{ entities: Entity[]; doc: Record<string, unknown> }> {
  const entities: Entity[] = [];
  for (let s = 0; s < n; s++) if (pickEntities(lane, how, random, entities)) yield { entities, doc: materialize(lane, entities) };
}
