/**
 * A lane's phases, counted from its start: the stream writes them (stream.ts), the tail cut
 * expects them (tail_cut.ts) for every module's lanes, and the plan reads after them (plan.ts).
 */
import { DAY } from './time';

/** Every baseline value is introduced in turn during a lane's first day... */
export const WARMUP = DAY;
/** ...and people work every day for the first two, whatever weekday the data starts on. */
export const ONBOARDING = 2 * DAY;

export type LanePhase = 'off' | 'warmup' | 'onboarding' | 'ordinary';

export const lanePhase = (tick: number, start: number): LanePhase =>
  tick < start ? 'off' : tick < start + WARMUP ? 'warmup' : tick < start + ONBOARDING ? 'onboarding' : 'ordinary';
