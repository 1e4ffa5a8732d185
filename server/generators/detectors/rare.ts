/**
 * Rare family: a value of the by field never seen before (in its partition, or across the
 * population with freq_rare). The anomaly is one event carrying a new value (anomalies.ts `rare`);
 * the baseline is dense, because the engine's score for a new value grows with the observed
 * (bucket, value) pairs of history (~30 points per decade).
 */
import type { FamilySpec, FunctionSpec } from './types';
import { rare } from '../anomalies';

const novelty: FunctionSpec = { baseRate: 12, anomaly: 'one event with a value of the by field never seen before', shape: rare };

export const rareFamily: FamilySpec<'rare'> = {
  family: 'rare',
  description: 'values of the by field that are rare in their partition or population',
  check: (d) => {
    if (!d.by_field_name) return `${d.function} needs by_field_name (the value that is rare)`;
    if (d.function === 'freq_rare' && !d.over_field_name) return 'freq_rare needs over_field_name (the population)';
    return undefined;
  },
  functions: { rare: novelty, freq_rare: novelty },
};
