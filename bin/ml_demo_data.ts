#!/usr/bin/env node
/**
 * ml-demo-data: the command line. With no command and no stack configured it writes the offline
 * demo bundle. Errors are one clear line naming the option (DEBUG=1 shows the stack trace); every
 * line printed is redacted, so no password, API key or URL userinfo reaches the terminal.
 */
import { Command, CommanderError } from 'commander';
import type { Cli } from './cli';
import { bundleCommand, runBundle } from './commands/bundle';
import { listCommand } from './commands/list';
import { liveCommand } from './commands/live';
import { loadCommand } from './commands/load';
import { predictCommand } from './commands/predict';
import { verifyCommand } from './commands/verify';
import { runStack, stackCommands } from './commands/stack';
import { resolveConnection } from './connection';
import { redact } from './redact';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export function buildProgram(cli: Cli, io: Pick<CliIo, 'out' | 'err'>): Command {
  const program = new Command('ml-demo-data')
    .description('Detector-driven demo data for Elastic Security ML jobs: data, jobs, rules, anomalies that fire.')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(redact(t)), writeErr: (t) => io.err(redact(t)) })
    .allowExcessArguments(true)
    .action(async (_options: unknown, command: Command) => {
      if (command.args.length) throw new Error(`unknown command '${String(command.args[0]).slice(0, 40)}' (see ml-demo-data --help)`);
      if (resolveConnection({}, cli.env)) {
        cli.log('No command given and a stack is configured (ES_URL): setting up the whole demo. See --help for the other commands.\n');
        cli.setExitCode(await runStack({}, { enableJobs: true, installRules: true }, cli));
        return;
      }
      cli.log('No command given and no stack configured (ES_URL): writing the offline demo bundle (every module). See --help for the other commands.\n');
      cli.setExitCode(await runBundle({}, cli.log));
    });
  bundleCommand(program, cli);
  verifyCommand(program, cli);
  listCommand(program, cli);
  predictCommand(program, cli.log);
  stackCommands(program, cli);
  loadCommand(program, cli);
  liveCommand(program, cli);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (t) => io.out(redact(t)), writeErr: (t) => io.err(redact(t)) });
  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const cli: Cli = {
    log: (line) => io.out(`${redact(line)}\n`),
    warn: (line) => io.err(`${redact(line)}\n`),
    env: io.env,
    setExitCode: (code) => (exitCode = code),
  };
  try {
    await buildProgram(cli, io).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has printed its own one-line error (unknown option, missing argument, --help).
    if (error instanceof CommanderError) return error.exitCode;
    const e = error as Error;
    const text = io.env.DEBUG ? (e?.stack ?? String(e)) : String(e?.message ?? e).replace(/\s*\n\s*/g, ' ');
    io.err(`error: ${redact(text)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
