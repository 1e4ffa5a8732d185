/**
 * The offline demo bundle: everything a stack needs, as files. NDJSON per data stream ready for
 * `_bulk` create, ML jobs and datafeeds ready for the ES ML APIs, the ML rules as NDJSON that
 * Kibana's rule import accepts, a manifest (counts, window, every injected anomaly, the verify
 * table), and a load script. Documents are streamed to disk; memory does not grow with them.
 *
 * The directory may hold other things: only files the manifest of an earlier bundle lists as its
 * own are replaced or removed, and a file of ours-to-be that exists and is not listed there stops
 * the write before anything changes.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { OptionsError } from '../../common/options';
import { datafeedId, datafeedPutBody, jobPutBody, ruleCreateBody } from '../../common/requests';
import type { Plan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { modulePass } from '../parallel/module_pass';
import { engineVerify, SCOPES, type EngineJobResult } from '../verify/engine_verify';
import { buildManifest, type BundleManifest } from './manifest';
import { loadScript, bundleReadme } from './load_script';

export interface BundleProgress {
  moduleId: string;
  docs: number;
  /** 0..1 through the whole plan (modules x time). */
  fraction: number;
}

export interface BundleOptions {
  /** Check every job on the written stream (default true). */
  verify?: boolean;
  onProgress?: (p: BundleProgress) => void;
  /** Threads (default 1, the single-thread path): modules are generated, written and verified in parallel, with the same bytes. */
  workers?: number;
}

export interface BundleResult {
  dir: string;
  manifest: BundleManifest;
  files: string[];
}

const FIXED_FILES = ['rules/ml_rules.ndjson', 'manifest.json', 'load.sh', 'README.md'];

/** The files a plan's bundle consists of (relative paths). */
export function bundleFiles(plan: Plan): string[] {
  const files = plan.modules.map((m) => join('data', `${m.dataStream}.ndjson`));
  for (const { job } of plan.modules.flatMap((m) => m.jobs)) files.push(join('ml/anomaly_detectors', `${job.id}.json`), join('ml/datafeeds', `${datafeedId(job.id)}.json`));
  return [...files, ...FIXED_FILES];
}

/** A relative path that stays inside the bundle directory (manifest content is not trusted). */
const insideDir = (f: unknown): f is string => typeof f === 'string' && f.length > 0 && !isAbsolute(f) && !normalize(f).split(sep).includes('..') && !f.includes('\0');

/**
 * Checks the bundle directory before anything is generated: it is a directory (or does not exist
 * yet), and a manifest.json in it is one of ours. Returns the files the earlier bundle owns.
 */
export function checkBundleDir(dir: string, label = 'bundle directory'): Set<string> {
  if (!existsSync(dir)) return new Set();
  if (!statSync(dir).isDirectory()) throw new OptionsError(`${label} ${dir} exists and is not a directory; choose a new or empty directory`, 'out');
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return new Set();
  let earlier: Partial<BundleManifest> | undefined;
  try {
    earlier = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<BundleManifest>;
  } catch {
    earlier = undefined;
  }
  if (!earlier || earlier.generator !== 'ml-demo-data') {
    throw new OptionsError(`${label} ${dir} has a manifest.json that is not an ml-demo-data bundle's; choose a new or empty directory (nothing was changed)`, 'out');
  }
  // Manifests before the `files` list: the same files, derived from what they describe.
  const listed = earlier.files ?? [
    ...(earlier.dataStreams ?? []).map((d) => d.file),
    ...(earlier.jobs ?? []).flatMap((j) => [join('ml/anomaly_detectors', `${j.id}.json`), join('ml/datafeeds', `${j.datafeedId}.json`)]),
    ...FIXED_FILES,
  ];
  return new Set([...listed.filter(insideDir).map((f) => normalize(f)), 'manifest.json']);
}

export async function writeBundle(plan: Plan, dir: string, options: BundleOptions = {}): Promise<BundleResult> {
  const owned = checkBundleDir(dir);
  const targets = bundleFiles(plan);
  const foreign = targets.find((f) => !owned.has(normalize(f)) && existsSync(join(dir, f)));
  if (foreign) throw new OptionsError(`bundle directory ${dir} already has ${foreign}, which no earlier ml-demo-data bundle wrote there; choose a new or empty directory (nothing was changed)`, 'out');
  // Files of the earlier bundle this one does not rewrite (other modules, other job ids).
  const wanted = new Set(targets.map((f) => normalize(f)));
  for (const f of owned) if (!wanted.has(f) && existsSync(join(dir, f)) && statSync(join(dir, f)).isFile()) rmSync(join(dir, f));
  for (const sub of ['data', 'ml/anomaly_detectors', 'ml/datafeeds', 'rules']) mkdirSync(join(dir, sub), { recursive: true });
  const files: string[] = [];
  const docsPerStream: Record<string, number> = {};
  let total = 0;
  const span = plan.end - plan.dataStart;
  let verification: EngineJobResult[];
  if ((options.workers ?? 1) > 1) {
    const dataFiles = plan.modules.map((m) => join('data', `${m.dataStream}.ndjson`));
    const pass = await modulePass(plan, {
      workers: options.workers!,
      bulkCreate: true,
      files: dataFiles.map((f) => join(dir, f)),
      verify: options.verify === false ? [] : SCOPES,
      onProgress: (p) => options.onProgress?.({ moduleId: plan.modules[p.m].moduleId, docs: p.docs, fraction: p.fraction }),
    });
    plan.modules.forEach((module, m) => (docsPerStream[module.dataStream] = pass.docs[m]));
    files.push(...dataFiles);
    verification = pass.verification;
  } else {
    for (const [m, module] of plan.modules.entries()) {
      const file = join('data', `${module.dataStream}.ndjson`);
      const out = createWriteStream(join(dir, file), { highWaterMark: 8 << 20 });
      let docs = 0;
      for (const chunk of moduleStream(plan, module, { bulkCreate: true })) {
        docs += chunk.docs;
        total += chunk.docs;
        if (!out.write(chunk.ndjson)) await once(out, 'drain');
        options.onProgress?.({ moduleId: module.moduleId, docs: total, fraction: (m + (chunk.until - plan.dataStart) / span) / plan.modules.length });
      }
      out.end();
      await once(out, 'finish');
      docsPerStream[module.dataStream] = docs;
      files.push(file);
    }
    // The engine model reads the plan again (a plan is a value: the same documents, merged by time).
    verification = options.verify === false ? [] : engineVerify(plan);
  }
  for (const module of plan.modules) {
    for (const { job } of module.jobs) {
      const jobFile = join('ml/anomaly_detectors', `${job.id}.json`);
      const feedFile = join('ml/datafeeds', `${datafeedId(job.id)}.json`);
      writeFileSync(join(dir, jobFile), `${JSON.stringify(jobPutBody(job), null, 2)}\n`);
      writeFileSync(join(dir, feedFile), `${JSON.stringify(datafeedPutBody(job, [module.dataStream]), null, 2)}\n`);
      files.push(jobFile, feedFile);
    }
  }
  const rules = [...new Map(plan.modules.flatMap((m) => m.jobs.flatMap((j) => j.rules)).map((r) => [r.rule_id, r])).values()];
  writeFileSync(join(dir, 'rules/ml_rules.ndjson'), rules.map((r) => JSON.stringify(ruleCreateBody(r))).join('\n') + (rules.length ? '\n' : ''));
  files.push('rules/ml_rules.ndjson');
  const manifest = buildManifest(plan, docsPerStream, verification, rules, targets);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'load.sh'), loadScript(manifest), { mode: 0o755 });
  writeFileSync(join(dir, 'README.md'), bundleReadme(manifest));
  files.push('manifest.json', 'load.sh', 'README.md');
  return { dir, manifest, files };
}
