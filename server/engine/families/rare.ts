/**
 * rare / freq_rare: how surprising a by-value is within its partition's history.
 *
 * What the engine does (calibration families rare_by, rare_partition, rare_action): a value never
 * seen in the partition scores by how much the partition has been observed — the number of
 * (bucket, value) observations, about 30 points per decade — and by how many values share that
 * history (fewer known values: lower). Novelties in the same bucket and partition share the
 * surprise (1 -> 93, 2 -> 85, 5 -> 71, 150 -> 24); earlier novelties of the partition make the
 * next one less surprising; a value seen once before still scores a little lower. Other
 * partitions' novelties do not compete. A partition younger than a day is not scored.
 */
import type { ClosedBucket } from '../buckets';
import { clamp, DAY_MS, round1, type SimContext, type Simulator } from './types';

interface ValueState {
  first: number;
  buckets: number;
}

interface PartitionState {
  first: number;
  buckets: number;
  /** Sum over buckets of the distinct values seen: the observations the model has. */
  valueBuckets: number;
  /** Sum of b ln b over values (b = buckets of a value): gives the entropy of the values. */
  entropyTerm: number;
  values: Map<string, ValueState>;
  /** Values first seen after the partition's first day. */
  novelties: number;
}

const xlogx = (x: number) => (x > 0 ? x * Math.log(x) : 0);

export class RareSimulator implements Simulator {
  private readonly partitions = new Map<string, PartitionState>();

  constructor(private readonly ctx: SimContext) {}

  onBucket(b: ClosedBucket): void {
    const { ctx } = this;
    const p = ctx.params.rare;
    const dayBuckets = DAY_MS / ctx.spanMs;
    for (const cell of b.cells.values()) {
      const pid = cell.key.partition ?? '';
      let st = this.partitions.get(pid);
      if (!st) this.partitions.set(pid, (st = { first: b.index, buckets: 0, valueBuckets: 0, entropyTerm: 0, values: new Map(), novelties: 0 }));
      const values = cell.values!;
      const ageDays = (b.index - st.first) / dayBuckets;
      const fresh = [...values.keys()].filter((v) => !st.values.has(v));
      const k = fresh.length;
      const effectiveValues = st.valueBuckets > 0 ? Math.exp(Math.log(st.valueBuckets) - st.entropyTerm / st.valueBuckets) : 0;
      const partitioned = ctx.d.partition !== undefined;
      for (const [value, count] of values) {
        const known = st.values.get(value);
        const seen = known?.buckets ?? 0;
        const key = { partition: cell.key.partition, over: cell.key.over, by: value };
        const watched = ctx.watched(b.index, key);
        // A common value is no record at all: skip the arithmetic.
        if (seen > 0 && seen / Math.max(1, st.buckets) > 0.02 && !watched) continue;
        const why: string[] = [];
        let score = 0;
        if (ageDays < p.minDays) {
          why.push(`${partitioned ? `partition "${cell.key.partition}"` : 'the job'} has ${round1(ageDays)} days of history (the engine needs ${p.minDays})`);
        } else {
          const lk = Math.log(k || 1);
          const latent =
            (partitioned ? p.partitionedBase : p.base) +
            p.perDecade * Math.log10(Math.max(1, st.valueBuckets)) +
            (partitioned ? p.partitionedPerValueDecade : p.perValueDecade) * Math.log10(Math.max(1, effectiveValues)) +
            (partitioned ? p.partitionedPerDayDecade : p.perDayDecade) * Math.log10(Math.max(1, Math.min(ageDays, p.dayTermCapDays) / 14)) -
            p.spanPerDecade * Math.log10(ctx.spanMs / 900_000) -
            (seen === 0 ? p.competeLin * lk + p.competeSq * lk * lk : 0) -
            p.priorScale * Math.pow(st.novelties, p.priorPow) -
            (seen > 0 ? p.seenScale * Math.pow(seen, p.seenPow) : 0);
          score = clamp(latent);
          why.push(
            `${partitioned ? `partition "${cell.key.partition}"` : 'history'}: ${round1(ageDays)} days, ${st.valueBuckets} value-buckets, ${round1(effectiveValues)} effective values`,
          );
          if (seen > 0) why.push(`value already seen in ${seen} earlier bucket${seen > 1 ? 's' : ''}`);
          else if (k > 1) why.push(`${k - 1} other new value${k > 2 ? 's' : ''} share this bucket`);
          if (st.novelties > 0) why.push(`${st.novelties} earlier new value${st.novelties > 1 ? 's' : ''} in this ${partitioned ? 'partition' : 'job'}`);
        }
        if (score > 0 || watched) ctx.emit({ detector: ctx.d.index, bucket: b.index, key, score: round1(score), actual: count, why });
      }
      // Learn the bucket.
      st.buckets++;
      for (const value of values.keys()) {
        let vs = st.values.get(value);
        if (!vs) {
          st.values.set(value, (vs = { first: b.index, buckets: 0 }));
          if (ageDays >= p.minDays) st.novelties++;
        }
        st.entropyTerm += xlogx(vs.buckets + 1) - xlogx(vs.buckets);
        vs.buckets++;
        st.valueBuckets++;
      }
    }
  }

  finish(): void {}
}
