/** The verify table as the CLI prints it: one row per job, failures spelled out below. */
import type { JobVerification } from './verify';

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(Number.isInteger(n) ? 0 : 2));

export function formatVerifyTable(results: JobVerification[]): string {
  const header = ['job', 'function', 'docs', 'partitions', 'min history', 'anomaly', 'baseline max', 'strength', 'result'];
  const rows = results.map((r) => {
    const a = r.anomalies[0];
    const anomaly = !a ? '-' : r.function === 'rare' ? `new value (seen before: ${a.actual})` : r.function === 'time_of_day' ? `${fmt(a.strength)} h from usual` : fmt(a.actual);
    const baseline = !a ? '-' : r.function === 'rare' ? `${a.baseline.n} values` : r.function === 'time_of_day' ? `${a.baseline.n} buckets` : fmt(a.baseline.max);
    const strength = !a ? '-' : r.function === 'rare' ? `${fmt(a.strength)} buckets` : r.function === 'time_of_day' ? `next ${fmt(a.competitor)} h` : `${fmt(a.strength)}x`;
    return [r.jobId, r.function, String(r.docsMatched), String(r.partitions), String(r.minPartitionHistory), anomaly, baseline, strength, r.pass ? 'PASS' : 'FAIL'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const problems = results.flatMap((r) => r.anomalies.flatMap((a) => a.problems.map((p) => `  ${r.jobId}: ${p}`)));
  const summary = `${results.filter((r) => r.pass).length}/${results.length} jobs verified`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', summary, ...problems].join('\n');
}
