/**
 * Steady lanes (FunctionSpec.steady): a drop or a per-bucket sum is only visible against a
 * baseline that does not itself drop. The stream writes such a lane's expected count each step,
 * spread evenly over its entities (stream.ts); here its split entities (partition/by/over) are
 * limited to the few busiest, so each series has enough events per bucket that an empty one is an
 * anomaly and not Poisson chance (the engine's small-count test needs about ten).
 */
import type { Detector } from '../../../common/catalogue/types';
import type { Lane } from '../lanes';
import { fieldKind } from '../lanes';
import { WeightedPicker } from '../random';

export const STEADY_SERIES = 4;

export function makeSteady(lane: Lane, d: Detector): void {
  lane.steady = true;
  for (const field of [d.partition_field_name, d.by_field_name, d.over_field_name]) {
    if (!field) continue;
    const i = lane.kinds.indexOf(fieldKind(field)!);
    const pool = lane.pools[i];
    if (!pool || pool.entities.length <= STEADY_SERIES) continue;
    pool.entities = pool.entities.slice(0, STEADY_SERIES);
    pool.weights = pool.weights.slice(0, STEADY_SERIES);
    pool.picker = new WeightedPicker(pool.entities, pool.weights);
    pool.constrained = true;
    pool.affinity = undefined;
  }
}
