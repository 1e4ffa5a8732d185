/**
 * Per-detector statistics, measured the way each ML function sees the data: `rare` counts the
 * buckets a value appears in per partition; counts are events per bucket per entity; distinct
 * count is distinct values per bucket; info content is the compressed size of the bucket's unique
 * strings; time_of_day is the mean arrival time of an entity's events in a bucket.
 * Documents arrive in time order, so per-bucket sets are closed as soon as the bucket changes.
 */
import { deflateSync } from 'node:zlib';

export interface Summary { n: number; mean: number; std: number; max: number }

export function summarize(values: number[]): Summary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: 0, std: 0, max: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { n, mean, std: Math.sqrt(variance), max: Math.max(...values) };
}

/** rare: per partition, in which buckets each value occurs. */
export class RareStats {
  readonly partitions = new Map<string, { active: number[]; values: Map<string, number[]> }>();
  add(partition: string, value: string, bucket: number): void {
    let p = this.partitions.get(partition);
    if (!p) this.partitions.set(partition, (p = { active: [], values: new Map() }));
    if (p.active[p.active.length - 1] !== bucket) p.active.push(bucket);
    let v = p.values.get(value);
    if (!v) p.values.set(value, (v = []));
    if (v[v.length - 1] !== bucket) v.push(bucket);
  }
}

/** Per scope and bucket, a number: events (count), distinct values, or compressed unique strings. */
export class BucketSeries {
  readonly series = new Map<string, Map<number, number>>();
  private current = -1;
  private open = new Map<string, Set<string>>();
  constructor(private readonly mode: 'count' | 'distinct' | 'info') {}

  add(scope: string, bucket: number, value?: string): void {
    if (this.mode === 'count') {
      let s = this.series.get(scope);
      if (!s) this.series.set(scope, (s = new Map()));
      s.set(bucket, (s.get(bucket) ?? 0) + 1);
      return;
    }
    if (bucket !== this.current) this.close();
    this.current = bucket;
    if (value === undefined) return;
    let set = this.open.get(scope);
    if (!set) this.open.set(scope, (set = new Set()));
    set.add(value);
  }

  close(): void {
    for (const [scope, set] of this.open) {
      let s = this.series.get(scope);
      if (!s) this.series.set(scope, (s = new Map()));
      s.set(this.current, this.mode === 'distinct' ? set.size : infoContent(set));
    }
    this.open = new Map();
  }
}

/** ML's info_content: compressed length of the bucket's sorted unique strings. */
export function infoContent(values: Set<string>): number {
  return deflateSync(Buffer.from([...values].sort().join(''))).length;
}

/** time_of_day: per entity, the mean arrival time (seconds into the UTC day) of its events in each bucket. */
export class TimeOfDayStats {
  private readonly sums = new Map<string, Map<number, { sum: number; n: number }>>();
  add(entity: string, bucket: number, ts: number): void {
    let e = this.sums.get(entity);
    if (!e) this.sums.set(entity, (e = new Map()));
    const b = e.get(bucket) ?? { sum: 0, n: 0 };
    b.sum += (ts % 86_400_000) / 1000;
    b.n += 1;
    e.set(bucket, b);
  }
  buckets(entity: string): Map<number, { mean: number; n: number }> {
    const out = new Map<number, { mean: number; n: number }>();
    for (const [b, { sum, n }] of this.sums.get(entity) ?? []) out.set(b, { mean: sum / n, n });
    return out;
  }
  entities(): string[] {
    return [...this.sums.keys()];
  }
}

/** Distance between two times of day, in hours, around the clock. */
export function clockDistanceHours(a: number, b: number): number {
  const d = Math.abs(a - b) % 86_400;
  return Math.min(d, 86_400 - d) / 3600;
}
