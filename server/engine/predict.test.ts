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
