/**
 * The generator's detector registry: for every function of the engine model's list
 * (server/engine/registry.ts), its family's check, its baseline rate and its anomaly shaper.
 * The map is typed over the engine's families, so a family or a function missing here does not
 * compile. Adding a function: one entry in the engine's list and one in its family file here.
 */
import type { Detector } from '../../../common/catalogue/types';
import { familyOf, isDetectorFunction, type FamilyId } from '../../engine/registry';
import type { ShapedAnomaly, ShapeInput } from '../anomalies';
import { countFamily } from './count';
import { distinctFamily } from './distinct';
import { infoFamily } from './info';
import { metricFamily } from './metric';
import { rareFamily } from './rare';
import { timeFamily } from './time';
import type { FamilySpec, FunctionSpec } from './types';

export type { FamilySpec, FunctionSpec } from './types';

export const FAMILY_SPECS: { [F in FamilyId]: FamilySpec<F> } = {
  rare: rareFamily,
  count: countFamily,
  distinct: distinctFamily,
  info: infoFamily,
  time: timeFamily,
  metric: metricFamily,
};

/** The family and function entries of a detector function (undefined for one the model does not know). */
export function functionSpec(fn: string): { family: FamilySpec<FamilyId>; spec: FunctionSpec } | undefined {
  if (!isDetectorFunction(fn)) return undefined;
  const family = FAMILY_SPECS[familyOf(fn)!] as FamilySpec<FamilyId>;
  return { family, spec: (family.functions as Record<string, FunctionSpec>)[fn] };
}

/** Why the generator cannot make data for this detector, as the rest of a sentence; undefined when it can. */
export function detectorProblem(d: Detector): string | undefined {
  const entry = functionSpec(d.function);
  if (!entry) return `function ${JSON.stringify(d.function)} is not one the generator knows (it knows ${Object.values(FAMILY_SPECS).flatMap((f) => Object.keys(f.functions)).join(', ')})`;
  return entry.family.check(d);
}

/** Baseline events per 15 minutes at full activity for a detector. */
export function baseRateOf(d: Detector): number {
  const rate = functionSpec(d.function)?.spec.baseRate ?? 6;
  return typeof rate === 'function' ? rate(d) : rate;
}

/** Whether the detector's lane runs at one rate all week (FunctionSpec.aroundTheClock). */
export function isAroundTheClock(d: Detector): boolean {
  return functionSpec(d.function)?.spec.aroundTheClock?.(d) === true;
}

/** Whether the detector's lane is a steady source (FunctionSpec.steady). */
export function isSteady(d: Detector): boolean {
  return functionSpec(d.function)?.spec.steady === true;
}

/** The job's headline anomaly, shaped by its detector function's entry. */
export function shapeAnomaly(input: ShapeInput): ShapedAnomaly {
  const fn = input.job.job.analysis_config.detectors[0].function;
  const entry = functionSpec(fn);
  if (!entry) throw new Error(`${input.job.id}: ${detectorProblem(input.job.job.analysis_config.detectors[0])}`);
  return entry.spec.shape(input);
}
