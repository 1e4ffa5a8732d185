/**
 * Information-content family: how much information (compressed size of the distinct strings) the
 * field_name values of a bucket carry. The spike is many unique high-entropy strings (anomalies.ts
 * `infoContent`: encoded data in DNS names, obfuscated scripts); the drop is one short value
 * repeated for a bucket.
 */
import type { Detector } from '../../../common/catalogue/types';
import type { FamilySpec, FunctionSpec } from './types';
import { infoContent } from '../anomalies';
import { oneValueDrop } from './drop';

/** One series for the whole job: no partition, by or over field. */
const unsplit = (d: Detector) => !d.partition_field_name && !d.by_field_name && !d.over_field_name;

const entropy: FunctionSpec = {
  // Over a population (DNS tunnelling over registered domains) a few events per bucket are enough;
  // split by a partition or by field, each series needs enough strings per bucket for its
  // information content to be steady, or ordinary buckets with a few more names score high.
  // Unsplit (v3_windows_anomalous_script), the one series is the sum of everyone's strings.
  baseRate: (d) => (d.partition_field_name || (d.by_field_name && !d.over_field_name) ? 16 : unsplit(d) ? 12 : 4),
  // And that series follows machines' work (scheduled scripts, agents) around the clock. Following
  // people, its night buckets held two or three scripts, and their information content varied
  // from 0 to 470 from one bucket to the next; after a quiet weekend the model's level had sunk,
  // and an ordinary Monday 00:45 UTC bucket (APAC's morning, x1.8 the mixed expectation) scored 94.5
  // (issue #8: the miss of every option set ending on a weekend).
  aroundTheClock: unsplit,
  anomaly: 'unique high-entropy values of the field in one bucket',
  shape: infoContent,
};

export const infoFamily: FamilySpec<'info'> = {
  family: 'info',
  description: 'the information content of the field_name values per bucket',
  check: (d) => (d.field_name ? undefined : `${d.function} needs field_name (the field whose strings are measured)`),
  functions: {
    info_content: entropy,
    high_info_content: entropy,
    low_info_content: {
      baseRate: 24,
      steady: true,
      anomaly: 'one short value of the field repeated for a bucket',
      shape: (input) => oneValueDrop(input, (field, value) => `only ${field} ${JSON.stringify(value)}`),
    },
  },
};
