/**
 * Runs the engine model on the calibration cases and prints, per case, the real engine's score
 * next to the model's, with the agreement figures the calibration test asserts. With --fit,
 * searches the model's constants (coordinate descent, replaying each case's recorded buckets)
 * and prints the best set to paste into server/engine/params.ts.
 *
 *   node -r ./dev/register.js scripts/fit_engine.ts [--seeds 0,1,2,3,4] [--family rare_by,count] [--fit rare [--keys a,b]] [--dir D]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClosedBucket } from '../server/engine/buckets';
import { EngineModel, type Prediction } from '../server/engine/model';
import { DEFAULT_PARAMS, type EngineParams } from '../server/engine/params';
import { predictFiles, readInjections } from '../server/engine/predict';
import { agreement, caseDir, caseInputs, engineRuns, hasCase, lateAgreement, sameSide, type EngineRun } from '../test/calibration/calibration';

interface Recorded {
  run: EngineRun;
  job: unknown;
  injections: ReturnType<typeof readInjections>;
  buckets: [number, ClosedBucket][];
}

async function record(root: string, run: EngineRun): Promise<Recorded> {
  const dir = caseDir(root, run);
  const buckets: [number, ClosedBucket][] = [];
  const job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'));
  const injections = readInjections(join(dir, 'injections.json'));
  await predictFiles({ job: join(dir, 'job.json'), data: join(dir, 'docs.ndjson'), injections: join(dir, 'injections.json') }, undefined, (d, b) =>
    buckets.push([d, b]),
  );
  return { run, job, injections, buckets };
}

function replay(r: Recorded, params: EngineParams): Prediction {
  const model = new EngineModel(r.job, { injections: r.injections.injections, params });
  for (const [d, b] of r.buckets) model.replay(d, b);
  return model.finishReplay(r.injections.endMs!);
}

interface Row {
  run: EngineRun;
  predicted: number;
  why: string[];
  baseline: number;
  /** The model's highest record outside the injection in the last two days (the engine's: run.lateMax). */
  late: number;
}

function evaluate(recs: Recorded[], params: EngineParams): Row[] {
  return recs.map((r) => {
    const p = replay(r, params);
    const inj = p.injections.find((i) => i.label === 'injected')!;
    return { run: r.run, predicted: inj.score, why: inj.why, baseline: p.baselineMax, late: p.lateMax };
  });
}

const agreementOf = (rows: Row[]) => agreement(rows.map((r) => ({ engine: r.run.injected, model: r.predicted })));

function report(rows: Row[], quiet: boolean) {
  for (const r of rows) {
    const e = r.run.injected;
    const agree = sameSide(e, r.predicted);
    if (!quiet || !agree) {
      console.log(
        `${agree ? ' ' : 'X'} ${r.run.family.padEnd(15)} ${r.run.case.padEnd(38)} s${r.run.seed} engine ${String(e).padStart(5)} model ${String(r.predicted).padStart(5)}  base ${String(r.run.baselineMax).padStart(5)}/${String(r.baseline).padStart(5)}  late ${String(r.run.lateMax).padStart(5)}/${String(r.late).padStart(5)}  ${r.why.join('; ').slice(0, 160)}`,
      );
    }
  }
  const a = agreementOf(rows);
  console.log(`\n${rows.length} runs: same side of 50 and 75: ${(100 * a.side).toFixed(1)} %, mean absolute error ${a.mae.toFixed(1)}`);
  const l = lateAgreement(rows.map((r) => ({ engine: r.run.lateMax, model: r.late })));
  console.log(
    `last 48 h baseline: same side of 50 ${(100 * l.side).toFixed(1)} %; the engine alerts (>= 50) where the model does not: ${l.missed}, the model where the engine does not: ${l.extra}`,
  );
}

/** Coordinate descent over one group of constants. */
function fit(recs: Recorded[], group: keyof EngineParams, start: EngineParams, only?: string[]): EngineParams {
  let best = structuredClone(start);
  const loss = (p: EngineParams) => {
    const a = agreementOf(evaluate(recs, p));
    return a.mae + 40 * (1 - a.side);
  };
  let bestLoss = loss(best);
  const keys = (Object.keys(best[group]) as string[]).filter((k) => !only || only.includes(k));
  const steps: Record<string, number> = Object.fromEntries(
    keys.map((k) => [k, Math.max(0.05, Math.abs((best[group] as unknown as Record<string, number>)[k]) * 0.2)]),
  );
  for (let round = 0; round < 6; round++) {
    let improved = false;
    for (const k of keys) {
      for (const dir of [1, -1]) {
        const trial = structuredClone(best);
        (trial[group] as unknown as Record<string, number>)[k] += dir * steps[k];
        const l = loss(trial);
        if (l < bestLoss - 1e-6) {
          best = trial;
          bestLoss = l;
          improved = true;
          break;
        }
      }
    }
    console.error(`round ${round}: loss ${bestLoss.toFixed(2)} ${JSON.stringify(best[group])}`);
    if (!improved) for (const k of keys) steps[k] /= 2;
  }
  return best;
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seeds = (opt('--seeds') ?? '0').split(',').map(Number);
  const familyFilter = opt('--family')?.split(',');
  const root = opt('--dir') ?? caseInputs(seeds);
  const runs = engineRuns().filter((r) => seeds.includes(r.seed) && (!familyFilter || familyFilter.includes(r.family)) && hasCase(root, r));
  const recs: Recorded[] = [];
  for (const run of runs) recs.push(await record(root, run));
  let params = DEFAULT_PARAMS;
  const group = opt('--fit') as keyof EngineParams | undefined;
  if (group) {
    params = fit(recs, group, params, opt('--keys')?.split(','));
    console.log(JSON.stringify(params[group], null, 2));
  }
  report(evaluate(recs, params), args.includes('--quiet'));
}

if (require.main === module) void main();
