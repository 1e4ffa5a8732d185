/**
 * The alerting rules client's backfill (manual rule run), typed here because no @kbn/* package is
 * on npm. Mirrors x-pack/platform/plugins/shared/alerting/server/application/backfill/methods/schedule/
 * (schedule_backfill.ts, schemas/schedule_backfill_params_schema.ts, types/index.ts) and
 * .../backfill/result/schemas/index.ts. The Security Solution's manual rule run calls it the same way
 * (x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_management/
 * api/rules/bulk_actions/bulk_schedule_rule_run.ts: `{ ruleId: rule.id, ranges: [{ start, end }] }`).
 *
 * The parameter shape changed across Kibana versions (a @kbn/config-schema object, so an unknown or
 * missing key is a 400 "Error validating backfill schedule parameters …"):
 * - before 8.18: `{ ruleId, start, end? }`;
 * - 8.18 / 9.0 (rule gaps): `{ ruleId, ranges: [{ start, end }], runActions? }`;
 * - 9.3 (gap auto-fill): plus a required `initiator: 'user' | 'system'`.
 */

/** `ruleId` is the rule's saved-object id (not the Security rule_id). */
export type ScheduleBackfillParam =
  | { ruleId: string; start: string; end?: string }
  | { ruleId: string; ranges: Array<{ start: string; end: string }>; runActions?: boolean }
  | { ruleId: string; ranges: Array<{ start: string; end: string }>; runActions?: boolean; initiator: 'user' | 'system'; initiatorId?: string };
/** 1 to MAX_SCHEDULE_BACKFILL_BULK_SIZE (100, alerting/common/constants) params. */
export type ScheduleBackfillParams = ScheduleBackfillParam[];

/** backfill/result/schemas `backfillSchema`, the fields read here. */
export interface Backfill {
  id: string;
  spaceId: string;
  start: string;
  end?: string;
  status: 'complete' | 'pending' | 'running' | 'error' | 'timeout';
  rule: { id: string; name: string; alertTypeId: string };
  schedule: Array<{ runAt: string; status: string; interval: string }>;
  warnings?: string[];
}
/** schedule/schemas `scheduleBackfillErrorSchema`: one per param the client could not schedule (not found, disabled, rule type not supported, no API key). */
export interface ScheduleBackfillError {
  error: { message: string; status?: number; rule: { id: string; name?: string } };
}
/** In the order of the params. */
export type ScheduleBackfillResults = Array<Backfill | ScheduleBackfillError>;

export const MAX_SCHEDULE_BACKFILL_BULK_SIZE = 100;

export type BackfillShape = 'start_end' | 'ranges' | 'ranges_initiator';

/** The shape this Kibana's rules client validates (see above). */
export function backfillShapeFor(kibanaVersion: string): BackfillShape {
  const [major, minor] = kibanaVersion.split('.').map(Number);
  if (major < 8 || (major === 8 && minor < 18)) return 'start_end';
  if (major === 8 || (major === 9 && minor < 3)) return 'ranges';
  return 'ranges_initiator';
}

export function backfillParam(shape: BackfillShape, ruleId: string, start: string, end: string): ScheduleBackfillParam {
  if (shape === 'start_end') return { ruleId, start, end };
  const ranges = [{ start, end }];
  // Like the Security Solution's manual run: no actions for the demo's past alerts.
  return shape === 'ranges' ? { ruleId, ranges, runActions: false } : { ruleId, ranges, runActions: false, initiator: 'user' };
}

/** A 400 from the params schema about a key (unknown, missing, wrong type): another version's shape. */
export function isBackfillShapeError(error: unknown): boolean {
  const e = error as { message?: string; output?: { statusCode?: number }; statusCode?: number };
  const status = e?.output?.statusCode ?? e?.statusCode;
  return (
    status === 400 &&
    /Error validating backfill schedule parameters/.test(e.message ?? '') &&
    /definition for this key is missing|expected at least one defined value|expected value of type/.test(e.message ?? '')
  );
}

export function isBackfillError(result: Backfill | ScheduleBackfillError): result is ScheduleBackfillError {
  return 'error' in result && Boolean((result as ScheduleBackfillError).error);
}
