/**
 * A bundle written "yesterday" loaded now (issue #12, point 1): by `ml-demo-data load` (the bulk
 * helper, the loader rewriting @timestamp) and by the bundle's own load.sh (curl, an ingest
 * pipeline shifting @timestamp), against the contract-validating stand-in. Both must end the data
 * at the load time, start the datafeeds over the shifted window, install the rules, and put every
 * injected anomaly inside each of its rules' look-back counted from the load time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../bin/ml_demo_data';
import { writeBundle } from '../../server/bundle/write_bundle';
import type { BundleManifest } from '../../server/bundle/manifest';
import { rebaseShift, shiftDocument } from '../../server/bundle/load_bundle';
import { lateRulesOf } from '../../server/bundle/load_script';
import { buildPlan } from '../../server/generators/plan';
import { DAY, floorTo, parseDuration, parseLookback, TICK } from '../../server/generators/time';
import { startStandin, type Standin } from '../standin';

const STREAM = 'logs-ml_demo.auth-default';
let standin: Standin;
let dir: string;
let manifest: BundleManifest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ml-demo-load-'));
  // Written "yesterday": a fixed end a day back.
  const end = new Date(floorTo(Date.now(), TICK) - DAY - 2 * 3_600_000).toISOString();
  ({ manifest } = await writeBundle(buildPlan({ modules: ['security_auth'], historyDays: 3, end }), dir, { verify: false }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0', keepDocs: 1_000_000 });
});
afterEach(async () => {
  standin.assertNoViolations();
  await standin.close();
});

/** Runs a bundle's load.sh against the stand-in (curl only), with `path` as its PATH. */
function runLoadSh(bundleDir: string, path = process.env.PATH): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [join(bundleDir, 'load.sh')], {
      env: { PATH: path, ES_URL: standin.esUrl, KIBANA_URL: standin.kibanaUrl, ELASTIC_API_KEY: 'dGVzdDp0ZXN0', WAIT_SECONDS: '60' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (c) => done({ code: c, output }));
  });
}

/** What both loaders must leave behind, checked against the stand-in's state at load time `loadedAt`. */
function expectRebased(loadedAt: number, loadedUntil: number) {
  const ds = standin.state.dataStreams.get(STREAM)!;
  expect(ds.docCount).toBe(manifest.totals.docs);
  const shift = rebaseShift(manifest, loadedAt);
  expect(Math.abs(shift - rebaseShift(manifest, loadedUntil))).toBeLessThanOrEqual(TICK); // a 15-minute boundary may pass mid-test
  const newEnd = Date.parse(manifest.window.end) + shift;
  const maxTs = ds.timestamps.reduce((a, b) => Math.max(a, b), -Infinity);
  const minTs = ds.timestamps.reduce((a, b) => Math.min(a, b), Infinity);
  expect(maxTs).toBeLessThan(newEnd);
  expect(maxTs).toBeGreaterThan(newEnd - TICK);
  // A job that needs a longer history (partitioned rare) starts earlier than the window.
  const earliest = Math.min(...manifest.jobs.map((j) => Date.parse(j.start)));
  expect(minTs).toBeGreaterThanOrEqual(earliest + shift);
  expect(maxTs).toBeLessThanOrEqual(loadedUntil);
  // Datafeeds over the shifted window.
  for (const job of manifest.jobs) {
    const run = standin.state.datafeeds.get(job.datafeedId)!.run!;
    expect(run.start).toBe(Date.parse(job.start) + shift);
    expect(run.end).toBe(newEnd);
  }
  // Rules installed.
  expect([...(standin.state.rules.get('default')?.keys() ?? [])].sort()).toEqual(manifest.rules.map((r) => r.ruleId).sort());
  // Every injected anomaly: its documents are there, re-based, and their bucket is inside each rule's look-back now.
  const docs = ds.docs as { '@timestamp': string; [k: string]: unknown }[];
  for (const a of manifest.anomalies) {
    const span = parseDuration(manifest.jobs.find((j) => j.id === a.job)!.bucketSpan);
    const bucket = floorTo(Date.parse(a.bucketStart) + shift, span);
    // Anomalies placed outside their rule's look-back on purpose (the time-of-day logon at 20:xx UTC)
    // get a manual rule run instead; the rest must be inside it at load time.
    // A load that outlasts the slack (the demo ends at its start, floored to 15 minutes) pushes an
    // anomaly out of its rule's look-back: the loader then runs that rule manually over it.
    const ran = new Set(standin.state.manualRuns.map((r) => r.ruleId));
    for (const r of a.rules.filter((x) => x.withinLookback)) {
      const inside = bucket >= loadedUntil - parseLookback(r.from);
      expect({ job: a.job, rule: r.ruleId, alerts: inside || ran.has(r.ruleId) }).toEqual({ job: a.job, rule: r.ruleId, alerts: true });
    }
    if (a.function === 'rare' && a.field === 'user.name') {
      const hit = docs.filter((d) => (d.user as { name?: string } | undefined)?.name === a.value);
      expect(hit.length).toBeGreaterThan(0);
      for (const d of hit) expect(floorTo(Date.parse(d['@timestamp']), span)).toBe(bucket);
    }
  }
}

describe('loading a bundle written a day earlier', () => {
  it('shiftDocument moves only the timestamp', () => {
    const doc = '{"@timestamp":"2026-12-01T17:12:15.436Z","user":{"name":"x"}}';
    expect(shiftDocument(doc, DAY + TICK)).toBe('{"@timestamp":"2026-12-02T17:27:15.436Z","user":{"name":"x"}}');
    expect(() => shiftDocument('{"user":1}', TICK)).toThrow(/@timestamp/);
  });

  it('ml-demo-data load: re-based, exact counts, datafeeds over the new window, rules, read-back report', async () => {
    const out: string[] = [];
    const env = { ES_URL: standin.esUrl, KIBANA_URL: standin.kibanaUrl, ELASTIC_API_KEY: 'dGVzdDp0ZXN0' };
    const loadedAt = Date.now();
    const code = await main(['load', dir, '--chunk-size', '1000'], { out: (t) => out.push(t), err: (t) => out.push(t), env });
    const text = out.join('');
    expect(text).toMatch(/re-based by 2[4-6]\.\d\d h to end at/);
    expect(code).toBe(0);
    expect(text).toMatch(/Run .*: SUCCEEDED {2}\(\d+ documents indexed, 0 failed/);
    expect(text).toContain('auth_rare_user');
    expect(text).toMatch(/Data window: .* \.\. /);
    expectRebased(loadedAt, Date.now());
    // A second load in the same 15 minutes resumes: nothing duplicated.
    if (rebaseShift(manifest, Date.now()) === rebaseShift(manifest, loadedAt)) {
      expect(await main(['load', dir], { out: () => undefined, err: () => undefined, env })).toBe(0);
      expect(standin.state.dataStreams.get(STREAM)!.docCount).toBe(manifest.totals.docs);
    }
  }, 180_000);

  it('load.sh (curl only): re-based through an ingest pipeline that is gone afterwards', async () => {
    const loadedAt = Date.now();
    const { code, output } = await runLoadSh(dir);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('0/5 Re-basing') });
    expect(output).not.toMatch(/failed|could not/);
    expect(standin.state.pipelines.size).toBe(0);
    expect(standin.requests.filter((r) => r.url.includes('_bulk?pipeline=ml-demo-data-rebase-default')).length).toBeGreaterThan(0);
    expectRebased(loadedAt, Date.now());
  }, 240_000);
  it('load.sh runs a rule manually when the load itself outlasted its look-back', async () => {
    // A `date` that jumps after its first epoch reading: the demo's end is fixed when the load
    // starts (floored to 15 minutes), the rules are imported later by the longest look-back, so
    // every anomaly that was inside its rule's look-back is outside it, whatever minute of the
    // quarter hour the load started at (a 20-minute jump left a last-bucket anomaly of a 45-minute
    // look-back inside it when the load started early in the quarter: CI of 2026-12-08 03:00).
    const onTimeRules = manifest.anomalies.flatMap((a) => a.rules.filter((r) => r.withinLookback));
    const jump = Math.max(...onTimeRules.map((r) => parseLookback(r.from))) / 1000 + TICK / 1000;
    const bin = mkdtempSync(join(tmpdir(), 'ml-demo-slow-date-'));
    const counter = join(bin, 'calls');
    writeFileSync(
      join(bin, 'date'),
      `#!/usr/bin/env bash\nif [ "$*" = "-u +%s" ]; then n=$(cat "${counter}" 2>/dev/null || echo 0); echo $((n + 1)) > "${counter}"\n` +
        `  if [ "$n" -gt 0 ]; then echo $(( $(/bin/date -u +%s) + ${jump} )); exit 0; fi; fi\nexec /bin/date "$@"\n`,
      { mode: 0o755 },
    );
    const onTime = [...new Set(onTimeRules.map((r) => r.ruleId))];
    expect(onTime.length).toBeGreaterThan(0);
    const { code, output } = await runLoadSh(dir, `${bin}:${process.env.PATH}`);
    rmSync(bin, { recursive: true, force: true });
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/manual rule run over .* whose look-back does not reach their anomaly/) });
    const ran = standin.state.manualRuns.map((r) => r.ruleId);
    for (const id of [...(lateRulesOf(manifest)?.ruleIds ?? []), ...onTime]) expect(ran).toContain(id);
  }, 240_000);
});

describe('a timeline bundle (issue #12, point 3)', () => {
  let tdir: string;
  let tmanifest: BundleManifest;
  beforeAll(async () => {
    tdir = mkdtempSync(join(tmpdir(), 'ml-demo-load-timeline-'));
    const end = new Date(floorTo(Date.now(), TICK) - DAY - 2 * 3_600_000).toISOString();
    ({ manifest: tmanifest } = await writeBundle(
      buildPlan({ modules: ['security_auth', 'v3_linux_anomalous_network_port_activity'], historyDays: 3, end, timeline: true }),
      tdir,
      { verify: false },
    ));
  }, 60_000);
  afterAll(() => rmSync(tdir, { recursive: true, force: true }));

  it('load.sh runs exactly the rules whose look-back does not reach their anomaly manually, over their moved anomalies (bulk action run)', async () => {
    const late = lateRulesOf(tmanifest)!;
    const inside = tmanifest.anomalies.flatMap((a) => a.rules.filter((r) => r.withinLookback).map((r) => r.ruleId));
    expect(late.ruleIds.length).toBeGreaterThan(0);
    expect(inside.length).toBeGreaterThan(0);
    const { code, output } = await runLoadSh(tdir);
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringMatching(/for \d+ rule\(s\) whose look-back does not reach their anomaly/),
    });
    expect(output).not.toMatch(/failed|could not/);
    const runs = standin.state.manualRuns;
    // Every late rule; any other only if the load's own time pushed its anomaly out of its look-back.
    const ran = runs.map((r) => r.ruleId);
    for (const id of late.ruleIds) expect(ran).toContain(id);
    for (const id of ran.filter((x) => !late.ruleIds.includes(x))) expect(inside).toContain(id);
    // Moved like the data: the data now ends at the load's 15 minutes, the run from an hour before the earliest late anomaly.
    const shift = Date.parse(runs[0].end) - Date.parse(tmanifest.window.end);
    expect(shift % TICK).toBe(0);
    for (const r of runs)
      expect([r.space, r.start, r.end]).toEqual(['default', new Date(Date.parse(late.earliest) - 3_600_000 + shift).toISOString(), runs[0].end]);
  }, 240_000);
});
