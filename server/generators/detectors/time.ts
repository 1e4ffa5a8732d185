/**
 * Time family: the time of day (or week) at which a person's events happen. People work office
 * hours in their own time zone; the anomaly is one logon at an hour the person never works,
 * alone in its bucket (anomalies.ts `timeOfDay`). Only people have hours: the by or over field
 * must be user.name.
 */
import type { FamilySpec, FunctionSpec } from './types';
import { timeOfDay } from '../anomalies';

const oddHour: FunctionSpec = { baseRate: 8, anomaly: 'a person’s event at an hour they never work', shape: timeOfDay };

export const timeFamily: FamilySpec<'time'> = {
  family: 'time',
  description: 'the time of day or week at which each person’s events happen',
  check: (d) =>
    (d.by_field_name ?? d.over_field_name) === 'user.name' ? undefined : `${d.function} needs by_field_name or over_field_name user.name (only people have working hours to break)`,
  functions: { time_of_day: oddHour, time_of_week: oddHour },
};
