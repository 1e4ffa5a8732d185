#!/usr/bin/env node
/**
 * ml-demo-data: the command line. With no command and no stack configured it writes the offline
 * demo bundle. Errors are one clear line (DEBUG=1 shows the stack trace).
 */
import { Command } from 'commander';
import { bundleCommand, runBundle } from './commands/bundle';
import { listCommand } from './commands/list';
import { predictCommand } from './commands/predict';
import { verifyCommand } from './commands/verify';
import { runStack, stackCommands } from './commands/stack';
import { resolveConnection } from './connection';

const log = (line: string) => process.stdout.write(`${line}\n`);

export function buildProgram(): Command {
  const program = new Command('ml-demo-data')
    .description('Detector-driven demo data for Elastic Security ML jobs: data, jobs, rules, anomalies that fire.')
    .showHelpAfterError()
    .allowExcessArguments(true)
    .action(async (_options: unknown, command: Command) => {
      if (command.args.length) throw new Error(`unknown command '${command.args[0]}' (see ml-demo-data --help)`);
      if (resolveConnection({})) {
        log('No command given and a stack is configured (ES_URL): setting up the whole demo. See --help for the other commands.\n');
        process.exitCode = await runStack({}, { enableJobs: true, installRules: true }, log);
        return;
      }
      log('No command given and no stack configured (ES_URL): writing the offline demo bundle (all six modules). See --help for the other commands.\n');
      process.exitCode = await runBundle({}, log);
    });
  bundleCommand(program, log);
  verifyCommand(program, log);
  listCommand(program, log);
  predictCommand(program, log);
  stackCommands(program, log);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: Error) => {
      process.stderr.write(`error: ${process.env.DEBUG ? error.stack : error.message}\n`);
      process.exitCode = 1;
    });
}
