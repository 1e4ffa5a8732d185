/** `verify`: generate in memory and print, job by job, how each detector will see the data. */
import type { Command } from 'commander';
import { buildPlan } from '../../server/generators/plan';
import { moduleStream } from '../../server/generators/stream';
import { formatVerifyTable } from '../../server/verify/format';
import { Verifier } from '../../server/verify/verify';
import type { Cli } from '../cli';
import { addGenerationOptions, validateGeneration } from '../generation_options';

export function verifyCommand(program: Command, { log, setExitCode }: Cli): void {
  addGenerationOptions(program.command('verify').description('generate in memory and check every job: datafeed matches, history, anomaly strength'))
    .option('--json', 'print the results as JSON')
    .action((flags) => {
      const plan = buildPlan(validateGeneration(flags));
      plan.notices.forEach((n) => log(`notice: ${n}`));
      const verifier = new Verifier(plan);
      for (const module of plan.modules) for (const chunk of moduleStream(plan, module)) verifier.addChunk(module.moduleId, chunk.ndjson);
      const results = verifier.results();
      log(flags.json ? JSON.stringify(results, null, 2) : formatVerifyTable(results));
      setExitCode(results.every((r) => r.pass) ? 0 : 2);
    });
}
