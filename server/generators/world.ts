/**
 * A module's world: its entity populations (with popularity weights) and the stable
 * relationships between them (which hosts a user uses, which processes a host runs).
 * Every lane of the module draws from the same world, so an event produced for one job is
 * ordinary data for every other job that reads it.
 */
import { baselineKeys, buildEntity, type Entity, type EntityKind, type Flavor } from './entities';
import type { ModuleProfile } from './profiles';
import { Random, WeightedPicker, zipfWeights } from './random';
import { WINDOWS_PARENT_OF } from './vocabulary';

export interface Pool {
  entities: Entity[];
  weights: number[];
}

export interface Affinity {
  from: EntityKind;
  /** from-entity key -> its own weighted subset of to-entities. */
  subsets: Map<string, WeightedPicker<Entity>>;
}

/**
 * The organisation's people, shared by every module: a person has one time zone whatever account
 * (carol.chen on Windows, cchen on Linux) the module knows them by. person index -> UTC offset,
 * for the people whose schedule the plan sets (the time-of-day anomaly's users).
 */
export type People = ReadonlyMap<number, number>;

export interface World {
  profile: ModuleProfile;
  flavor: Flavor;
  people: People;
  pools: Map<EntityKind, Pool>;
  /** to-kind -> how it depends on another kind. */
  affinities: Map<EntityKind, Affinity>;
}

export function poolOf(world: World, kind: EntityKind): Pool {
  let pool = world.pools.get(kind);
  if (!pool) {
    const keys = baselineKeys(kind, world.flavor);
    const entities = keys.map(({ key, os, ...extra }) => {
      const utcOffset = extra.person !== undefined ? world.people.get(extra.person) : undefined;
      // A host of another OS (Flavor.hosts) is built as that OS's modules build it: the same fields in every stream.
      const flavor = os && os !== world.flavor.os ? { ...world.flavor, os } : world.flavor;
      return buildEntity(kind, key, flavor, utcOffset === undefined ? extra : { ...extra, utcOffset });
    });
    pool = { entities, weights: zipfWeights(entities.length) };
    world.pools.set(kind, pool);
  }
  return pool;
}

/** What every module of one demo shares: the seed its relationships are drawn from, and its people. */
export interface Organisation {
  seed: string;
  people: People;
}

export function buildWorld(profile: ModuleProfile, flavor: Flavor, organisation: Organisation): World {
  const { seed, people } = organisation;
  const world: World = { profile, flavor, people, pools: new Map(), affinities: new Map() };
  // Relationships belong to the organisation, not to a module: carol.chen's workstation and source
  // IPs are the same in the authentication and the Windows endpoint streams (modules with the same
  // flavor share the pools). Each from-entity's choices are one seeded permutation, so a module
  // that keeps 3 hosts per user keeps the 2 another module keeps, and one more.
  const flavorKey = `${flavor.os}/${flavor.users}/${flavor.sources}`;
  for (const kind of profile.kindOrder) poolOf(world, kind);
  for (const [from, to, size] of profile.affinities) {
    const fromPool = poolOf(world, from);
    const toPool = poolOf(world, to);
    const weightOf = new Map(toPool.entities.map((e, i) => [e.key, toPool.weights[i]]));
    const subsets = new Map<string, WeightedPicker<Entity>>();
    fromPool.entities.forEach((fromEntity, i) => {
      let chosen: Entity[];
      if (from === 'process' && to === 'parent' && flavor.os === 'windows') {
        const parents = WINDOWS_PARENT_OF[fromEntity.key] ?? ['explorer.exe'];
        chosen = parents.map((p) => toPool.entities.find((e) => e.key === p) ?? buildEntity('parent', p, flavor));
      } else {
        // Round-robin first so every to-entity belongs to some subset, then random picks.
        const first = toPool.entities[i % toPool.entities.length];
        const random = Random.scoped(seed, 'organisation', flavorKey, from, to, fromEntity.key);
        chosen = [first, ...random.sample(toPool.entities.filter((e) => e !== first), size - 1)];
      }
      subsets.set(fromEntity.key, new WeightedPicker(chosen, chosen.map((e) => weightOf.get(e.key) ?? 1)));
    });
    world.affinities.set(to, { from, subsets });
  }
  return world;
}
