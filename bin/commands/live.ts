/**
 * `live`: the demo kept alive (server/live/live.ts). The ordinary setup first (history up to now),
 * then the baseline in real time, the datafeeds in real time and a new incident every
 * `--incident-every`. Ctrl-C stops cleanly (datafeeds stopped, jobs closed, state recorded);
 * running it again resumes; `cleanup` removes it all.
 */
import type { Command } from 'commander';
import type { RunProgress } from '../../common/api';
import { parseOptionText } from '../../common/options';
import { parseIncidentEvery, runLive } from '../../server/live/live';
import type { Cli } from '../cli';
import { addConnectionOptions, connect, describeConnection, type ConnectionFlags } from '../connection';
import { addGenerationOptions, validateGeneration, type GenerationFlags } from '../generation_options';
import { formatRunReport } from '../report';
import { requireConnection } from './stack';

export function liveCommand(program: Command, cli: Cli): void {
  addConnectionOptions(
    addGenerationOptions(
      program
        .command('live')
        .description(
          'keep the demo alive: set it up, then index the baseline and run the datafeeds in real time, with a new incident every --incident-every (Ctrl-C stops; run again to resume)',
        ),
    ),
  )
    .option('--incident-every <duration>', 'time between incidents: 1h to 7d, a multiple of 15 minutes (e.g. 6h, 90m, 1d)', '6h')
    .option('--chunk-size <n>', 'documents per bulk request during the setup', '5000')
    .action(async (flags: ConnectionFlags & GenerationFlags & { incidentEvery: string; chunkSize?: string }) => {
      const connection = requireConnection(flags, cli.env);
      const options = validateGeneration(flags);
      if (flags.end !== undefined) throw new Error('--end: live mode always ends the history now; leave --end out');
      const incidentEveryMs = parseIncidentEvery(flags.incidentEvery);
      const chunkSize = flags.chunkSize === undefined ? undefined : (parseOptionText('chunkSize', flags.chunkSize, '--chunk-size') as number);
      cli.log(`Connecting to ${describeConnection(connection)}`);
      const deps = await connect(connection);
      const controller = new AbortController();
      const onSigint = () => {
        cli.log('\nStopping: finishing the current request…');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      let phase = '';
      try {
        const { setup, stopped } = await runLive(deps, {
          install: { ...options, chunkSize, enableJobs: true, installRules: true },
          incidentEveryMs,
          signal: controller.signal,
          log: cli.log,
          onSetupProgress: (p: RunProgress) => {
            if (p.phase !== phase) cli.log(`» ${(phase = p.phase)}`);
          },
          onSetupDone: (p) => cli.log(`\n${formatRunReport(p, connection.kibanaUrl)}\n`),
        });
        cli.setExitCode(setup && setup.state !== 'succeeded' ? 1 : stopped ? 0 : 1);
      } finally {
        process.removeListener('SIGINT', onSigint);
        await deps.close();
      }
    });
}
