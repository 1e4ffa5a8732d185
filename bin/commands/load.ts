/**
 * `load <bundle>`: puts a bundle written earlier into a stack with the same installers as `setup`
 * (template and ownership record, the bulk helper with exact counts, jobs sized for the cluster,
 * datafeeds, rules, read-back), re-based so the demo ends now (server/bundle/load_bundle.ts).
 * The documents come from the bundle's files; the plan rebuilt from its manifest (same seed and
 * end: the same plan) gives the jobs, the rules and where each anomaly is.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseOptionText } from '../../common/options';
import { bundleDocuments, bundleOptions, readBundle, rebaseShift } from '../../server/bundle/load_bundle';
import type { Cli } from '../cli';
import { addConnectionOptions, type ConnectionFlags } from '../connection';
import { followRun, requireConnection } from './stack';

export interface LoadFlags extends ConnectionFlags {
  chunkSize?: string;
  rules?: boolean;
  rebase?: boolean;
}

export async function runLoad(dir: string, flags: LoadFlags, cli: Pick<Cli, 'log' | 'env'>, now = Date.now()): Promise<number> {
  const connection = requireConnection(flags, cli.env);
  const chunkSize = flags.chunkSize === undefined ? undefined : (parseOptionText('chunkSize', flags.chunkSize, '--chunk-size') as number);
  const bundleDir = resolve(dir);
  const manifest = readBundle(bundleDir);
  const shiftMs = flags.rebase === false ? 0 : rebaseShift(manifest, now);
  const files = new Map(manifest.dataStreams.map((d) => [d.name, join(bundleDir, d.file)]));
  const hours = (shiftMs / 3_600_000).toFixed(2);
  cli.log(
    shiftMs
      ? `Bundle ${bundleDir}: ${manifest.totals.docs} documents ending ${manifest.window.end}; re-based by ${hours} h to end at ${new Date(Date.parse(manifest.window.end) + shiftMs).toISOString()}`
      : `Bundle ${bundleDir}: ${manifest.totals.docs} documents ending ${manifest.window.end}, loaded at their own times`,
  );
  return followRun(
    connection,
    {
      ...bundleOptions(manifest),
      enableJobs: true,
      installRules: flags.rules !== false,
      chunkSize,
      shiftMs,
      documents: (module) => bundleDocuments(files.get(module.dataStream)!, shiftMs),
    },
    cli.log,
  );
}

export function loadCommand(program: Command, cli: Cli): void {
  addConnectionOptions(
    program
      .command('load')
      .argument('<bundle>', 'directory the bundle command wrote')
      .description(
        'load a bundle into a stack, re-based so it ends now: data, jobs (sized for the ML nodes), datafeeds over the shifted window, rules, read-back',
      ),
  )
    .option('--chunk-size <n>', 'documents per bulk request', '5000')
    .option('--no-rules', 'do not install the ML rules')
    .option('--no-rebase', "load the documents at their own times (the anomalies are then only inside the rules' look-back right after the bundle was written)")
    .action(async (dir: string, flags: LoadFlags) => {
      cli.setExitCode(await runLoad(dir, flags, cli));
    });
}
