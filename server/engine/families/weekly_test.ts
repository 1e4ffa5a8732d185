/**
 * Does a count series have a weekday/weekend pattern? The engine decides with a statistical
 * test, not a threshold on the day's mean: it fits the series with one daily profile, then with a
 * weekday profile and a weekend one, and keeps the split when the variance it explains is
 * significant (an F-test of the nested fits, corrected for the start-of-week offsets it tries:
 * p' = 1 - (1 - p)^(week / 2), kept when p' < 0.05), and only once it holds 1.9 weeks of values
 * (elastic/ml-cpp, time_series/CSignal tradingDayDecomposition; my reading of the public source,
 * not measured). What matters for the model is that the test compares the same hours: a domain
 * controller that all streams report (servers all week, people on weekdays) keeps 60-70 % of its
 * weekday mean on weekends, yet its office hours differ from its weekend hours far beyond noise.
 *
 * Our version, per series: w-weighted sums per day type (0 weekday, 1 weekend) and hourly slot;
 * the split's explained variance is sum_j n0 n1 / (n0 + n1) (m0 - m1)^2 over slots seen on both
 * day types, its residual the within-type variance, kept up to date per bucket (one slot
 * changes). The engine fits Saturday and Sunday apart and at bucket resolution; we pool the
 * weekend and test hourly, which is more powerful for the smooth differences office hours make.
 * Where the engine also asks for a periodic part of the variation (autocorrelation), we ask for
 * a gap of a fifth of the series' level (MIN_GAP). `weekly` also keeps the day's-mean threshold
 * for the first weeks, before this test has its values.
 */
import { DAY_MS } from './types';

/** Upper tail of the standard normal (Abramowitz & Stegun 7.1.26 for erfc, absolute error < 1.5e-7). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-x * x);
}

/** P(F > f) for F(d1, d2), by Paulson's normal approximation of the cube root of F. */
export function fTail(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  const a = 2 / (9 * d1);
  const b = 2 / (9 * d2);
  const c = Math.cbrt(f);
  return normalTail(((1 - b) * c - (1 - a)) / Math.sqrt(a + b * c * c));
}

/** The engine needs 1.9 weeks of values before it tests for a weekday/weekend split. */
const MIN_DAYS = 1.9 * 7;
/**
 * The engine also asks a component to be a large part of the series' variation (its cyclic
 * autocorrelation at least 0.5, besides the F-test). A steady series (a server's 784 events per
 * 3 hours, +-1 from rounding) passes an F-test on differences of one event, so the model asks
 * the weekday and weekend profiles to differ, root mean square over the hours, by this share of
 * the series' mean level (random set q28: a steady host's weekend burst was no longer scored).
 */
const MIN_GAP = 0.2;
/** Its significance, after the correction for the start-of-week offsets. */
const P_VALUE = 0.05;

export class WeekdayWeekendTest {
  private readonly n: Float64Array;
  private readonly sum: Float64Array;
  private readonly sq: Float64Array;
  /** Per slot: its share of the split's explained variance and of its residual. */
  private readonly between: Float64Array;
  private readonly within: Float64Array;
  /** Per day type (0 weekday, 1 weekend): weighted sum and weight, for the day's-mean test. */
  private readonly typeSum: [number, number] = [0, 0];
  private readonly typeN: [number, number] = [0, 0];
  private explained = 0;
  private residual = 0;
  private total = 0;
  private totalSum = 0;
  /** Sum over slots of n0 n1 / (n0 + n1): explained / harmonic is the mean squared gap. */
  private harmonic = 0;
  private readonly slotHarmonic: Float64Array;
  /** Slots seen on both day types (the split's extra parameters), and slot/type cells seen. */
  private shared = 0;
  private cells = 0;

  constructor(private readonly slots: number) {
    this.n = new Float64Array(2 * slots);
    this.sum = new Float64Array(2 * slots);
    this.sq = new Float64Array(2 * slots);
    this.between = new Float64Array(slots);
    this.within = new Float64Array(slots);
    this.slotHarmonic = new Float64Array(slots);
  }

  add(weekend: number, slot: number, x: number, w: number): void {
    const i = weekend * this.slots + slot;
    const j = (1 - weekend) * this.slots + slot;
    if (this.n[i] === 0) {
      this.cells++;
      if (this.n[j] > 0) this.shared++;
    }
    this.typeSum[weekend] += w * x;
    this.typeN[weekend] += w;
    this.n[i] += w;
    this.sum[i] += w * x;
    this.sq[i] += w * x * x;
    this.total += w;
    this.totalSum += w * x;
    const [d, e] = weekend ? [j, i] : [i, j];
    const spread = (k: number) => (this.n[k] > 0 ? Math.max(0, this.sq[k] - (this.sum[k] * this.sum[k]) / this.n[k]) : 0);
    const gap = this.n[d] > 0 && this.n[e] > 0 ? this.sum[d] / this.n[d] - this.sum[e] / this.n[e] : 0;
    const harmonic = this.n[d] > 0 && this.n[e] > 0 ? (this.n[d] * this.n[e]) / (this.n[d] + this.n[e]) : 0;
    const between = harmonic * gap * gap;
    const within = spread(d) + spread(e);
    this.harmonic += harmonic - this.slotHarmonic[slot];
    this.slotHarmonic[slot] = harmonic;
    this.explained += between - this.between[slot];
    this.residual += within - this.within[slot];
    this.between[slot] = between;
    this.within[slot] = within;
  }

  /**
   * The series has a weekday/weekend pattern: this test of the split (after 1.9 weeks), or,
   * before it has the values, weekends well below weekdays (at the first weekend, the model
   * already expects the office to be empty: the engine's weekend buckets of a short history
   * scored 0).
   */
  weekly(days: number, spanMs: number): boolean {
    const [weekdays, weekends] = this.typeN;
    const dayMeans = weekdays > 0 && weekends > 0 && this.typeSum[1] / weekends < 0.6 * (this.typeSum[0] / weekdays);
    return dayMeans || this.significant(days, spanMs);
  }

  /** The split is significant, for a series of `days` of history in buckets of `spanMs`. */
  significant(days: number, spanMs: number): boolean {
    const dof = this.total - this.cells;
    if (days < MIN_DAYS || this.shared === 0 || dof <= 0 || this.explained <= 0) return false;
    // A pattern, not a rounding: weekdays and weekends differ by a fifth of the series' level.
    const gap = Math.sqrt(this.explained / this.harmonic);
    if (gap < MIN_GAP * (this.totalSum / this.total)) return false;
    if (this.residual <= 0) return true;
    const p = fTail(this.explained / this.shared / (this.residual / dof), this.shared, dof);
    const offsets = (7 * DAY_MS) / spanMs / 2;
    return -Math.expm1(offsets * Math.log1p(-Math.min(p, 1 - 1e-12))) < P_VALUE;
  }
}
