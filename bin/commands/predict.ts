/**
 * `predict`: the engine model on files — what Elastic's anomaly detector would score for each
 * injected entity of a job, given the documents its datafeed sends. Reads exactly what the
 * engine-calibration generator writes (job.json, docs.ndjson, injections.json).
 */
import type { Command } from 'commander';
import { InputError, predictFiles } from '../../server/engine/predict';

export function predictCommand(program: Command, log: (line: string) => void): void {
  program
    .command('predict')
    .description("predict the real ML engine's record scores for injected anomalies (engine model)")
    .requiredOption('--job <file>', 'the job body (PUT _ml/anomaly_detectors/<job>), JSON')
    .requiredOption('--data <file>', 'the documents the datafeed sends: one JSON object per line, with the time field')
    .option('--injections <file>', '{"end": ISO, "injections": [{"label", "bucket_start", "entity"}]}')
    .option('--json', 'print {"injections": [{"label", "score"}], "baseline_max"} as JSON')
    .action(async (flags: { job: string; data: string; injections?: string; json?: boolean }) => {
      try {
        const p = await predictFiles({ job: flags.job, data: flags.data, injections: flags.injections });
        if (flags.json) {
          log(
            JSON.stringify({
              injections: p.injections.map((i) => ({ label: i.label, score: i.score, why: i.why })),
              baseline_max: p.baselineMax,
              baseline_records_over_50: p.baselineOver50,
              baseline_max_last_48h: p.lateMax,
              documents: p.docs,
              late_documents: p.lateDocs,
            }),
          );
          return;
        }
        const rows = p.injections.map((i) => [i.label, i.bucketStart, i.entity ?? '-', String(i.score), i.why.join('; ')]);
        const header = ['injection', 'bucket', 'entity', 'score', 'why'];
        const widths = header.map((h, c) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[c].length))));
        const line = (r: string[]) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]))).join('  ');
        log(line(header));
        rows.forEach((r) => log(line(r)));
        log('');
        log(`Highest record elsewhere: ${p.baselineMax} (${p.baselineOver50} records >= 50; ${p.lateMax} in the last 48 h)`);
        for (const r of p.topBaseline.slice(0, 3)) log(`  ${r.score}  ${r.bucketStart}  ${r.entity ?? '-'}  ${r.why.join('; ')}`);
        log(
          `${p.docs} documents in ${p.seconds.toFixed(2)} s (${Math.round(p.docs / Math.max(p.seconds, 1e-3))} docs/s)${p.lateDocs ? `; ${p.lateDocs} arrived after their bucket closed and were ignored` : ''}`,
        );
      } catch (e) {
        if (e instanceof InputError) throw new Error(e.message, { cause: e });
        throw e;
      }
    });
}
