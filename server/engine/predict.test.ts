/**
 * predict on files: streamed input, one sentence naming the file and line for bad input, and
 * the laws the model encodes (novelties in one bucket share the surprise; a count series without
 * history is not scored) on small hand-made inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, predictFiles } from './predict';

const dir = mkdtempSync(join(tmpdir(), 'predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const END = Date.parse('2026-12-01T12:00:00Z');
const SPAN = 900_000;

function files(name: string, job: unknown, docs: string[], injections: unknown) {
  const f = { job: join(dir, `${name}.job.json`), data: join(dir, `${name}.ndjson`), injections: join(dir, `${name}.inj.json`) };
  writeFileSync(f.job, JSON.stringify(job));
  writeFileSync(f.data, docs.join('\n') + '\n');
  writeFileSync(f.injections, JSON.stringify(injections));
  return f;
}

/** 14 days of 20 users, one event each per bucket in turn, then `newcomers` new users in the last bucket. */
function rareCase(name: string, newcomers: number) {
  const docs: string[] = [];
  for (let t = END - 14 * 86_400_000; t < END - SPAN; t += SPAN) {
    for (let u = 0; u < 8; u++) docs.push(JSON.stringify({ '@timestamp': new Date(t + u * 1000).toISOString(), 'user.name': `u${(t / SPAN + u) % 20}` }));
  }
  for (let k = 0; k < newcomers; k++) docs.push(JSON.stringify({ '@timestamp': new Date(END - SPAN + 60_000 + k).toISOString(), 'user.name': `new${k}` }));
  const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'rare', by_field_name: 'user.name' }] } };
  return files(name, job, docs, {
    end: new Date(END).toISOString(),
    injections: [{ label: 'injected', bucket_start: new Date(END - SPAN).toISOString(), entity: 'new0' }],
  });
}

describe('predict', () => {
  it('scores a never-seen value high, and lower when other novelties share its bucket', async () => {
    const alone = (await predictFiles(rareCase('alone', 1))).injections[0];
    const crowded = (await predictFiles(rareCase('crowded', 20))).injections[0];
    expect(alone.score).toBeGreaterThan(75);
    expect(crowded.score).toBeLessThan(alone.score - 25);
    expect(crowded.why.join(' ')).toMatch(/19 other new values share this bucket/);
  });

  it('does not score a by-value of a count job that has no history', async () => {
    const docs: string[] = [];
    for (let t = END - 7 * 86_400_000; t < END - SPAN; t += SPAN)
      docs.push(JSON.stringify({ '@timestamp': new Date(t).toISOString(), source: { ip: '10.0.0.1' } }));
    for (let k = 0; k < 500; k++) docs.push(JSON.stringify({ '@timestamp': new Date(END - SPAN + k).toISOString(), source: { ip: '198.51.100.7' } }));
    const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'high_non_zero_count', by_field_name: 'source.ip' }] } };
    const f = files('newip', job, docs, {
      end: new Date(END).toISOString(),
      injections: [{ label: 'injected', bucket_start: new Date(END - SPAN).toISOString(), entity: '198.51.100.7' }],
    });
    const p = await predictFiles(f);
    expect(p.injections[0].score).toBe(0);
    expect(p.injections[0].why.join(' ')).toMatch(/does not score a series without history|still learning/);
  });

  it("does not learn a burst far above a series' level into the next day's expectation around that hour", async () => {
    // A host's 5-minute counts, ten days ending on a Sunday evening, with or
    // without a burst of 285 per bucket on Friday at 23:45 (count anomalies move off a weekend end
    // to the last weekday evening). The day after, at 22:05, the host has 3. Under a fixed 10x cap
    // the burst raised Saturday's 22:00 expectation to 9.4 and that 3 scored 54.9 as a drop
    // (npm start on Sunday 2026-12-06, low_count_events_for_a_host_name, all streams).
    const end = Date.parse('2026-12-06T22:15:00Z');
    const span = 300_000;
    const watched = Date.parse('2026-12-05T22:05:00Z');
    const burst = Date.parse('2026-12-04T23:45:00Z');
    const run = async (name: string, withBurst: boolean) => {
      // Under-dispersed, as the product's per-host counts are: 4 to 6.
      let seed = 7;
      const level = () => 4 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3);
      const docs: string[] = [];
      for (let t = end - 10 * 86_400_000; t < end; t += span) {
        const n = t === watched ? 3 : withBurst && t >= burst && t < burst + 3 * span ? 285 : level();
        for (let k = 0; k < n; k++) docs.push(JSON.stringify({ '@timestamp': new Date(t + k * 1000).toISOString(), host: { name: 'wks-07' } }));
      }
      const job = { analysis_config: { bucket_span: '5m', detectors: [{ function: 'low_count', partition_field_name: 'host.name' }] } };
      const f = files(name, job, docs, {
        end: new Date(end).toISOString(),
        injections: [{ label: 'watched', bucket_start: new Date(watched).toISOString(), entity: 'wks-07' }],
      });
      return (await predictFiles(f)).injections[0];
    };
    const quiet = await run('no-burst', false);
    const after = await run('after-burst', true);
    expect(quiet.score).toBeLessThan(50);
    expect(after.score).toBeLessThan(quiet.score + 10);
  });

  it('scores an anomaly like one the series had a day before lower, and a larger one not', async () => {
    // Calibration count prior=24: a second x5 spike a day after the first, 69 (4-82) against 94.
    const run = async (name: string, second: number) => {
      const docs: string[] = [];
      const first = END - SPAN - 86_400_000;
      for (let t = END - 14 * 86_400_000; t < END; t += SPAN) {
        const n = t === first ? 100 : t === END - SPAN ? second : 19 + ((t / SPAN) % 3);
        for (let k = 0; k < n; k++) docs.push(JSON.stringify({ '@timestamp': new Date(t + k * 1000).toISOString(), 'event.kind': 'event' }));
      }
      const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'high_non_zero_count' }] } };
      const f = files(name, job, docs, {
        end: new Date(END).toISOString(),
        injections: [
          { label: 'earlier', bucket_start: new Date(first).toISOString() },
          { label: 'injected', bucket_start: new Date(END - SPAN).toISOString() },
        ],
      });
      return (await predictFiles(f)).injections;
    };
    const [earlier, repeat] = await run('repeat', 100);
    expect(earlier.score).toBeGreaterThan(90);
    expect(repeat.score).toBeLessThan(earlier.score - 15);
    expect(repeat.why.join(' ')).toMatch(/an anomaly like it before/);
    const [, larger] = await run('larger', 250);
    expect(larger.score).toBeGreaterThan(90);
  });

  it("learns a weekday/weekend split from the hours, not from the day's mean", async () => {
    // A domain controller read from every stream: servers all week, people on weekdays 08-18.
    // Its weekend mean is 0.65 of its weekday mean, so the old test (weekend mean < 0.6 of
    // weekdays) kept one profile for all days, and an ordinary Sunday afternoon looked like a
    // drop against weekday afternoons: 3 events against 8.9 scored 50.8 (random set r20, 90 days,
    // low_count_events_for_a_host_name, all streams).
    const end = Date.parse('2026-12-07T00:00:00Z');
    const watched = Date.parse('2026-12-06T14:00:00Z');
    let seed = 11;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3) - 1;
    const docs: string[] = [];
    for (let t = end - 35 * 86_400_000; t < end; t += SPAN) {
      const d = new Date(t);
      const weekday = d.getUTCDay() % 6 !== 0;
      const office = weekday && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
      const n = t === watched ? 4 : 6 + (office ? 8 : 0) + noise();
      for (let k = 0; k < n; k++) docs.push(JSON.stringify({ '@timestamp': new Date(t + k * 1000).toISOString(), host: { name: 'dc-01' } }));
    }
    const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'low_count', partition_field_name: 'host.name' }] } };
    const f = files('weekly-split', job, docs, {
      end: new Date(end).toISOString(),
      injections: [{ label: 'watched', bucket_start: new Date(watched).toISOString(), entity: 'dc-01' }],
    });
    const [sunday] = (await predictFiles(f)).injections;
    expect(sunday.score).toBe(0);
    // Expected: the weekend's own level at that hour (about 6), not weekday afternoons' (11.9).
    expect(sunday.why.join(' ')).toMatch(/expected [5-7](\.\d)? at this time \(weekend\)/);
  });

  it('keeps a weekday/weekend pattern once it has found one, rather than flipping bucket by bucket', async () => {
    // A week from Monday: weekdays 4 an hour-slot at night and 14 at office hours (mean 8.2),
    // Saturday a quiet 3, Sunday a busier 8. The weekend's mean crosses 0.6 of the weekdays'
    // on Sunday afternoon. Decided afresh each bucket, the pattern was lost there, and a Sunday
    // bucket of 3 (Saturday's level at that hour) met the weekday afternoons' level and scored
    // over 50 (sweep sets h04, r20: the flag flipped every few buckets on a file server).
    const start = Date.parse('2026-11-23T00:00:00Z');
    const watched = Date.parse('2026-11-29T16:00:00Z');
    const end = Date.parse('2026-11-30T00:00:00Z');
    const docs: string[] = [];
    for (let t = start; t < end; t += SPAN) {
      const d = new Date(t);
      const hour = d.getUTCHours();
      const n = t === watched ? 3 : d.getUTCDay() === 6 ? 3 : d.getUTCDay() === 0 ? 8 : hour >= 8 && hour < 18 ? 14 : 4;
      for (let k = 0; k < n; k++) docs.push(JSON.stringify({ '@timestamp': new Date(t + k * 1000).toISOString(), host: { name: 'fs-02' } }));
    }
    const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'low_count', partition_field_name: 'host.name' }] } };
    const f = files('weekly-kept', job, docs, {
      end: new Date(end).toISOString(),
      injections: [{ label: 'watched', bucket_start: new Date(watched).toISOString(), entity: 'fs-02' }],
    });
    const p = await predictFiles(f);
    expect(p.injections[0].score).toBe(0);
    expect(p.baselineMax).toBeLessThan(50);
  });

  it.each([
    ['not JSON', ['{"@timestamp": "2026-12-01T00:00:00Z"}', '{oops'], /Data file .*bad-json\.ndjson line 2: not JSON/],
    ['no time', ['{"user.name": "a"}'], /Data file .*no-time\.ndjson line 1: "@timestamp" is missing or not a date/],
  ])('a bad data file (%s) gets one sentence naming the file and the line', async (_what, docs, message) => {
    const name = _what === 'not JSON' ? 'bad-json' : 'no-time';
    const f = files(name, { analysis_config: { bucket_span: '15m', detectors: [{ function: 'rare', by_field_name: 'user.name' }] } }, docs, { injections: [] });
    await expect(predictFiles(f)).rejects.toThrow(InputError);
    await expect(predictFiles(f)).rejects.toThrow(message);
  });

  it('a job without detectors or with an unknown function is refused naming the field', async () => {
    const f = files('badjob', { analysis_config: { bucket_span: '15m', detectors: [{ function: 'frobnicate' }] } }, [], { injections: [] });
    await expect(predictFiles(f)).rejects.toThrow(/analysis_config\.detectors\[0\]\.function "frobnicate"/);
    writeFileSync(f.job, '{"analysis_config": {"bucket_span": "15 minutes", "detectors": []}}');
    await expect(predictFiles(f)).rejects.toThrow(/bucket_span "15 minutes" is not a time value/);
  });
});
