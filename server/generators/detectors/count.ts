/**
 * Count family: events per bucket of a series (count, high_count, low_count, non_zero_count…).
 * A spike is a burst far above the series' own busiest hour (anomalies.ts `burst`); a drop takes
 * the series' events away for one bucket (low_count: none left; low_non_zero_count ignores empty
 * buckets, so one event is left).
 */
import type { FamilySpec, FunctionSpec } from './types';
import { burst } from '../anomalies';
import { drop } from './drop';

const spike: FunctionSpec = { baseRate: 12, anomaly: 'a burst of events far above the series’ busiest hour, in one bucket', shape: burst };

export const countFamily: FamilySpec<'count'> = {
  family: 'count',
  description: 'the number of events per bucket of each series',
  check: () => undefined,
  functions: {
    count: spike,
    high_count: spike,
    non_zero_count: spike,
    high_non_zero_count: spike,
    low_count: {
      // About ten events per 5-minute bucket for each of the steady series (detectors/steady.ts).
      baseRate: 48,
      steady: true,
      anomaly: 'the series’ events stop for one bucket',
      shape: (input) => drop(input, { replacements: () => 0, what: 'no events' }),
    },
    low_non_zero_count: {
      baseRate: 48,
      steady: true,
      anomaly: 'one event where the series has many, in one bucket',
      shape: (input) => drop(input, { replacements: () => 1, what: '1 event' }),
    },
  },
};
