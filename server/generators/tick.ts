/**
 * The stream's time step for a module. Lanes' rates are per 15 minutes and events are spread
 * uniformly inside a step, so any step that divides every bucket span gives each bucket its share;
 * the step only has to be fine enough that a bucket boundary is never inside one step's hour of
 * the week. It is the gcd of the module's bucket spans and 15 minutes (so the data's end, on the
 * 15-minute grid, is on every module's grid), never below a minute: 15 minutes for the Security
 * modules (streams are byte-identical to before), 5 minutes for security_host, a minute for a
 * 7-minute custom job.
 */
import { MINUTE, TICK } from './time';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export const MIN_TICK = MINUTE;

export function moduleTick(bucketSpans: readonly number[]): number {
  const g = bucketSpans.reduce((acc, span) => gcd(acc, span), TICK);
  // Whole minutes that divide 15 minutes (a 150 s gcd gives 1 minute, not 2).
  return Math.max(1, gcd(Math.floor(g / MIN_TICK), TICK / MIN_TICK)) * MIN_TICK;
}
