/**
 * Stack commands: `generate-ml-data` and `rules` (the names users of the older
 * security-documents-generator know, working for real), `setup` (everything), `cleanup`, `status`.
 */
import type { Command } from 'commander';
import type { RunProgress } from '../../common/api';
import { SUPPORTED_MODULE_IDS } from '../../common/catalogue';
import { cleanupDemo } from '../../server/installers/cleanup';
import { runInstall } from '../../server/installers/run';
import { demoStatus } from '../../server/installers/status';
import type { InstallOptions } from '../../server/installers/types';
import { DEFAULT_OPTIONS, parseOptionText, show } from '../../common/options';
import type { Cli } from '../cli';
import { addConnectionOptions, connect, describeConnection, resolveConnection, type Connection, type ConnectionFlags } from '../connection';
import { addGenerationOptions, validateGeneration, type GenerationFlags } from '../generation_options';
import { progressBar } from '../progress';
import { formatRunReport } from '../report';

export function requireConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv) {
  const c = resolveConnection(flags, env);
  if (!c) throw new Error('no stack configured: pass --es-url (and --kibana-url) or set ES_URL / KIBANA_URL (without a stack, use the bundle command)');
  return c;
}

/**
 * Runs the installer with a progress bar per phase; Ctrl-C cancels cleanly. Every option and the
 * connection are checked first: a mistake is one line before anything is sent to the stack.
 */
export async function runStack(
  flags: ConnectionFlags & GenerationFlags & { chunkSize?: string },
  install: Pick<InstallOptions, 'enableJobs' | 'installRules'>,
  { log, env }: Pick<Cli, 'log' | 'env'>,
  modulesFlag = '--modules',
): Promise<number> {
  const connection = requireConnection(flags, env);
  const options = validateGeneration(flags, modulesFlag);
  const chunkSize = flags.chunkSize === undefined ? undefined : (parseOptionText('chunkSize', flags.chunkSize, '--chunk-size') as number);
  return followRun(connection, { ...options, ...install, chunkSize }, log);
}

/** Connects, runs the installer with a progress bar per phase (Ctrl-C cancels cleanly) and prints the report. */
export async function followRun(connection: Connection, installOptions: InstallOptions, log: Cli['log']): Promise<number> {
  log(`Connecting to ${describeConnection(connection)}`);
  const deps = await connect(connection);
  const controller = new AbortController();
  const onSigint = () => {
    log('\nCancelling: finishing the current request…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let phase = '';
  let bar = progressBar('');
  const onProgress = (p: RunProgress) => {
    if (p.phase !== phase) {
      bar.stop();
      phase = p.phase;
      log(`» ${phase}`);
      bar = progressBar(phase.padEnd(9), phase === 'index' ? '{bar} {percentage}% | {docs} docs' : '{bar} {percentage}% | {module}');
    }
    if (phase === 'index') bar.update(p.docs.planned ? Math.min(1, p.docs.indexed / p.docs.planned) : 0, { docs: p.docs.indexed, module: '' });
    if (phase === 'datafeeds') {
      const done = p.jobs.filter((j) => j.state === 'processed' || j.state === 'failed').length;
      bar.update(p.jobs.length ? done / p.jobs.length : 1, { docs: 0, module: `${done}/${p.jobs.length} jobs processed` });
    }
  };
  try {
    const result = await runInstall(deps, installOptions, onProgress, controller.signal);
    bar.stop();
    log(`\n${formatRunReport(result, connection.kibanaUrl)}`);
    return result.state === 'succeeded' ? 0 : 1;
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
    await deps.close();
  }
}

export function stackCommands(program: Command, cli: Cli): void {
  const { log } = cli;
  addConnectionOptions(addGenerationOptions(program.command('setup').description('the whole demo in a stack: data, ML jobs (started over the window), ML rules; then read back the scores')))
    .option('--chunk-size <n>', 'documents per bulk request', '5000')
    .option('--no-rules', 'do not install the ML rules')
    .action(async (flags) => {
      cli.setExitCode(await runStack(flags, { enableJobs: true, installRules: flags.rules !== false }, cli));
    });

  addConnectionOptions(addGenerationOptions(program.command('generate-ml-data').description('index the demo data into the stack; with --enable-jobs also create and start the modules\' ML jobs')))
    .option('--enable-jobs', 'create the ML jobs and run their datafeeds over the data')
    .option('--chunk-size <n>', 'documents per bulk request', '5000')
    .action(async (flags) => {
      cli.setExitCode(await runStack(flags, { enableJobs: Boolean(flags.enableJobs), installRules: false }, cli));
    });

  addConnectionOptions(program.command('rules').description('install detection rules; -t machine_learning --generate-ml-data --enable-ml-jobs --ml-modules a,b does the whole ML demo'))
    .option('-r, --rules <n>', 'number of rules (ML: at most the prebuilt rules of the chosen jobs)')
    .option('-t, --type <type>', 'rule type (this tool: machine_learning)', 'machine_learning')
    .option('--generate-ml-data', 'generate and index the ML demo data first')
    .option('--enable-ml-jobs', 'create and start the ML jobs')
    .option('--ml-modules <list>', `modules or jobs (default all: ${SUPPORTED_MODULE_IDS.join(',')})`)
    .option('--namespace <ns>', 'data stream namespace', DEFAULT_OPTIONS.namespace)
    .option('--history-days <n>', 'days of baseline history', String(DEFAULT_OPTIONS.historyDays))
    .option('--seed <text>', 'seed', DEFAULT_OPTIONS.seed)
    .action(async (flags) => {
      if (flags.type !== 'machine_learning') throw new Error(`-t: rule type ${show(flags.type)} is not something this tool makes; use -t machine_learning`);
      if (flags.rules !== undefined && !/^\d{1,6}$/.test(flags.rules)) throw new Error(`-r must be a whole number; got ${show(flags.rules)}`);
      const modules = flags.mlModules as string | undefined;
      cli.setExitCode(await runStack({ ...flags, modules }, { enableJobs: Boolean(flags.enableMlJobs), installRules: true }, cli, '--ml-modules'));
    });

  addConnectionOptions(program.command('cleanup').description('remove everything this tool created in the stack for a namespace, and nothing else'))
    .option('--namespace <ns>', 'data stream namespace', 'default')
    .action(async (flags) => {
      const connection = requireConnection(flags, cli.env);
      const namespace = parseOptionText('namespace', flags.namespace, '--namespace') as string;
      log(`Connecting to ${describeConnection(connection)}`);
      const deps = await connect(connection);
      try {
        const r = await cleanupDemo(deps, namespace);
        log(`Removed ${r.dataStreams.length} data streams, ${r.indexTemplates.length} index templates, ${r.jobs.length} ML jobs (with datafeeds and results), ${r.rules.length} rules.`);
        for (const [what, list] of Object.entries(r)) if (what !== 'errors' && list.length) log(`  ${what}: ${list.join(', ')}`);
        for (const e of r.errors) log(`error: ${e}`);
        cli.setExitCode(r.errors.length ? 1 : 0);
      } finally {
        await deps.close();
      }
    });

  addConnectionOptions(program.command('status').description('what of the demo exists in the stack: data streams, documents, jobs and their progress'))
    .option('--namespace <ns>', 'data stream namespace', 'default')
    .action(async (flags) => {
      const connection = requireConnection(flags, cli.env);
      const namespace = parseOptionText('namespace', flags.namespace, '--namespace') as string;
      const deps = await connect(connection);
      try {
        const s = await demoStatus(deps.es, namespace);
        log(`Namespace ${s.namespace}${s.fingerprint ? ` (demo ${s.fingerprint})` : ': no demo data'}`);
        for (const d of s.dataStreams) log(`  ${d.name}  ${d.docs} docs`);
        for (const j of s.jobs) log(`  ${j.id}  ${j.state}  ${j.processedRecords} records${j.latest ? ` up to ${j.latest}` : ''}`);
      } finally {
        await deps.close();
      }
    });
}
