/**
 * Generation options shared by every command that produces data, as command-line flags. Each flag
 * is parsed strictly and checked by the one options schema (common/options.ts) before anything is
 * generated or any stack is contacted; an error names the flag.
 */
import { Command, Option } from 'commander';
import { resolveSelection, SUPPORTED_MODULE_IDS } from '../common/catalogue';
import { DEFAULT_OPTIONS, LIMITS, OptionsError, parseOptionText, type OptionName } from '../common/options';
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
}

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
    .addOption(new Option('--variant <ids>', 'job ids: classic (stacks before 9.4) or ea (9.4+)').choices(['classic', 'ea']));
}

/** `--workers`: threads for generating and verifying (not a generation option: the output is the same). */
export function addWorkersOption(command: Command): Command {
  const { workers } = LIMITS;
  return command.option('--workers <n>', `threads that generate and verify modules in parallel, ${workers.min} to ${workers.max} or auto (one per core; 1: a single thread); the output is the same`, 'auto');
}

/** The `--workers` flag as a thread count. */
export function workersFrom(flags: { workers?: string }): number {
  return resolveWorkers(parseOptionText('workers', flags.workers ?? 'auto', '--workers') as WorkersOption);
}

const FLAGS: [keyof GenerationFlags, OptionName, string][] = [
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
  const out: Record<string, unknown> = {
    modules: flags.modules === undefined ? [...SUPPORTED_MODULE_IDS] : parseOptionText('modules', flags.modules, modulesFlag),
  };
  for (const [key, name, flag] of FLAGS) {
    const text = flags[key];
    if (text !== undefined) out[name] = parseOptionText(name, text, flag);
  }
  return out as unknown as GenerateOptions;
}

/**
 * Every generation option checked as a whole, as the run will check it (module names against the
 * catalogue, the end against now), so a mistake is reported before generating or connecting.
 */
export function validateGeneration(flags: GenerationFlags, modulesFlag = '--modules'): GenerateOptions {
  const options = toGenerateOptions(flags, modulesFlag);
  try {
    resolveSelection(options.modules, options.variant ?? 'classic');
  } catch (error) {
    throw new OptionsError(`${modulesFlag}: ${(error as Error).message}`, 'modules');
  }
  resolveOptions(options);
  return options;
}
