/**
 * Population analysis (`over_field_name`) of a per-bucket quantity, e.g. packetbeat_dns_tunneling's
 * high_info_content of dns.question.name over the registered domain: each member's value in the
 * bucket against the values of every member so far.
 *
 * What the engine does (calibration family info_content): the score grows with how far the value
 * stands above the population's high values; and the normaliser that turns probabilities into
 * scores only knows the results it was given. A `skip_result` rule (dns_tunneling: actual < 350)
 * drops every ordinary result, so unless some earlier buckets had results above 350, the
 * normaliser has no history and even a clear tunnelling record scores 0.
 */
import type { ClosedBucket } from '../buckets';
import { skipped } from '../detector';
import { valueOf } from './count';
import { logistic, round1, type SimContext, type Simulator } from './types';

const BIN = 0.02;
const BINS = 1200;

export class PopulationSimulator implements Simulator {
  private readonly hist = new Uint32Array(BINS);
  private total = 0;
  private keptBuckets = 0;

  constructor(private readonly ctx: SimContext) {}

  private quantile(q: number): number {
    let need = Math.ceil(q * this.total);
    for (let i = 0; i < BINS; i++) {
      need -= this.hist[i];
      if (need <= 0) return Math.exp((i + 1) * BIN) - 1;
    }
    return Math.exp(BINS * BIN) - 1;
  }

  onBucket(b: ClosedBucket): void {
    const { ctx } = this;
    const p = ctx.params.info;
    const d = ctx.d;
    const hi = this.total > 0 ? this.quantile(p.quantile) : 0;
    let kept = false;
    const xs: number[] = [];
    for (const cell of b.cells.values()) {
      const x = valueOf(d.function, d.family, cell);
      xs.push(x);
      const isSkipped = skipped(d, x, hi);
      if (!isSkipped) kept = true;
      const watched = ctx.watched(b.index, cell.key);
      const why: string[] = [];
      let score = 0;
      if (this.total === 0) why.push('no population history yet');
      else if (isSkipped) why.push(`actual ${round1(x)} is dropped by the job's skip_result rule`);
      else {
        const rho = Math.log((x + 1) / (hi + 1));
        const history = d.skipRules.length ? this.keptBuckets / (this.keptBuckets + p.halfKept) : 1;
        score = p.max * logistic((rho - p.r0) / p.width) * history;
        if (score < p.minScore) score = 0;
        if (score > 0 || watched) {
          why.push(`actual ${round1(x)} vs the population's high ${round1(hi)} (x${round1((x + 1) / (hi + 1))})`);
          if (d.skipRules.length) why.push(`${this.keptBuckets} earlier buckets had results the skip rule keeps (the normaliser's history)`);
        }
      }
      if (score > 0 || watched) ctx.emit({ detector: d.index, bucket: b.index, key: cell.key, score: round1(score), actual: x, typical: round1(hi), why });
    }
    for (const x of xs) {
      this.hist[Math.min(BINS - 1, Math.floor(Math.log(x + 1) / BIN))]++;
      this.total++;
    }
    if (kept) this.keptBuckets++;
  }

  finish(): void {}
}
