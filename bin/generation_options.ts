/** Generation options shared by every command that produces data, as command-line flags. */
import { Command, Option } from 'commander';
import { SUPPORTED_MODULE_IDS } from '../common/catalogue';
import type { GenerateOptions } from '../server/generators/options';
import { DEFAULTS } from '../server/generators/options';

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
  return command
    .option('-m, --modules <list>', `modules or job ids, comma-separated (default: all: ${SUPPORTED_MODULE_IDS.join(',')})`)
    .option('--history-days <n>', `days of baseline history (min 3)`, String(DEFAULTS.historyDays))
    .option('--end <time>', 'end of the data, ISO 8601 (default: now)')
    .option('--seed <text>', 'same seed, same output', DEFAULTS.seed)
    .option('--scale <x>', 'multiplies baseline events per bucket', String(DEFAULTS.scale))
    .option('--anomalies-per-job <n>', 'headline anomalies per job', String(DEFAULTS.anomaliesPerJob))
    .option('--namespace <ns>', 'data stream namespace: logs-<dataset>-<namespace>', DEFAULTS.namespace)
    .option('--theme <name>', 'entity names (acme, globex)', DEFAULTS.theme)
    .addOption(new Option('--variant <ids>', 'job ids: classic (stacks before 9.4) or ea (9.4+)').choices(['classic', 'ea']).default(DEFAULTS.variant));
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number; got "${value}"`);
  return n;
}

export function toGenerateOptions(flags: GenerationFlags): GenerateOptions {
  return {
    modules: flags.modules ? flags.modules.split(',').map((s) => s.trim()).filter(Boolean) : [...SUPPORTED_MODULE_IDS],
    historyDays: number('history-days', flags.historyDays),
    end: flags.end,
    seed: flags.seed,
    scale: number('scale', flags.scale),
    anomaliesPerJob: number('anomalies-per-job', flags.anomaliesPerJob),
    namespace: flags.namespace,
    theme: flags.theme,
    variant: flags.variant as GenerateOptions['variant'],
  };
}
