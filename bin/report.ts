/** The final report of a stack run: per job injected vs detected, and where to look in Kibana. */
import type { RunProgress } from '../common/api';
import { alertsTimeRange, alertsUrl, anomalyExplorerUrl } from '../common/links';

export function formatRunReport(p: RunProgress, kibanaUrl?: string): string {
  const lines: string[] = [];
  lines.push(`Run ${p.runId}: ${p.state.toUpperCase()}  (${p.docs.indexed} documents indexed, ${p.docs.failed} failed, into ${p.dataStreams.join(', ')})`);
  if (p.window) lines.push(`Data window: ${p.window.start} .. ${p.window.end}`);
  const header = ['job', 'state', 'injected anomaly', 'max score', 'rule threshold', 'detected'];
  const rows = p.jobs.map((j) => [
    j.jobId, j.state, j.anomaly.description.slice(0, 70), j.maxRecordScore === null ? '-' : j.maxRecordScore.toFixed(1),
    j.ruleThreshold === undefined ? '-' : String(j.ruleThreshold), j.detected === undefined ? '-' : j.detected ? 'yes' : 'not yet',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  lines.push('', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt));
  if (p.rules.length) lines.push('', `Rules: ${p.rules.map((r) => `${r.name} (${r.state})`).join(', ')}`);
  for (const n of p.notices) lines.push(`notice: ${n}`);
  for (const e of p.errors) lines.push(`error: ${e}`);
  if (p.cleanupHint) lines.push(p.cleanupHint);
  const jobIds = p.jobs.filter((j) => j.state !== 'failed' && j.state !== 'pending').map((j) => j.jobId);
  if (kibanaUrl && p.window && jobIds.length) {
    const ctx = { kibanaUrl, space: p.space };
    lines.push('', `Anomaly Explorer: ${anomalyExplorerUrl({ jobIds, timeRange: { from: p.window.start, to: p.window.end } }, ctx)}`);
    const ruleIds = p.rules.filter((r) => r.state !== 'failed').map((r) => r.ruleId);
    if (ruleIds.length) lines.push(`Alerts:           ${alertsUrl({ ruleIds, timeRange: alertsTimeRange(p.startedAt) }, ctx)}`);
  }
  return lines.join('\n');
}
