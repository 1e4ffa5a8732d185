/**
 * The unsplit information-content job (v3_windows_anomalous_script: one series for the whole job)
 * follows machines' work around the clock. Following people, its night and weekend buckets held
 * two or three scripts, their information content jumped from bucket to bucket, and after a quiet
 * weekend an ordinary Monday 00:45 UTC bucket scored as an anomaly (issue #8).
 */
import { infoContent } from '../../engine/buckets';
import { buildPlan } from '../plan';
import { moduleStream } from '../stream';

const END = '2026-12-06T12:00:00Z';
const QUARTER = 900_000;

describe('unsplit info content around the clock', () => {
  const plan = buildPlan({ modules: ['security_windows_v3'], end: END, historyDays: 7 });
  const windows = plan.modules[0];
  const lane = (jobId: string) => windows.jobs.find((j) => j.job.id === jobId)!.lane;

  it('runs the unsplit job at one rate every hour of the week, while people-driven lanes keep office hours', () => {
    const script = lane('v3_windows_anomalous_script').ratePerTick;
    expect(Math.min(...script)).toBeGreaterThan(0);
    expect(Math.min(...script)).toBe(Math.max(...script));
    const rare = lane('v3_windows_rare_script').ratePerTick;
    // Hour of week 0 is Monday 00:00 UTC: Wednesday 15:00 against Saturday 03:00.
    expect(rare[2 * 24 + 15]).toBeGreaterThan(2 * rare[5 * 24 + 3]);
  });

  it('gives weekend and weekday buckets the same information content within noise', () => {
    const byBucket = new Map<number, Set<string>>();
    for (const chunk of moduleStream(plan, windows)) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line.includes('"4104"')) continue;
        const doc = JSON.parse(line) as { '@timestamp': string; powershell?: { file?: { script_block_text?: string } } };
        const text = doc.powershell?.file?.script_block_text;
        const bucket = Math.floor(Date.parse(doc['@timestamp']) / QUARTER);
        if (!text || bucket * QUARTER >= Date.parse(END) - 3_600_000) continue; // not the injection's last hour
        if (!byBucket.has(bucket)) byBucket.set(bucket, new Set());
        byBucket.get(bucket)!.add(text);
      }
    }
    const weekend = (b: number) => [0, 6].includes(new Date(b * QUARTER).getUTCDay());
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const info = [...byBucket].filter(([b]) => b * QUARTER >= plan.start + 86_400_000).map(([b, s]) => ({ b, x: infoContent([...s]) }));
    const weekday = mean(info.filter((i) => !weekend(i.b)).map((i) => i.x));
    const weekendMean = mean(info.filter((i) => weekend(i.b)).map((i) => i.x));
    expect(weekendMean).toBeGreaterThan(0.9 * weekday);
    // Every bucket of the week has scripts; 99 % of them at least half the weekday mean (a
    // Poisson count of 12 falls to 4 in about one bucket of a hundred), none under a third.
    expect(info.length).toBeGreaterThan(0.99 * ((Date.parse(END) - 3_600_000 - plan.start - 86_400_000) / QUARTER));
    const sorted = info.map((i) => i.x).sort((a, b) => a - b);
    expect(sorted[Math.floor(0.01 * sorted.length)]).toBeGreaterThan(0.5 * weekday);
    expect(sorted[0]).toBeGreaterThan(weekday / 3);
  });
});
