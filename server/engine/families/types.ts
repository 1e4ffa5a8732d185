/** What every family simulator shares: closed buckets in, records out. */
import type { ClosedBucket } from '../buckets';
import type { DetectorSpec, SeriesKey } from '../detector';
import type { EngineParams } from '../params';

export interface EngineRecord {
  detector: number;
  /** Bucket index (start = bucket * span). */
  bucket: number;
  key: SeriesKey;
  /** Predicted record score, 0..100 (0: the engine writes no record, or one of score 0). */
  score: number;
  actual?: number;
  typical?: number;
  /** Why, in a few words each ("3 other new values share this bucket"). */
  why: string[];
}

export interface SimContext {
  d: DetectorSpec;
  spanMs: number;
  params: EngineParams;
  emit: (r: EngineRecord) => void;
  /** Records of these (bucket, series) are emitted even at score 0, with their reasons. */
  watched: (bucket: number, key: SeriesKey) => boolean;
}

export interface Simulator {
  /** Every closed bucket that has data, in time order (buckets without data are skipped). */
  onBucket(b: ClosedBucket): void;
  /** Time has reached bucket `endIndex` (exclusive): empty buckets up to it are processed. */
  finish(endIndex: number): void;
}

export const DAY_MS = 86_400_000;
export const clamp = (x: number, lo = 0, hi = 100): number => Math.min(hi, Math.max(lo, x));
export const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
export const round1 = (x: number): number => Math.round(x * 10) / 10;
