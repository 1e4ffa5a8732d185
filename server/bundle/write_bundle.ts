/**
 * The offline demo bundle: everything a stack needs, as files. NDJSON per data stream ready for
 * `_bulk` create, ML jobs and datafeeds ready for the ES ML APIs, the ML rules as NDJSON that
 * Kibana's rule import accepts, a manifest (counts, window, every injected anomaly, the verify
 * table), and a load script. Documents are streamed to disk; memory does not grow with them.
 */
import { createWriteStream, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { datafeedId, datafeedPutBody, jobPutBody, ruleCreateBody } from '../../common/requests';
import type { Plan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { engineVerify, type EngineJobResult } from '../verify/engine_verify';
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
}

export interface BundleResult {
  dir: string;
  manifest: BundleManifest;
  files: string[];
}

export async function writeBundle(plan: Plan, dir: string, options: BundleOptions = {}): Promise<BundleResult> {
  if (existsSync(join(dir, 'manifest.json'))) rmSync(dir, { recursive: true, force: true });
  for (const sub of ['data', 'ml/anomaly_detectors', 'ml/datafeeds', 'rules']) mkdirSync(join(dir, sub), { recursive: true });
  const files: string[] = [];
  const docsPerStream: Record<string, number> = {};
  let total = 0;
  const span = plan.end - plan.start;
  for (const [m, module] of plan.modules.entries()) {
    const file = join('data', `${module.dataStream}.ndjson`);
    const out = createWriteStream(join(dir, file), { highWaterMark: 8 << 20 });
    let docs = 0;
    for (const chunk of moduleStream(plan, module, { bulkCreate: true })) {
      docs += chunk.docs;
      total += chunk.docs;
      if (!out.write(chunk.ndjson)) await once(out, 'drain');
      options.onProgress?.({ moduleId: module.moduleId, docs: total, fraction: (m + (chunk.until - plan.start) / span) / plan.modules.length });
    }
    out.end();
    await once(out, 'finish');
    docsPerStream[module.dataStream] = docs;
    files.push(file);
  }
  // The engine model reads the plan again (a plan is a value: the same documents, merged by time).
  const verification: EngineJobResult[] = options.verify === false ? [] : engineVerify(plan);
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
  const manifest = buildManifest(plan, docsPerStream, verification, rules);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'load.sh'), loadScript(manifest), { mode: 0o755 });
  writeFileSync(join(dir, 'README.md'), bundleReadme(manifest));
  files.push('manifest.json', 'load.sh', 'README.md');
  return { dir, manifest, files };
}
