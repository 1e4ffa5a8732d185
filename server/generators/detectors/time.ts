/**
 * Time family: the time of day (or week) at which a person's events happen. People work office
 * hours in their own time zone; the anomaly is one logon at an hour the person never works,
 * alone in its bucket (anomalies.ts `timeOfDay`). Only people have hours: the by or over field
 * must be user.name.
 */
import type { FamilySpec, FunctionSpec } from './types';
import { timeOfDay } from '../anomalies';
import { HOUR } from '../time';

/**
 * How far back (a multiple of the bucket span, under a day) the anomaly moves so that it falls at
 * 21:00-23:59 UTC. The engine models times of day on a line, and the person's office day is put on
 * the other half of the UTC day from the anomaly (plan.ts: 00:30-10:30 UTC for an evening
 * anomaly); an anomaly at 17:00 is then only 6.5 h after the office day ends (predicted ~73), one
 * at 21:00-23:59 10.5-13.5 h, and it reads as a logon at 04:30-07:30 local time. Spans over an
 * hour: none. Only for jobs without a prebuilt rule (a user's own): a rule's anomaly stays in the
 * last bucket, inside the rule's look-back.
 */
export function oddHourShift(bucketStart: number, span: number): number {
  if (span > HOUR) return 0;
  for (let shift = 0; shift < 24 * HOUR; shift += span) {
    const hour = new Date(bucketStart - shift).getUTCHours();
    if (hour >= 21) return shift;
  }
  return 0;
}

const oddHour: FunctionSpec = { baseRate: 8, anomaly: 'a person’s event at an hour they never work', shape: timeOfDay };

export const timeFamily: FamilySpec<'time'> = {
  family: 'time',
  description: 'the time of day or week at which each person’s events happen',
  check: (d) =>
    (d.by_field_name ?? d.over_field_name) === 'user.name' ? undefined : `${d.function} needs by_field_name or over_field_name user.name (only people have working hours to break)`,
  functions: { time_of_day: oddHour, time_of_week: oddHour },
};
