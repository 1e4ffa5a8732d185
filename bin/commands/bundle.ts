/** `bundle`: the offline demo — data, jobs, datafeeds, rules and manifest written as files. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkBundleDir, writeBundle } from '../../server/bundle/write_bundle';
import { buildPlan } from '../../server/generators/plan';
import { formatVerifyTable } from '../../server/verify/format';
import type { Cli } from '../cli';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { addFromStackOption, addGenerationOptions, addWorkersOption, validateGeneration, withStackJobs, workersFrom, type GenerationFlags } from '../generation_options';
import { progressBar } from '../progress';

export const DEFAULT_BUNDLE_DIR = 'ml-demo-bundle';

export async function runBundle(flags: GenerationFlags & ConnectionFlags & { out?: string; verify?: boolean; workers?: string }, log: (line: string) => void, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const checked = validateGeneration(flags);
  const workers = workersFrom(flags);
  if (flags.out === '') throw new Error('--out must name a directory');
  const dir = resolve(flags.out ?? DEFAULT_BUNDLE_DIR);
  checkBundleDir(dir, '--out');
  const options = await withStackJobs(checked, flags, env);
  const plan = buildPlan(options);
  plan.notices.forEach((n) => log(`notice: ${n}`));
  const bar = progressBar('Writing bundle');
  const started = Date.now();
  const { manifest } = await writeBundle(plan, dir, { verify: flags.verify !== false, workers, onProgress: (p) => bar.update(p.fraction, { docs: p.docs, module: p.moduleId }) })
    .catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR, EACCES, EROFS, ENOSPC…: one sentence, not Node's raw error.
      if (error.code && error.syscall) throw new Error(`--out ${dir}: cannot write the bundle there (${error.code}${error.path ? ` on ${error.path}` : ''}); choose a writable directory`);
      throw error;
    })
    .finally(() => bar.stop());
  const seconds = (Date.now() - started) / 1000;
  log(`Wrote ${manifest.totals.docs} documents (${manifest.window.start} .. ${manifest.window.end}) to ${dir} in ${seconds.toFixed(1)} s:`);
  for (const ds of manifest.dataStreams) log(`  ${ds.file}  ${ds.docs} docs  -> data stream ${ds.name}`);
  log(`  ml/anomaly_detectors/*.json, ml/datafeeds/*.json  ${manifest.totals.jobs} jobs (${plan.options.variant} ids)`);
  log(`  rules/ml_rules.ndjson  ${manifest.rules.length} ML detection rules`);
  log(`  manifest.json  ${manifest.totals.anomalies} injected anomalies, verify table`);
  if (manifest.verify.length) log(`\n${formatVerifyTable(manifest.verify)}`);
  log(`\nLoad it into a stack:  ES_URL=https://localhost:9200 KIBANA_URL=http://localhost:5601 ELASTIC_API_KEY=<key> ${dir}/load.sh`);
  if (manifest.totals.failed > 0) {
    log(`\nThe engine model predicts that ${manifest.totals.failed} job(s) will not reach their rule's threshold + 10 (or would raise a baseline alert): see the reasons above. The bundle is complete; \`verify\` exits 2 on such jobs.`);
  }
  return 0;
}

export function bundleCommand(program: Command, cli: Cli): void {
  addWorkersOption(addConnectionOptions(addFromStackOption(addGenerationOptions(program.command('bundle').description('write the complete offline demo (data, ML jobs, datafeeds, rules, manifest) as files')))))
    .option('-o, --out <dir>', 'bundle directory', DEFAULT_BUNDLE_DIR)
    .option('--no-verify', 'skip checking every job on the written data')
    .action(async (flags) => {
      cli.setExitCode(await runBundle(flags, cli.log, cli.env));
    });
}
