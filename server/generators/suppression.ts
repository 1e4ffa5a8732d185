/**
 * Suppressions: baseline events a low-side anomaly takes away. `low_count` scores a bucket with
 * far fewer events than the series' history, so its anomaly is not extra events but missing ones:
 * in the anomaly's bucket, the stream drops every baseline event of the anomaly's scope (its
 * partition/by/over entities) that the job's datafeed would read, and the shaper's own events
 * (a few, or values far below the usual ones) take their place.
 */
import type { DocPredicate } from '../verify/query_evaluator';
import type { Entity } from './entities';
import { materialize, type Lane } from './lanes';

export interface Suppression {
  jobId: string;
  /** [from, to): the anomaly's bucket. */
  from: number;
  to: number;
  /** Every one of these entities is in the event (none: any event). */
  entities: Entity[];
  /** The job's datafeed query: only events the job reads are taken away. */
  matches: DocPredicate;
}

/** Whether a baseline event at `ts` with these entities is taken away by one of the suppressions. */
export function isSuppressed(suppressions: readonly Suppression[], lane: Lane, ts: number, picked: readonly Entity[]): boolean {
  // The stream reuses one array for every lane: only the first kinds.length entries are this event's.
  const own = picked.slice(0, lane.kinds.length);
  for (const s of suppressions) {
    if (ts < s.from || ts >= s.to) continue;
    if (!s.entities.every((e) => own.includes(e))) continue;
    if (s.matches(materialize(lane, own))) return true;
  }
  return false;
}

/** The suppressions whose window overlaps [from, to) (the stream asks once per tick). */
export function activeIn(suppressions: readonly Suppression[], from: number, to: number): Suppression[] {
  return suppressions.filter((s) => s.from < to && s.to > from);
}
