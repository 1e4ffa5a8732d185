/**
 * Generation options shared by every command that produces data, as command-line flags. Each flag
 * is parsed strictly and checked by the one options schema (common/options.ts) before anything is
 * generated or any stack is contacted; an error names the flag.
 */
import { Command, Option } from 'commander';
import { resolveSelection, SUPPORTED_MODULE_IDS } from '../common/catalogue';
import { DEFAULT_OPTIONS, LIMITS, OptionsError, parseOptionText, show, type OptionName } from '../common/options';
import type { JobVariant } from '../common/catalogue/types';
import { readJobFiles } from '../server/custom_jobs/files';
import { readStackJobs, type MlReader } from '../server/custom_jobs/from_stack';
import { CustomJobError, JOB_ID_PATTERN, parseCustomJobs } from '../server/custom_jobs/parse';
import { connect, describeConnection, resolveConnection, type ConnectionFlags } from './connection';
import type { GenerateOptions } from '../server/generators/options';
import { resolveOptions } from '../server/generators/options';
import { resolveWorkers, type WorkersOption } from '../server/parallel/workers';

export interface GenerationFlags {
  modules?: string;
  historyDays?: string;
  end?: string;
  seed?: string;
  scale?: string;
  anomaliesPerJob?: string;
  namespace?: string;
  theme?: string;
  variant?: string;
  /** --timeline: a flag (commander gives true). */
  timeline?: boolean;
  /** --job-file / --datafeed-file, each repeatable (a file or a folder). */
  jobFile?: string[];
  datafeedFile?: string[];
  /** --from-stack: ids of jobs that exist in the cluster (bundle, verify). */
  fromStack?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addGenerationOptions(command: Command): Command {
  const { historyDays, scale, anomaliesPerJob } = LIMITS;
  return command
    .option('-m, --modules <list>', `modules or job ids, comma-separated (default: all: ${SUPPORTED_MODULE_IDS.join(',')})`)
    .option('--history-days <n>', `days of baseline history, a whole number from ${historyDays.min} to ${historyDays.max}`, String(DEFAULT_OPTIONS.historyDays))
    .option('--end <time>', 'end of the data, ISO 8601 UTC (e.g. 2026-05-05T12:00:00Z), from 2000-01-01 to one day ahead of now (default: now)')
    .option('--seed <text>', 'same seed, same output (1-64 letters, digits, _ . -)', DEFAULT_OPTIONS.seed)
    .option('--scale <x>', `multiplies baseline events per bucket, ${scale.min} to ${scale.max}`, String(DEFAULT_OPTIONS.scale))
    .option('--anomalies-per-job <n>', `headline anomalies per job, ${anomaliesPerJob.min} to ${anomaliesPerJob.max}`, String(DEFAULT_OPTIONS.anomaliesPerJob))
    .option('--namespace <ns>', 'data stream namespace: logs-<dataset>-<namespace> (a-z, 0-9, _)', DEFAULT_OPTIONS.namespace)
    .option('--theme <name>', 'entity names (acme, globex)', DEFAULT_OPTIONS.theme)
    .addOption(new Option('--variant <ids>', 'job ids: classic (stacks before 9.4) or ea (9.4+)').choices(['classic', 'ea']))
    .option(
      '--timeline',
      'the anomalies as one intrusion over about the last day (reconnaissance, access, execution, exfiltration) instead of all in the last buckets; older anomalies alert through a manual rule run (Kibana 8.16+; older stacks keep the last buckets)',
    )
    .option(
      '--job-file <path>',
      'your own anomaly detection job: the body of PUT _ml/anomaly_detectors/<id> or a Kibana module job file, or a folder of them (repeatable; without --modules only these jobs)',
      collect,
    )
    .option(
      '--datafeed-file <path>',
      "its datafeed: the body of PUT _ml/datafeeds/<id> (repeatable; default: the job's datafeed_config, else every document)",
      collect,
    );
}

/** `--workers`: threads for generating and verifying (not a generation option: the output is the same). */
export function addWorkersOption(command: Command): Command {
  const { workers } = LIMITS;
  return command.option(
    '--workers <n>',
    `threads that generate and verify modules in parallel, ${workers.min} to ${workers.max} or auto (one per core; 1: a single thread); the output is the same`,
    'auto',
  );
}

/** The `--workers` flag as a thread count. */
export function workersFrom(flags: { workers?: string }): number {
  return resolveWorkers(parseOptionText('workers', flags.workers ?? 'auto', '--workers') as WorkersOption);
}

const FLAGS: [Exclude<keyof GenerationFlags, 'jobFile' | 'datafeedFile' | 'fromStack' | 'timeline'>, OptionName, string][] = [
  ['historyDays', 'historyDays', '--history-days'],
  ['end', 'end', '--end'],
  ['seed', 'seed', '--seed'],
  ['scale', 'scale', '--scale'],
  ['anomaliesPerJob', 'anomaliesPerJob', '--anomalies-per-job'],
  ['namespace', 'namespace', '--namespace'],
  ['theme', 'theme', '--theme'],
  ['variant', 'variant', '--variant'],
];

/** The flags as generator options, each parsed and checked; throws OptionsError naming the flag. */
export function toGenerateOptions(flags: GenerationFlags, modulesFlag = '--modules'): GenerateOptions {
  const custom = !!flags.jobFile?.length || flags.fromStack !== undefined;
  if (flags.datafeedFile?.length && !custom) throw new OptionsError('--datafeed-file needs --job-file (the job the datafeed feeds)', 'customJobs');
  const out: Record<string, unknown> = {
    // With job files and no --modules: only the user's jobs.
    modules: flags.modules === undefined ? (custom ? [] : [...SUPPORTED_MODULE_IDS]) : parseOptionText('modules', flags.modules, modulesFlag),
  };
  for (const [key, name, flag] of FLAGS) {
    const text = flags[key];
    if (text !== undefined) out[name] = parseOptionText(name, text, flag);
  }
  if (flags.timeline) out.timeline = true;
  if (flags.jobFile?.length) {
    try {
      out.customJobs = parseCustomJobs(readJobFiles(flags.jobFile, flags.datafeedFile ?? []), (out.variant as JobVariant | undefined) ?? 'classic');
    } catch (error) {
      if (error instanceof CustomJobError) throw new OptionsError(error.message, 'customJobs');
      throw error;
    }
  }
  return out as unknown as GenerateOptions;
}

/**
 * Every generation option checked as a whole, as the run will check it (module names against the
 * catalogue, the end against now), so a mistake is reported before generating or connecting.
 */
export function validateGeneration(flags: GenerationFlags, modulesFlag = '--modules'): GenerateOptions {
  const options = toGenerateOptions(flags, modulesFlag);
  // --from-stack jobs are read later (withStackJobs): until then the run may have no module.
  if (flags.fromStack !== undefined && !options.modules.length && !options.customJobs?.length) {
    resolveOptions({ ...options, modules: ['security_auth'] });
    return options;
  }
  try {
    resolveSelection(options.modules, options.variant ?? 'classic');
  } catch (error) {
    throw new OptionsError(`${modulesFlag}: ${(error as Error).message}`, 'modules');
  }
  resolveOptions(options);
  return options;
}

/** --from-stack (bundle, verify): jobs that exist in the cluster, read with GET requests only. */
export function addFromStackOption(command: Command): Command {
  return command.option(
    '--from-stack <ids>',
    'jobs that already exist in the cluster (--es-url / ES_URL), comma-separated: generate data for them as for --job-file (nothing in the cluster changes)',
  );
}

/** Job ids of --from-stack, checked as Elasticsearch checks job ids. */
export function fromStackIds(text: string): string[] {
  const ids = text.split(',').map((s) => s.trim());
  const bad = ids.find((id) => !JOB_ID_PATTERN.test(id));
  if (bad !== undefined || ids.length > 20)
    throw new OptionsError(`--from-stack must be 1 to 20 job ids, comma-separated (lowercase letters, digits, - and _); got ${show(text)}`, 'fromStack');
  return ids;
}

/**
 * Adds the jobs --from-stack names, read from the cluster (only GET requests), to the options;
 * without --from-stack the options are returned as they are. Needs ES_URL or --es-url.
 */
export async function withStackJobs(options: GenerateOptions, flags: GenerationFlags & ConnectionFlags, env: NodeJS.ProcessEnv): Promise<GenerateOptions> {
  if (flags.fromStack === undefined) return options;
  const ids = fromStackIds(flags.fromStack);
  const connection = resolveConnection(flags, env);
  if (!connection)
    throw new OptionsError(
      '--from-stack reads the jobs from a cluster: pass --es-url or set ES_URL (with --api-key or ELASTIC_API_KEY, or a user and password)',
      'fromStack',
    );
  const deps = await connect(connection);
  try {
    const inputs = await readStackJobs(deps.es as unknown as MlReader, ids, describeConnection(connection).replace(/,.*$/, ''));
    const fromStack = parseCustomJobs(inputs, options.variant ?? 'classic');
    const customJobs = [...(options.customJobs ?? []), ...fromStack];
    const resolved = { ...options, customJobs };
    resolveOptions(resolved);
    return resolved;
  } catch (error) {
    if (error instanceof CustomJobError) throw new OptionsError(error.message, 'fromStack');
    throw error;
  } finally {
    await deps.close();
  }
}
