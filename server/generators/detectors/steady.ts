/**
 * Steady lanes (FunctionSpec.steady, and every lane of a profile marked steady): a drop or a
 * per-bucket sum is only visible against a baseline that does not itself drop. The stream writes
 * such a lane's expected count each step, spread evenly over its entities (stream.ts); here its
 * series entities (partition, over, and by except for rare, whose by field is the rare value) are
 * limited to the few busiest, keeping the module incident's own, so each series has enough events
 * per bucket that an empty one is an anomaly and not Poisson chance (the engine's small-count test
 * needs about ten); and a lane without people gets the same rate at every hour (the day/night step
 * of machines' activity is itself a drop to a two-sided function).
 */
import type { Detector } from '../../../common/catalogue/types';
import { familyOf } from '../../engine/registry';
import type { Incident } from '../anomalies';
import type { Entity } from '../entities';
import { fieldKind, type Lane } from '../lanes';
import type { ModuleProfile } from '../profiles';
import { WeightedPicker } from '../random';

export const STEADY_SERIES = 4;

type Floor = NonNullable<ModuleProfile['steadyFloor']>;

/** One round of turns over items with integer weights, each item's turns spread evenly (smooth weighted round robin). */
export function turnOrder(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const order: number[] = [];
  for (let k = 0; k < total; k++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    order.push(best);
  }
  return order;
}

export function makeSteady(lane: Lane, d: Detector, incident?: Incident, floor?: Floor): void {
  lane.steady = true;
  if (!lane.usersByHour) lane.ratePerTick.fill(lane.ratePerTick.reduce((a, b) => a + b, 0) / lane.ratePerTick.length);
  const series = [d.partition_field_name, d.over_field_name, familyOf(d.function) === 'rare' ? undefined : d.by_field_name];
  for (const field of series) {
    if (!field) continue;
    const kind = fieldKind(field)!;
    const pool = lane.pools[lane.kinds.indexOf(kind)];
    if (!pool || pool.entities.length <= STEADY_SERIES) continue;
    const own = incident?.forced[kind];
    const floored = (e: Entity) => kind === 'host' && floor !== undefined && e.fields['host.os.type'] === floor.os;
    const keep: Entity[] = own && pool.entities.includes(own) ? [own] : [];
    for (const e of pool.entities) if (keep.length < STEADY_SERIES && !keep.includes(e) && !floored(e)) keep.push(e);
    const busy = keep.length;
    keep.push(...pool.entities.filter(floored));
    pool.weights = keep.map((e) => pool.weights[pool.entities.indexOf(e)]);
    pool.entities = keep;
    pool.picker = new WeightedPicker(pool.entities, pool.weights);
    pool.constrained = true;
    pool.affinity = undefined;
    if (keep.length > busy) {
      // The floor hosts take `share` of a busy host's turns; the busy hosts keep their rate.
      const w = Math.max(1, Math.round(1 / floor!.share));
      pool.turnOrder = turnOrder(keep.map((_, i) => (i < busy ? w : 1)));
      const scale = (busy * w + keep.length - busy) / (busy * w);
      for (let h = 0; h < lane.ratePerTick.length; h++) lane.ratePerTick[h] *= scale;
    }
  }
}

/**
 * A lane of a steady profile (the custom module): steady, except people's hours (time family),
 * where only people are kept — a service account works around the clock, so its times of day have
 * no habit to break and, learnt from its first few buckets, look like anomalies themselves.
 */
export function prepareSteadyLane(lane: Lane, d: Detector, incident: Incident, floor?: Floor): void {
  if (familyOf(d.function) !== 'time') return makeSteady(lane, d, incident, floor);
  const i = lane.kinds.indexOf('user');
  const pool = lane.pools[i];
  if (!pool || !lane.usersByHour) return;
  const people = pool.entities.filter((e) => e.human);
  if (!people.length || people.length === pool.entities.length) return;
  const weights = people.map((e) => pool.weights[pool.entities.indexOf(e)]);
  const scale = (pickers: (WeightedPicker<Entity> | null)[], rate: Float64Array) =>
    pickers.map((picker, how) => {
      if (!picker) return null;
      const active = people.map((e, j) => (picker.activeItems.includes(e) ? weights[j] : 0));
      const kept = active.reduce((a, b) => a + b, 0);
      const total = picker.activeItems.reduce((a, e) => a + (pool.weights[pool.entities.indexOf(e)] ?? 0), 0);
      rate[how] *= total > 0 ? kept / total : 0;
      return kept > 0 ? new WeightedPicker(people, active) : null;
    });
  lane.usersByHour = scale(lane.usersByHour, lane.ratePerTick);
  if (lane.onboarding) lane.onboarding.usersByHour = scale(lane.onboarding.usersByHour, lane.onboarding.ratePerTick);
  pool.entities = people;
  pool.weights = weights;
  pool.picker = new WeightedPicker(people, weights);
  pool.constrained = true;
}
