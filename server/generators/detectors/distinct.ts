/**
 * Distinct-count family: how many different values of field_name a series has per bucket. The
 * spike is many never-seen values in one bucket (anomalies.ts `distinct`: enumeration); the drop
 * is the series' events all carrying one value for a bucket.
 */
import type { FamilySpec, FunctionSpec } from './types';
import { distinct } from '../anomalies';
import { oneValueDrop } from './drop';

const many: FunctionSpec = { baseRate: 6, anomaly: 'many never-seen values of the field in one bucket', shape: distinct };

export const distinctFamily: FamilySpec<'distinct'> = {
  family: 'distinct',
  description: 'the number of distinct values of field_name per bucket of each series',
  check: (d) => (d.field_name ? undefined : `${d.function} needs field_name (the field whose values are counted)`),
  functions: {
    distinct_count: many,
    high_distinct_count: many,
    low_distinct_count: {
      baseRate: 24,
      steady: true,
      anomaly: 'the series’ events all carry one value of the field, in one bucket',
      shape: (input) => oneValueDrop(input, (field, value) => `every event with ${field} ${JSON.stringify(value)}`),
    },
  },
};
