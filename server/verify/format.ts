/** The verify table as the CLI prints it: one row per job, both scopes, failures spelled out below. */
import type { EngineJobResult } from './engine_verify';

const scores = (r: EngineJobResult, scope: 'stream' | 'all') => r.scopes[scope]?.anomalies.map((a) => String(a.score)).join(',') ?? '-';
const base = (r: EngineJobResult, scope: 'stream' | 'all') => (r.scopes[scope] ? String(r.scopes[scope]!.baselineMax) : '-');

export function formatVerifyTable(results: EngineJobResult[]): string {
  const header = ['job', 'function', 'docs', 'rule', 'predicted (stream)', 'predicted (all)', 'baseline max', 'result'];
  const rows = results.map((r) => [
    r.jobId,
    r.function,
    String(r.scopes.stream?.docs ?? r.scopes.all?.docs ?? 0),
    String(r.threshold),
    scores(r, 'stream'),
    scores(r, 'all'),
    `${base(r, 'stream')} / ${base(r, 'all')}`,
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const problems = results.flatMap((r) => r.problems.map((p) => `  ${r.jobId}: ${p}`));
  const summary = `${results.filter((r) => r.pass).length}/${results.length} jobs predicted to score their rules' threshold + 10 with no baseline alert, in both scopes (engine model)`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', summary, ...problems].join('\n');
}
