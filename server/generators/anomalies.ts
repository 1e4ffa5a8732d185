/**
 * Anomaly shapers (the detector registry, detectors/, says which function uses which): the events that make the job's model score a
 * record high (elastic/ml-cpp): a value never seen in its partition for `rare`, a burst far
 * above the entity's own baseline for counts, a spike of distinct values or of high-entropy
 * unique strings, and a logon at an hour the user never logs on, alone in its bucket.
 */
import type { CatalogueJob } from '../../common/catalogue/types';
import { compileQuery } from '../verify/query_evaluator';
import { DEFAULT_PARAMS } from '../engine/params';
import { buildEntity, novelKey, type Entity, type EntityKind } from './entities';
import { busiestHour, fieldKind, sampleLane, type Lane } from './lanes';
import { Random } from './random';
import { HOUR, hourOfWeek, MINUTE, TICK } from './time';
import type { Suppression } from './suppression';
import type { World } from './world';

export interface InjectedEvent {
  ts: number;
  lane: Lane;
  forced: Partial<Record<EntityKind, Entity>>;
}

/** The module's incident: the same attacker, victim user and host across its bursts. */
export interface Incident {
  forced: Partial<Record<EntityKind, Entity>>;
  /** People whose logon hour is the time_of_day anomaly: kept out of every other anomaly. */
  timeOfDayUsers: Entity[];
  /** A live round's time_of_day anomaly ends here, before the round's end (plan.ts planIncident). */
  timeOfDayAnchor?: number;
  /** Counter so every novel value in a module is distinct. */
  novel: number;
  /** Novel values already injected, per by-field and bucket: jobs that read the same field share
   * one novelty instead of each seeing the others' as competing ones (issue #8). */
  shared: Map<string, { entity: Entity; ts: number }>;
  /** Live mode: the incident's round (0: the plan's own); later rounds take other default entities. */
  round?: number;
}

export interface ShapedAnomaly {
  /** Partition/by/over field values the anomaly belongs to. */
  scope: Record<string, string>;
  /** The anomalous field, and the injected value (rare, time_of_day) or amount (counts). */
  field: string;
  value: string | number;
  description: string;
  events: InjectedEvent[];
  /** Baseline events removed (low_* functions: a drop, not a spike); see suppression.ts. */
  suppress?: Suppression[];
}

export interface ShapeInput {
  world: World;
  job: CatalogueJob;
  lane: Lane;
  moduleLanes: Lane[];
  incident: Incident;
  bucketStart: number;
  bucketSpan: number;
  /** Which of the job's anomalies this is (0 the latest, each further one earlier), of how many. */
  ordinal: number;
  of: number;
  /** How many anomalies the other jobs have (--anomalies-per-job). */
  perJob: number;
  random: Random;
  /** The anomalies follow the timeline (timeline.ts): each stage's buckets are its own. */
  timeline?: boolean;
}

export function inLane(lane: Lane, entity: Entity): boolean {
  const i = lane.kinds.indexOf(entity.kind);
  return i >= 0 && (!lane.pools[i].constrained || lane.pools[i].entities.includes(entity));
}

/** The incident's entities that this lane can carry. */
export function incidentFor(lane: Lane, incident: Incident): Partial<Record<EntityKind, Entity>> {
  const forced: Partial<Record<EntityKind, Entity>> = {};
  for (const [kind, entity] of Object.entries(incident.forced) as [EntityKind, Entity][]) if (inLane(lane, entity)) forced[kind] = entity;
  return forced;
}

/**
 * The entity of a count anomaly's scope field. The engine scores an anomaly like one the series
 * has had before lower (engine params count.repeatFactor: a second equal spike 69 against 94), so
 * each of a job's extra anomalies goes to another series: an entity with the `ordinal`-th value of
 * `field` after the first anomaly's (several destinations share a country), among the pool's or,
 * where the kind follows a forced one (a user's own source IPs), among that one's: another
 * person's IP would be a new pair for the rare source-IP job. Undefined when there is no other.
 */
export function seriesEntity(
  lane: Lane,
  kind: EntityKind,
  forced: Partial<Record<EntityKind, Entity>>,
  first: Entity,
  ordinal: number,
  field: string,
): Entity | undefined {
  if (ordinal === 0) return first;
  const pool = lane.pools[lane.kinds.indexOf(kind)];
  const from = pool.affinity && forced[pool.affinity.from];
  const entities = from ? (pool.affinity!.subsets.get(from.key)?.activeItems ?? [first]) : pool.entities;
  const byValue = new Map<unknown, Entity>([[first.fields[field], first]]);
  for (const e of [...entities.slice(Math.max(0, entities.indexOf(first))), ...entities]) if (!byValue.has(e.fields[field])) byValue.set(e.fields[field], e);
  return [...byValue.values()][ordinal];
}

/**
 * How much larger a single series' count burst is than the job's earlier one: a repeat scores
 * less unless its deviation exceeds the earlier one's by count.repeatGrowth (log ratio), so each
 * later burst is that much larger and a little more.
 */
export const REPEAT_GROWTH = Math.exp(DEFAULT_PARAMS.count.repeatGrowth + 0.2);

/** The fields that split a detector into series (by, partition, over), those it has. */
export function seriesFields(d: { by_field_name?: string; partition_field_name?: string; over_field_name?: string }): string[] {
  return [d.by_field_name, d.partition_field_name, d.over_field_name].filter((f): f is string => !!f);
}

export const spread = (start: number, span: number, n: number) => Array.from({ length: n }, (_, j) => start + Math.floor(((j + 0.5) / n) * span));

/**
 * Expected matching events per bucket for `scope` at the busiest hour (or at the hour of `atMs`),
 * sampled from every lane.
 */
export function peakPerBucket(input: ShapeInput, scope: Partial<Record<EntityKind, Entity>>, atMs?: number): number {
  const matches = compileQuery(input.job.datafeed.query);
  const random = Random.scoped('estimate', input.job.id);
  const ticks = input.bucketSpan / TICK;
  // The series is a value of the job's by, partition or over field, which several entities may
  // share (the destination IPs of one country): every event with that value is in it.
  const values = seriesFields(input.job.job.analysis_config.detectors[0]).flatMap((field) => {
    const value = scope[fieldKind(field)!]?.fields[field];
    return value === undefined ? [] : [[field, value] as const];
  });
  const byValue = values.length > 0 && values.length === Object.keys(scope).length;
  let total = 0;
  for (const lane of input.moduleLanes) {
    const how = atMs === undefined ? busiestHour(lane) : hourOfWeek(atMs);
    const peak = lane.ratePerTick[how];
    if (peak === 0) continue;
    let hit = 0;
    const samples = 200;
    for (const { entities, doc } of sampleLane(lane, how, random, samples)) {
      if (!matches(doc)) continue;
      if (byValue ? values.every(([field, value]) => doc[field] === value) : Object.values(scope).every((e) => entities.includes(e!))) hit++;
    }
    total += peak * ticks * (hit / samples);
  }
  return total;
}

export function scopeOf(job: CatalogueJob, forced: Partial<Record<EntityKind, Entity>>): Record<string, string> {
  const d = job.job.analysis_config.detectors[0];
  const scope: Record<string, string> = {};
  for (const field of [d.partition_field_name, d.over_field_name, d.by_field_name]) {
    if (!field) continue;
    const entity = forced[fieldKind(field)!];
    const value = entity?.fields[field] ?? (field === 'dns_question_etld' ? entity?.fields['dns.question.registered_domain'] : undefined);
    if (value !== undefined) scope[field] = String(value);
  }
  return scope;
}

export function rare(input: ShapeInput): ShapedAnomaly {
  const { job, lane, world, incident, random } = input;
  const d = job.job.analysis_config.detectors[0];
  const byKind = d.by_field_name && fieldKind(d.by_field_name);
  if (!byKind) throw new Error(`${job.id}: rare without a by field is not supported`);
  const forced = incidentFor(lane, incident);
  const partitionKind = d.partition_field_name ? fieldKind(d.partition_field_name) : undefined;
  const round = incident.round ?? 0;
  // A bucket of the anomalies' 2-hour step or longer holds the other jobs' novelties on the
  // incident's host (new processes of the same partition): such a job's anomalies all go to other
  // partitions (issue #8: explorer.exe new to the host scored 56-58 beside two of them). Not on
  // the timeline, whose stages place such a job before the others' novelties on the host (and
  // there, on another host, the others' novelties outscored it in its own view: 63.3 to 62.9).
  // With extra anomalies and a bucket longer than that step, the plan puts this job's anomalies in
  // whole buckets before the others' (plan.ts longBucket): there the latest stays on the incident's
  // host, as on the timeline, and the others' novelties that follow it on the host are that
  // partition's later ones. On another host it had tied with them (92.5 to 92.7).
  const before = input.perJob > 1 && input.bucketSpan > 2 * HOUR;
  const apart = partitionKind !== undefined && input.bucketSpan >= 2 * HOUR && !input.timeline && !(before && input.ordinal === 0);
  const pool = lane.pools[lane.kinds.indexOf(byKind)];
  if (partitionKind && (!forced[partitionKind] || input.ordinal > 0 || apart)) {
    // The headline in the incident's partition; each extra anomaly in a partition of its own, so
    // the novelties of one partition do not share or precede each other (issue #8, point 4).
    // Densest partitions first: a partition's score grows with its (bucket, value) observations.
    // Around-the-clock accounts and machines before people (a person who works office hours has
    // a third of a service account's: 90 days, 5,000 against 16,600; predicted 84.5 against 99.6
    // for a 75 rule), then the partitions with the most values of their own (userinit.exe starts
    // one program: 969 in 30 days, predicted 62.6; explorer.exe starts eleven: 10,189, 96.4).
    const partitionPool = lane.pools[lane.kinds.indexOf(partitionKind)];
    // The by-values a partition has: its own subset (a host's processes), or the values whose
    // subset holds it (the programs a parent process starts).
    const variety = (e: Entity) => {
      if (pool?.affinity?.from === partitionKind) return pool.affinity.subsets.get(e.key)?.items.length ?? 0;
      if (partitionPool.affinity?.from !== byKind) return 0;
      let n = 0;
      for (const subset of partitionPool.affinity.subsets.values()) if (subset.items.includes(e)) n++;
      return n;
    };
    const entities = partitionPool.entities.filter((e) => e !== incident.forced[partitionKind] || (input.ordinal === 0 && !apart));
    const densest = [...entities].sort((a, b) => Number(a.human ?? false) - Number(b.human ?? false) || variety(b) - variety(a));
    // Where the incident's host holds the first anomaly of a job placed before the others', the
    // next takes the densest other partition.
    const next = before && !input.timeline && input.ordinal > 0 && forced[partitionKind] ? 1 : 0;
    forced[partitionKind] = densest[(round + input.ordinal - next) % densest.length];
  }
  const sharedKey = `${d.by_field_name}@${input.bucketStart}`;
  const earlier = incident.shared.get(sharedKey);
  // A partitioned job scores a value new to the partition; one the rest of the company already
  // uses (another host's process) is then a novelty for this job only, not for the unpartitioned
  // jobs that read the same field (issue #8: their top record was this job's injection).
  const own =
    byKind === 'process' && partitionKind && pool?.affinity?.from === partitionKind ? pool.affinity.subsets.get(forced[partitionKind]!.key)?.items : undefined;
  const knownElsewhere = own ? pool.entities.filter((e) => !own.includes(e) && !incident.timeOfDayUsers.includes(e)) : [];
  if (knownElsewhere.length && !earlier) {
    // Each extra anomaly (--anomalies-per-job) another process: one seen before in this partition is no longer new.
    knownElsewhere.push(...knownElsewhere.splice(0, (round * 10 + input.ordinal) % knownElsewhere.length));
    forced[byKind] = knownElsewhere[0];
    const ts = input.bucketStart + Math.floor((0.2 + 0.5 * random.next()) * Math.min(input.bucketSpan, 4 * TICK));
    return neverSeen(job, lane, forced, knownElsewhere[0], ts, ' (known elsewhere)');
  }
  let key = novelKey(byKind, world.flavor, incident.novel++);
  // Never reuse a value another module already injected in another bucket.
  const taken = new Set([...incident.shared.values()].map((v) => v.entity.key));
  while (!earlier && taken.has(key)) key = novelKey(byKind, world.flavor, incident.novel++);
  // The same value, built with this module's own fields (a Linux user has no Windows domain).
  const novel = buildEntity(byKind, earlier?.entity.key ?? key, world.flavor, { novel: true });
  forced[byKind] = novel;
  // The incident's new programs are started by its dropper (a parent no baseline process has), not
  // by whichever parent the lane would pick for a program it does not know: picked by weight,
  // that was explorer.exe, where v3_windows_anomalous_process_creation (rare process per parent)
  // scored another job's new program 96.2, above its own anomalies in the busiest parents (random
  // set s26: 91.7, 86.3, 84.9). A partition younger than a day is not scored (engine calibration).
  if (byKind === 'process' && partitionKind !== 'parent' && lane.kinds.includes('parent')) forced.parent = dropper(world, round);
  const ts = earlier?.ts ?? input.bucketStart + Math.floor((0.2 + 0.5 * random.next()) * Math.min(input.bucketSpan, 4 * TICK));
  if (!earlier) incident.shared.set(sharedKey, { entity: novel, ts });
  return neverSeen(job, lane, forced, novel, ts);
}

/** The program that starts the incident's new programs in live round `round`: never a baseline parent. */
function dropper(world: World, round: number): Entity {
  return buildEntity('parent', novelKey('parent', world.flavor, 8 * round), world.flavor, { novel: true });
}

/** A rare job's anomaly: `entity` as its by-field value, never seen before in the rest of the scope. */
function neverSeen(job: CatalogueJob, lane: Lane, forced: Partial<Record<EntityKind, Entity>>, entity: Entity, ts: number, note = ''): ShapedAnomaly {
  const by = job.job.analysis_config.detectors[0].by_field_name!;
  const scope = scopeOf(job, forced);
  delete scope[by];
  const value = String(entity.fields[by] ?? entity.key);
  const where = Object.entries(scope)
    .map(([f, v]) => `${f}=${v}`)
    .join(', ');
  return { scope, field: by, value, description: `${by} "${value}" never seen before${where ? ` for ${where}` : ''}${note}`, events: [{ ts, lane, forced }] };
}

export function timeOfDay(input: ShapeInput): ShapedAnomaly {
  const user = input.incident.timeOfDayUsers[input.ordinal];
  const ts = input.bucketStart + 7 * MINUTE;
  const local = new Date(ts + (user.utcOffset ?? 0) * 3600_000).toISOString().slice(11, 16);
  return {
    scope: { 'user.name': user.key },
    field: '@timestamp',
    value: local,
    description: `${user.key} logs on at ${local} local time (works 08:00-18:00 UTC${(user.utcOffset ?? 0) >= 0 ? '+' : ''}${user.utcOffset}), alone in its bucket`,
    events: [{ ts, lane: input.lane, forced: { user } }],
  };
}

/**
 * Where an extra count anomaly (`ordinal` > 0) goes when its job's one series field belongs to an
 * account (a user's own hosts or source IPs): to another around-the-clock account, with that
 * account's values, the least busy first (a partitioned rare job's extra anomalies take the
 * busiest, anomalies.ts rare). On the incident's account the extra bursts of the module's count
 * jobs shared its logons: the host job's bursts carried the incident's source IP and, sized
 * against the host's level at each hour, made the source-IP job's series grow less than its own
 * repeats needed (issue #8: 79.1 for a 75 rule). Another account's first spike is nobody's
 * repeat. Not a person's: off work, their logons were odd hours that auth_rare_hour_for_a_user
 * scored above its own anomalies (94.3); at work, their series start at their first office day
 * and were younger than the job (84.4 against 75 + 10 four days into a job). Undefined where the
 * series does not follow an account, or there is no other.
 */
export function accountSeries(
  input: ShapeInput,
  forced: Partial<Record<EntityKind, Entity>>,
  field: string,
): { forced: Partial<Record<EntityKind, Entity>>; entity: Entity } | undefined {
  const { lane, incident } = input;
  const kind = fieldKind(field)!;
  const affinity = lane.pools[lane.kinds.indexOf(kind)]?.affinity;
  const owner = affinity && forced[affinity.from];
  if (!owner || input.ordinal === 0) return undefined;
  const list = lane.pools[lane.kinds.indexOf(affinity.from)].entities.filter((p) => !p.human && p !== owner).reverse();
  // An account's own values first (its own server before the file server everyone uses).
  const owners = new Map<Entity, number>();
  for (const subset of affinity.subsets.values()) for (const e of subset.activeItems) owners.set(e, (owners.get(e) ?? 0) + 1);
  // Each ordinal its own account and value, none the incident's: the choices of the ordinals
  // before are made again (pure), so no two of the job's anomalies share a series.
  const used = new Set([forced[kind]?.fields[field]]);
  let chosen: { account: Entity; entity: Entity } | undefined;
  const round = incident.round ?? 0;
  for (let k = 1, i = round; k <= input.ordinal && i < round + list.length; i++) {
    const account = list[i % list.length];
    const items = [...(affinity.subsets.get(account.key)?.activeItems ?? [])].sort((a, b) => owners.get(a)! - owners.get(b)!);
    const entity = items.find((e) => !used.has(e.fields[field]));
    if (!entity) continue;
    used.add(entity.fields[field]);
    chosen = { account, entity };
    k++;
  }
  if (!chosen || used.size <= input.ordinal) return undefined;
  // The account's own values follow it: none of the incident's.
  const moved: Partial<Record<EntityKind, Entity>> = { ...forced, [affinity.from]: chosen.account, [kind]: chosen.entity };
  lane.pools.forEach((pool, i) => {
    if (pool.affinity?.from === affinity.from && lane.kinds[i] !== kind) delete moved[lane.kinds[i]];
  });
  return { forced: moved, entity: chosen.entity };
}

export function burst(input: ShapeInput): ShapedAnomaly {
  let forced = incidentFor(input.lane, input.incident);
  const d = input.job.job.analysis_config.detectors[0];
  const scopeFields = seriesFields(d);
  const scopeEntities: Partial<Record<EntityKind, Entity>> = {};
  // The first anomaly's series, and whether there are others enough for all of the job's.
  const firsts = scopeFields.map((field) => {
    const kind = fieldKind(field)!;
    const entities = input.lane.pools[input.lane.kinds.indexOf(kind)].entities;
    return { field, kind, first: forced[kind] ?? entities[(input.incident.round ?? 0) % entities.length] };
  });
  // Extra anomalies on other accounts' series, if there are accounts enough for all of them.
  const elsewhere = scopeFields.length === 1 && input.of > 1 && !!accountSeries({ ...input, ordinal: input.of - 1 }, forced, scopeFields[0]);
  const account = elsewhere ? accountSeries(input, forced, scopeFields[0]) : undefined;
  const series =
    elsewhere || (firsts.length > 0 && firsts.every(({ field, kind, first }) => seriesEntity(input.lane, kind, forced, first, input.of - 1, field)));
  if (account) forced = account.forced;
  const others = account
    ? [[firsts[0].kind, account.entity] as const]
    : firsts.map(({ field, kind, first }) => [kind, series ? seriesEntity(input.lane, kind, forced, first, input.ordinal, field)! : first] as const);
  for (const [kind, entity] of others) scopeEntities[kind] = forced[kind] = entity;
  // One series for all of the job's anomalies (not enough other entities; a job without a scope
  // field gets one anomaly, plan.ts): each later burst grows past the one before (the earliest is
  // ordinal of - 1), against the level of its own hour (two hours apart, the busiest-hour level had
  // let the ratio grow only 1.6x for 2.5x events).
  const repeats = input.of > 1 && !series;
  const lambda = peakPerBucket(input, scopeEntities, repeats ? input.bucketStart + input.bucketSpan - TICK : undefined);
  // A job of one series keeps one anomaly, the latest; the other jobs' earlier ones may have
  // raised a `logs-*` job's view of its series before it (x4 at night, 96), and it would be a
  // repeat of that rise: half as large again (x12 against x4), it is past count.repeatGrowth.
  const lead = !scopeFields.length && input.perJob > 1 ? 1.5 : 1;
  const growth = (repeats ? REPEAT_GROWTH ** (input.of - 1 - input.ordinal) : 1) * lead;
  const n = Math.ceil(growth * Math.max(8 * lambda, lambda + 12 * Math.sqrt(lambda) + 10, 25));
  const scope = scopeOf(input.job, forced);
  const where = Object.entries(scope)
    .map(([f, v]) => `${f}=${v}`)
    .join(', ');
  return {
    scope,
    field: 'count',
    value: n,
    description: `burst of ${n} events in one bucket${where ? ` for ${where}` : ''} (baseline peak about ${lambda.toFixed(1)} per bucket)`,
    // In a bucket longer than the 15-minute tick, the burst takes its last 15 minutes. Spread over
    // three hours (high_count_events_for_a_host_name), the host's 5-minute low_count job learnt a
    // higher level and scored the return to normal after it as a drop (94.9) above its own
    // anomaly (92.3) whenever the end of the data was not on a 3-hour boundary.
    events: spread(input.bucketStart + Math.max(0, input.bucketSpan - TICK), Math.min(input.bucketSpan, TICK), n).map((ts) => ({
      ts,
      lane: input.lane,
      forced,
    })),
  };
}

/** Distinct never-seen values of a field: e.g. AccessDenied messages for many resources (enumeration). */
function distinctKeys(kind: EntityKind, input: ShapeInput, n: number): string[] {
  if (kind === 'aws_error') {
    const user = String(input.incident.forced.user?.fields['aws.cloudtrail.user_identity.arn'] ?? 'arn:aws:iam::123456789012:user/unknown');
    const actions = [
      'iam:ListAccessKeys',
      'iam:GetUser',
      's3:GetBucketPolicy',
      'ec2:DescribeSnapshots',
      'kms:ListKeys',
      'secretsmanager:ListSecrets',
      'lambda:GetFunction',
      'rds:DescribeDBSnapshots',
    ];
    return Array.from(
      { length: n },
      (_, j) =>
        `AccessDenied\u0000User: ${user} is not authorized to perform: ${actions[j % actions.length]} on resource: arn:aws:${actions[j % actions.length].split(':')[0]}:us-east-1:123456789012:resource/prod-${j}`,
    );
  }
  return Array.from({ length: n }, () => novelKey(kind, input.world.flavor, input.incident.novel++));
}

export function distinct(input: ShapeInput): ShapedAnomaly {
  const d = input.job.job.analysis_config.detectors[0];
  const kind = fieldKind(d.field_name!)!;
  const forced = incidentFor(input.lane, input.incident);
  const n = Math.max(30, 4 * input.lane.pools[input.lane.kinds.indexOf(kind)].entities.length);
  const values = distinctKeys(kind, input, n).map((k) => buildEntity(kind, k, input.world.flavor, { novel: true }));
  return {
    scope: scopeOf(input.job, forced),
    field: d.field_name!,
    value: n,
    description: `${n} distinct ${d.field_name} values in one bucket`,
    events: spread(input.bucketStart, input.bucketSpan, n).map((ts, j) => ({ ts, lane: input.lane, forced: { ...forced, [kind]: values[j] } })),
  };
}

/** Unique high-entropy strings: obfuscated script blocks, or DNS labels carrying encoded data. */
export function infoContent(input: ShapeInput): ShapedAnomaly {
  const d = input.job.job.analysis_config.detectors[0];
  const kind = fieldKind(d.field_name!)!;
  const forced = incidentFor(input.lane, input.incident);
  const random = input.random;
  let keys: string[];
  if (kind === 'dns') {
    const domain = novelKey('server_domain', input.world.flavor, input.incident.novel++).split('.').slice(-2).join('.');
    keys = Array.from({ length: 150 }, () => `${random.hex(32)}.${random.hex(16)}.${domain}`);
  } else if (kind === 'script') {
    keys = Array.from({ length: 8 }, () => {
      const blob = Array.from({ length: 24 }, () => Buffer.from(random.hex(64), 'hex').toString('base64')).join('');
      return `powershell -nop -w hidden -enc ${Buffer.from(`IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${blob}')))`).toString('base64')}`;
    });
  } else {
    keys = Array.from({ length: 60 }, () => `${novelKey(kind, input.world.flavor, input.incident.novel++)}-${random.hex(24)}`);
  }
  const values = keys.map((k) => buildEntity(kind, k, input.world.flavor, { novel: true }));
  const scopeForced = { ...forced, [kind]: values[0] };
  return {
    scope: scopeOf(input.job, scopeForced),
    field: d.field_name!,
    value: keys.length,
    description: `${keys.length} unique high-entropy ${d.field_name} values in one bucket`,
    events: spread(input.bucketStart, Math.min(input.bucketSpan, 10 * MINUTE), keys.length).map((ts, j) => ({
      ts,
      lane: input.lane,
      forced: { ...forced, [kind]: values[j] },
    })),
  };
}
