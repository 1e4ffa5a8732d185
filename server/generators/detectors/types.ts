/**
 * What the generator must know of a detector function: one entry per function of the engine
 * model's list (server/engine/registry.ts), grouped by family, one file per family. The entries
 * are typed `Record<FunctionsOf<F>, …>`, so a function added to the engine's list does not compile
 * until its family file says how much baseline it needs, how its anomaly is made and what it is.
 */
import type { Detector } from '../../../common/catalogue/types';
import type { FamilyId, FunctionsOf } from '../../engine/registry';
import type { ShapedAnomaly, ShapeInput } from '../anomalies';

export interface FunctionSpec {
  /**
   * Baseline events per 15 minutes at full activity (before the scale option; x3 with a partition
   * or population); a function of the detector where its split matters.
   */
  baseRate: number | ((d: Detector) => number);
  /** The injected anomaly, for people choosing or writing jobs. */
  anomaly: string;
  /** The anomaly's events (and, for a drop, the baseline taken away). */
  shape(input: ShapeInput): ShapedAnomaly;
  /**
   * A steady baseline (lanes.ts `steady`): for a drop or a per-bucket sum, Poisson noise in the
   * event count would look like the anomaly itself in quiet series.
   */
  steady?: boolean;
  /**
   * Machines' work, not people's: the lane's rate is the same at every hour of the week (its
   * events at night and on weekends are the service accounts'), for the detector where it holds.
   */
  aroundTheClock?: (d: Detector) => boolean;
}

export interface FamilySpec<F extends FamilyId> {
  family: F;
  /** What the family's functions score, in a sentence. */
  description: string;
  /**
   * What of the detector the generator cannot make data for, as the rest of a sentence naming the
   * field ("needs field_name (a numeric field)"); undefined when it can.
   */
  check(d: Detector): string | undefined;
  functions: Record<FunctionsOf<F>, FunctionSpec>;
}
