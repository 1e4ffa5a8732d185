/**
 * The tail cut of count series: in each step of the stream, the ordinary events of a count job's
 * series (its host, its source IP, or all of its events) stop at the series' expected count plus
 * two standard deviations (and one). Each lane's own draw is cut at three (stream.ts poissonCap),
 * but a job reads several lanes, and their sum is not: seven auth lanes, each inside its cut, gave
 * a file server 13 logons on a Sunday afternoon against 5.1 expected, a record of 56.1 for a 50
 * rule (issue #8). The engine scores such tails in pure Poisson data too (engine calibration,
 * count_partition: 11 baseline records of 50 or more): an ordinary series should have none. A cut
 * event is still drawn by the stream, so the rest of the stream stays as it was.
 */
import type { CatalogueJob } from '../../common/catalogue/types';
import { familyOf } from '../engine/registry';
import { compileQuery } from '../verify/query_evaluator';
import { seriesFields } from './anomalies';
import type { Entity, EntityKind } from './entities';
import { busiestHour, entityShares, fieldKind, sampleLane, type Lane } from './lanes';
import { Random } from './random';

/** A count's cut: `sds` standard deviations (Poisson) above its expectation, and one. */
export const cutAbove = (expected: number, sds: number) => Math.floor(expected + sds * Math.sqrt(expected) + 1);

/** Where a series' count in a step stops: two standard deviations above, and one. */
export const seriesCap = (expected: number) => cutAbove(expected, 2);

interface CountJob {
  /** The lanes whose every event the job's datafeed reads. */
  lanes: boolean[];
  /** Per lane, the index of each series kind in the lane's kinds ([-1]: one series, all events). */
  at: number[][];
  kinds: EntityKind[];
  /** The job's one series when it has no series field (a key of its own in the counts). */
  total: object;
}

/** What a step's expected counts depend on: the hour of the week, and each lane's phase. */
export type LanePhase = 'off' | 'warmup' | 'onboarding' | 'ordinary';
const PHASE_KEY: Record<LanePhase, string> = { off: '-', warmup: 'w', onboarding: 'b', ordinary: 'r' };

export class TailCut {
  private readonly jobs: CountJob[] = [];
  private readonly cache = new Map<string, Map<object, number>[]>();
  private counted: Map<object, number>[] = [];
  private expected: Map<object, number>[] = [];
  /** Per lane, the jobs whose series it is in. */
  private readonly byLane: number[][];

  constructor(
    private readonly lanes: readonly Lane[],
    jobs: readonly CatalogueJob[],
    private readonly perStep: number,
  ) {
    for (const job of jobs) {
      const d = job.job.analysis_config.detectors[0];
      if (familyOf(d.function) !== 'count') continue;
      const matches = compileQuery(job.datafeed.query);
      const random = Random.scoped('tail-cut', job.id);
      const reads = lanes.map((lane) => {
        if (lane.steady) return false;
        let all = true;
        let any = false;
        for (const { doc } of sampleLane(lane, busiestHour(lane), random, 50)) {
          any = true;
          if (!matches(doc)) all = false;
        }
        return any && all;
      });
      if (!reads.some(Boolean)) continue;
      const kinds = seriesFields(d).map((f) => fieldKind(f)!);
      if (kinds.some((k) => !k)) continue;
      const at = lanes.map((lane) => (kinds.length ? kinds.map((k) => lane.kinds.indexOf(k)) : [-1]));
      // A lane without one of the series' kinds is not in its series.
      const lanesOf = reads.map((r, l) => r && (kinds.length === 0 || at[l].every((i) => i >= 0)));
      this.jobs.push({ lanes: lanesOf, at, kinds, total: {} });
    }
    this.byLane = lanes.map((_, l) => this.jobs.flatMap((job, j) => (job.lanes[l] ? [j] : [])));
  }

  get active(): boolean {
    return this.jobs.length > 0;
  }

  /** A new step: `phases` says which lanes write ordinary events in it, and how. */
  begin(how: number, phases: readonly LanePhase[]): void {
    const key = `${how}|${phases.map((p) => PHASE_KEY[p]).join('')}`;
    let expected = this.cache.get(key);
    if (!expected) {
      expected = this.jobs.map((job) => {
        const m = new Map<object, number>();
        this.lanes.forEach((lane, l) => {
          if (!job.lanes[l] || (phases[l] !== 'onboarding' && phases[l] !== 'ordinary')) return;
          const onboarding = phases[l] === 'onboarding' && !!lane.onboarding;
          const rate = (onboarding ? lane.onboarding!.ratePerTick : lane.ratePerTick)[how] * this.perStep;
          if (job.kinds.length === 0) return void m.set(job.total, (m.get(job.total) ?? 0) + rate);
          for (const [e, share] of entityShares(lane, how, onboarding)) if (job.kinds.includes(e.kind)) m.set(e, (m.get(e) ?? 0) + rate * share);
        });
        return m;
      });
      this.cache.set(key, expected);
    }
    this.expected = expected;
    this.counted = this.jobs.map(() => new Map());
  }

  /** Whether lane `l`'s event of these entities stays inside every series' cut; if so, counts it. */
  admit(l: number, picked: readonly Entity[]): boolean {
    const mine = this.byLane[l];
    const key = (j: number, i: number): object => (i < 0 ? this.jobs[j].total : picked[i]);
    for (const j of mine)
      for (const i of this.jobs[j].at[l]) if ((this.counted[j].get(key(j, i)) ?? 0) + 1 > seriesCap(this.expected[j].get(key(j, i)) ?? 0)) return false;
    for (const j of mine) for (const i of this.jobs[j].at[l]) this.counted[j].set(key(j, i), (this.counted[j].get(key(j, i)) ?? 0) + 1);
    return true;
  }
}
