/**
 * The engine model against the real engine: every calibration case (seed 0; set
 * ML_DEMO_CALIBRATION_SEEDS=0,1,2,3,4 for all) through `predictFiles`, compared with the score
 * Elastic's anomaly detector gave the same input. The bar (issue #16): the prediction is on the
 * same side of 50 and of 75 as the engine for at least 90 % of cases, and the mean absolute
 * error is at most 12 points. Needs python3 to write the cases' inputs (scenarios.py).
 */
import { join } from 'node:path';
import { predictFiles } from '../../server/engine/predict';
import { agreement, caseDir, caseInputs, engineRuns, hasCase, lateAgreement, sameSide } from './calibration';

const seeds = (process.env.ML_DEMO_CALIBRATION_SEEDS ?? '0').split(',').map(Number);

describe('engine model vs the real engine on the calibration cases', () => {
  let rows: { family: string; case: string; seed: number; engine: number; model: number; engineLate: number; modelLate: number }[] = [];

  beforeAll(async () => {
    const root = caseInputs(seeds);
    const runs = engineRuns().filter((r) => seeds.includes(r.seed));
    expect(runs.length).toBeGreaterThan(140 * seeds.length);
    for (const run of runs) {
      expect(hasCase(root, run)).toBe(true);
      const dir = caseDir(root, run);
      const p = await predictFiles({ job: join(dir, 'job.json'), data: join(dir, 'docs.ndjson'), injections: join(dir, 'injections.json') });
      const inj = p.injections.find((i) => i.label === 'injected');
      rows.push({
        family: run.family,
        case: run.case,
        seed: run.seed,
        engine: run.injected,
        model: inj?.score ?? NaN,
        engineLate: run.lateMax,
        modelLate: p.lateMax,
      });
    }
  }, 600_000);

  afterAll(() => {
    rows = [];
  });

  it('agrees on the side of 50 and 75 for at least 90 % of cases, within 12 points on average', () => {
    const agree = rows.filter((r) => sameSide(r.engine, r.model));
    const { mae } = agreement(rows);
    const bad = rows.filter((r) => !agree.includes(r)).map((r) => `${r.family} ${r.case} s${r.seed}: engine ${r.engine}, model ${r.model}`);
    process.stdout.write(`calibration: ${rows.length} cases, ${((100 * agree.length) / rows.length).toFixed(1)} % same side, MAE ${mae.toFixed(1)}\n`);
    expect({ share: agree.length / rows.length >= 0.9, bad: agree.length / rows.length >= 0.9 ? [] : bad }).toEqual({ share: true, bad: [] });
    expect(mae).toBeLessThanOrEqual(12);
  });

  it('agrees family by family (no family is carried by the others)', () => {
    const families = [...new Set(rows.map((r) => r.family))];
    expect(families.length).toBe(9);
    for (const family of families) {
      const of = rows.filter((r) => r.family === family);
      const { mae } = agreement(of);
      expect({ family, maeUnder25: mae <= 25 }).toEqual({ family, maeUnder25: true });
    }
  });

  it("flags the last two days' baseline alerts on the engine's side of 50 for at least 85 % of cases", () => {
    // The engine's baseline records are the least predictable part (Poisson noise in the counts,
    // the normaliser): see the README's limits. This keeps the model from drifting further off.
    const l = lateAgreement(rows.map((r) => ({ engine: r.engineLate, model: r.modelLate })));
    process.stdout.write(
      `calibration, last 48 h baseline: ${(100 * l.side).toFixed(1)} % same side of 50, ${l.missed} engine alerts missed, ${l.extra} extra\n`,
    );
    expect(l.side).toBeGreaterThanOrEqual(0.85);
  });

  it('predicts 0 where the engine gives no score: a new by-value of a count job, a weekend spike, no normaliser history', () => {
    const zero = (family: string, c: string) => rows.find((r) => r.family === family && r.case === c)!.model;
    expect(zero('count_by', 'new_ip_events=500')).toBe(0);
    expect(zero('count', 'end=2026-12-06T03:30:00, factor=20')).toBe(0);
    expect(zero('info_content', 'default')).toBe(0);
    expect(zero('rare_partition', 'new_partition=True')).toBe(0);
  });
});
