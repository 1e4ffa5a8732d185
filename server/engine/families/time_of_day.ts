/**
 * time_of_day / time_of_week: when, within the day (or week), an entity's events happen.
 *
 * What the engine does (calibration family time_of_day): it models each entity's event times as
 * a distribution on a line (midnight is far from 23:00, not next to it) and scores a bucket by
 * how far its time lies in that distribution's tail: for office shifts 07–18 UTC a login at 23:00
 * or 00:00 scores ~90, at 20:00 or 05:00 under 20. Regular entities (tight hours) make the tail
 * sharper; erratic ones blunt it. One login at one hour is fragile: seeds differ widely.
 */
import type { ClosedBucket } from '../buckets';
import type { SeriesKey } from '../detector';
import { logistic, round1, type SimContext, type Simulator } from './types';

const BINS = 96;

interface TimeState {
  key: SeriesKey;
  n: number;
  mean: number;
  m2: number;
  hist: Uint32Array;
}

export class TimeOfDaySimulator implements Simulator {
  private readonly series = new Map<string, TimeState>();
  private readonly period: number;

  constructor(private readonly ctx: SimContext) {
    this.period = ctx.d.function === 'time_of_week' ? 7 * 86400 : 86400;
  }

  onBucket(b: ClosedBucket): void {
    const { ctx } = this;
    const p = ctx.params.time;
    for (const [id, cell] of b.cells) {
      let s = this.series.get(id);
      if (!s) this.series.set(id, (s = { key: cell.key, n: 0, mean: 0, m2: 0, hist: new Uint32Array(BINS) }));
      const x = (cell.sum ?? 0) / Math.max(1, cell.n);
      const watched = ctx.watched(b.index, cell.key);
      let score = 0;
      const why: string[] = [];
      if (s.n < p.minObservations) {
        why.push(`${s.n} earlier buckets for "${cell.key.by ?? cell.key.over ?? cell.key.partition}": too few to score`);
      } else {
        const f = features(s, x, this.period);
        const latent = f.z + p.gapWeight * f.gapSd;
        score = p.max * logistic((latent - p.z0) / p.width);
        if (score < p.minScore) score = 0;
        if (score > 0 || watched) {
          const h = (v: number) => `${String(Math.floor(v / 3600) % 24).padStart(2, '0')}:${String(Math.floor((v % 3600) / 60)).padStart(2, '0')}`;
          why.push(
            `at ${h(x)} UTC; usual ${h(Math.max(0, s.mean - Math.sqrt(s.m2 / s.n)))}–${h(Math.min(this.period - 1, s.mean + Math.sqrt(s.m2 / s.n)))} (${round1(f.z)} sd from the mean, ${round1(f.gapHours)} h from the nearest earlier time)`,
          );
        }
      }
      if (score > 0 || watched)
        ctx.emit({ detector: ctx.d.index, bucket: b.index, key: cell.key, score: round1(score), actual: x, typical: round1(s.mean), why });
      // Learn.
      s.n++;
      const delta = x - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (x - s.mean);
      s.hist[Math.min(BINS - 1, Math.floor((x / this.period) * BINS))]++;
    }
  }

  finish(): void {}
}

/** Distance from the mean in standard deviations, and from the nearest earlier time. */
export function features(s: { n: number; mean: number; m2: number; hist: Uint32Array }, x: number, period: number) {
  const sd = Math.max(Math.sqrt(s.m2 / Math.max(1, s.n)), period / 96);
  const z = Math.abs(x - s.mean) / sd;
  const bin = Math.min(BINS - 1, Math.floor((x / period) * BINS));
  let gapBins = BINS;
  for (let i = 0; i < BINS; i++) if (s.hist[i] > 0) gapBins = Math.min(gapBins, Math.abs(i - bin));
  const gapHours = (gapBins * period) / BINS / 3600;
  return { z, gapHours, gapSd: (gapBins * period) / BINS / sd };
}
