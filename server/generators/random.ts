/**
 * Seeded randomness. Every generator draws from a Random built from (seed, scope), so the
 * same seed gives byte-identical output and one module's data does not shift when another
 * module is added or removed.
 */

/** 32-bit FNV-1a; turns a seed string into PRNG state. */
function hash32(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    this.a = hash32(seed, 1);
    this.b = hash32(seed, 2);
    this.c = hash32(seed, 3);
    this.d = hash32(seed, 4);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A child stream whose sequence depends only on this seed and the scope name. */
  static scoped(seed: string, ...scope: string[]): Random {
    return new Random(`${seed}\u0000${scope.join('\u0000')}`);
  }

  /** sfc32: small, fast and statistically solid for simulation. Returns [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Poisson-distributed count (Knuth below 30, rounded normal approximation above). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
  }

  /** k distinct items, order randomised. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }
}

/** Weighted choice over a fixed list via a cumulative table and binary search. */
export class WeightedPicker<T> {
  private readonly cumulative: Float64Array;
  readonly total: number;
  /** The items with a weight above zero. */
  readonly activeItems: T[];

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new Error('WeightedPicker needs one weight per item and at least one item');
    }
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += Math.max(0, weights[i]);
      this.cumulative[i] = sum;
    }
    this.total = sum;
    this.activeItems = items.filter((_, i) => weights[i] > 0);
  }

  pick(random: Random): T {
    return this.items[this.indexAt(random.next() * this.total)];
  }

  /** Each item's probability of being picked (items of weight 0 included, at 0). */
  *shares(): Generator<[T, number]> {
    for (let i = 0; i < this.items.length; i++) yield [this.items[i], (this.cumulative[i] - (i > 0 ? this.cumulative[i - 1] : 0)) / this.total];
  }

  /** The first item whose cumulative weight exceeds `target` (binary search). */
  private indexAt(target: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * The item at quantile `u` (0 <= u < 1) of the weights: n picks at (offset + i) / n take each
   * item in proportion to its weight with almost no spread (stratified sampling). `rest[0]`
   * receives where u fell inside the item's share, itself uniform and stratified over that item's
   * picks, for a pick that depends on this one (a user's own hosts).
   */
  pickAt(u: number, rest: Float64Array): T {
    const target = u * this.total;
    const lo = this.indexAt(target);
    const below = lo > 0 ? this.cumulative[lo - 1] : 0;
    const share = this.cumulative[lo] - below;
    rest[0] = share > 0 ? Math.min(Math.max((target - below) / share, 0), 0.999999999) : 0;
    return this.items[lo];
  }
}

/** Zipf-like weights 1/(i+1)^s: a few common values and a tail that still recurs often. */
export function zipfWeights(n: number, s = 0.6): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}
