/** `verify`: generate in memory and print, job by job, what the engine model predicts in both scopes. */
import type { Command } from 'commander';
import { buildPlan } from '../../server/generators/plan';
import { modulePass } from '../../server/parallel/module_pass';
import { engineVerify, SCOPES } from '../../server/verify/engine_verify';
import { formatVerifyTable } from '../../server/verify/format';
import type { Cli } from '../cli';
import { addConnectionOptions } from '../connection';
import { addFromStackOption, addGenerationOptions, addWorkersOption, validateGeneration, withStackJobs, workersFrom } from '../generation_options';

export function verifyCommand(program: Command, { log, warn, setExitCode, env }: Cli): void {
  addWorkersOption(addConnectionOptions(addFromStackOption(addGenerationOptions(program.command('verify').description("generate in memory and predict, job by job, the ML engine's scores (own stream and all streams)")))))
    .option('--json', 'print the results as JSON')
    .action(async (flags) => {
      const workers = workersFrom(flags);
      const plan = buildPlan(await withStackJobs(validateGeneration(flags), flags, env));
      // With --json, standard output is the JSON alone; notices go to standard error.
      plan.notices.forEach((n) => (flags.json ? warn : log)(`notice: ${n}`));
      // Several threads give the same results (the modules merged by time as one thread does).
      const results = workers > 1 ? (await modulePass(plan, { workers, verify: SCOPES })).verification : engineVerify(plan);
      log(flags.json ? JSON.stringify(results, null, 2) : formatVerifyTable(results));
      setExitCode(results.every((r) => r.pass) ? 0 : 2);
    });
}
