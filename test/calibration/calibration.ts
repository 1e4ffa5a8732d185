/**
 * The engine calibration cases (ENGINE_README.md): their inputs, written by the vendored
 * scenarios.py, and the real engine's scores (calibration.tsv). Used by the calibration test and
 * by scripts/fit_engine.ts. The inputs are generated on demand into a cache directory (python3).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineRun {
  family: string;
  case: string;
  seed: number;
  injected: number;
  competitor: number | null;
  earlier: number | null;
  baselineMax: number;
  lateMax: number;
}

const HERE = __dirname;

export function engineRuns(): EngineRun[] {
  const [header, ...lines] = readFileSync(join(HERE, 'calibration.tsv'), 'utf8').trim().split('\n');
  const cols = header.split('\t');
  const at = (row: string[], name: string) => row[cols.indexOf(name)];
  const num = (s: string) => (s === '' ? null : Number(s));
  return lines.map((line) => {
    const row = line.split('\t');
    return {
      family: at(row, 'family'),
      case: at(row, 'case'),
      seed: Number(at(row, 'seed')),
      injected: Number(at(row, 'injected')),
      competitor: num(at(row, 'competitor')),
      earlier: num(at(row, 'earlier')),
      baselineMax: Number(at(row, 'baseline_max')),
      lateMax: Number(at(row, 'late_max')),
    };
  });
}

/** The directory holding the generated inputs of every case for `seeds`, generating what is missing. */
export function caseInputs(seeds: number[], dir = process.env.ML_DEMO_CALIBRATION_DIR): string {
  const hash = createHash('sha256')
    .update(readFileSync(join(HERE, 'scenarios.py')))
    .digest('hex')
    .slice(0, 12);
  const out = dir ?? join(tmpdir(), `ml-demo-data-calibration-${hash}`);
  const python = process.env.PYTHON ?? 'python3';
  try {
    execFileSync(python, [join(HERE, 'make_cases.py'), out, ...seeds.map(String)], { stdio: 'pipe' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT')
      throw new Error(`The calibration cases need python3 (standard library only) to generate their inputs; install it or set PYTHON.`, { cause: e });
    throw new Error(`make_cases.py failed: ${err.stderr?.toString() ?? err.message}`, { cause: e });
  }
  return out;
}

export function caseDir(root: string, run: Pick<EngineRun, 'family' | 'case' | 'seed'>): string {
  return join(root, run.family, run.case, String(run.seed));
}

export function hasCase(root: string, run: Pick<EngineRun, 'family' | 'case' | 'seed'>): boolean {
  return existsSync(join(caseDir(root, run), 'injections.json'));
}

export function families(root: string): string[] {
  return readdirSync(root);
}

/** The bar of issue #16: a prediction agrees when it is on the same side of 50 and of 75 as the engine. */
export function sameSide(engine: number, model: number): boolean {
  return engine >= 50 === model >= 50 && engine >= 75 === model >= 75;
}

/** Share of pairs on the same side, and mean absolute error. */
export function agreement(pairs: { engine: number; model: number }[]): { side: number; mae: number } {
  const side = pairs.filter((p) => sameSide(p.engine, p.model)).length / pairs.length;
  const mae = pairs.reduce((s, p) => s + Math.abs(p.engine - p.model), 0) / pairs.length;
  return { side, mae };
}

/**
 * The highest baseline record of the last two days (what a demo shows first), engine against
 * model, on the side of 50: `missed` counts runs where the engine alerts and the model does not
 * (a false alert the verifier would not flag), `extra` the reverse.
 */
export function lateAgreement(pairs: { engine: number; model: number }[]): { side: number; missed: number; extra: number } {
  const missed = pairs.filter((p) => p.engine >= 50 && p.model < 50).length;
  const extra = pairs.filter((p) => p.engine < 50 && p.model >= 50).length;
  return { side: 1 - (missed + extra) / Math.max(1, pairs.length), missed, extra };
}
