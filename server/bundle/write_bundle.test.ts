import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { testPlan } from '../../test/helpers/generate';
import { writeBundle } from './write_bundle';

describe('offline bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ml-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes data, jobs, datafeeds, rules, manifest and load script that agree with each other', async () => {
    const plan = testPlan({ modules: ['security_auth', 'packetbeat_rare_urls'], historyDays: 4 });
    const progress: number[] = [];
    const { manifest } = await writeBundle(plan, dir, { onProgress: (p) => progress.push(p.fraction) });

    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toBeCloseTo(1, 1);
    // The engine model's verdict per job is recorded (4 days of history: some rules are out of reach).
    expect(manifest.verify).toHaveLength(8);
    expect(manifest.totals.failed).toBe(manifest.verify.filter((v) => !v.pass).length);
    expect(manifest.totals.jobs).toBe(8);

    // NDJSON for _bulk: create action then document, counts as in the manifest.
    for (const ds of manifest.dataStreams) {
      const lines = readFileSync(join(dir, ds.file), 'utf8').trimEnd().split('\n');
      expect(lines.length).toBe(2 * ds.docs);
      expect(lines[0]).toBe('{"create":{}}');
      expect(JSON.parse(lines[1]).data_stream.dataset).toBe(ds.name.split('-')[1]);
    }
    // Jobs and datafeeds ready for the ES ML APIs.
    expect(readdirSync(join(dir, 'ml/anomaly_detectors')).sort()).toEqual(manifest.jobs.map((j) => `${j.id}.json`).sort());
    const feed = JSON.parse(readFileSync(join(dir, 'ml/datafeeds/datafeed-auth_rare_user.json'), 'utf8'));
    expect(feed.job_id).toBe('auth_rare_user');
    expect(feed.indices).toEqual(['logs-ml_demo.auth-default']);
    // Rules for Kibana's import: one per line, machine_learning, enabled, pointing at our jobs.
    const rules = readFileSync(join(dir, 'rules/ml_rules.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rules.length).toBe(manifest.rules.length);
    for (const rule of rules) {
      expect(rule).toMatchObject({ type: 'machine_learning', enabled: true });
      const ids = ([] as string[]).concat(rule.machine_learning_job_id);
      expect(ids.some((id) => manifest.jobs.some((j) => j.id === id))).toBe(true);
    }
    // Every anomaly is described with where and when.
    expect(manifest.anomalies).toHaveLength(8);
    for (const a of manifest.anomalies) expect(Date.parse(a.bucketStart)).toBeLessThan(Date.parse(manifest.window.end));
    expect(readFileSync(join(dir, 'load.sh'), 'utf8')).toContain('_ml/datafeeds/datafeed-$job/_start');
  });

  it('is byte-identical for the same seed', async () => {
    const other = mkdtempSync(join(tmpdir(), 'ml-bundle-'));
    try {
      const opts = { modules: ['security_network'], historyDays: 3 };
      await writeBundle(testPlan(opts), dir);
      await writeBundle(testPlan(opts), other);
      for (const f of ['manifest.json', 'data/logs-ml_demo.network-default.ndjson', 'rules/ml_rules.ndjson']) {
        expect(readFileSync(join(other, f)).equals(readFileSync(join(dir, f)))).toBe(true);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

// Issue 10, defect 1: `bundle --out d` deleted the whole of d when it held any manifest.json.
describe('bundle directory ownership', () => {
  const opts = { modules: ['security_network'], historyDays: 3 };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-bundle-own-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a directory whose manifest.json is not ours, and changes nothing', async () => {
    writeFileSync(join(dir, 'manifest.json'), '{}');
    writeFileSync(join(dir, 'important.txt'), 'precious');
    await expect(writeBundle(testPlan(opts), dir)).rejects.toThrow(/has a manifest.json that is not an ml-demo-data bundle's; choose a new or empty directory/);
    expect(readFileSync(join(dir, 'important.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe('{}');
    expect(readdirSync(dir).sort()).toEqual(['important.txt', 'manifest.json']);
  });

  it('rewrites an earlier bundle: its own files are replaced or removed, everything else survives', async () => {
    await writeBundle(testPlan({ modules: ['security_auth', 'security_network'], historyDays: 3 }), dir);
    writeFileSync(join(dir, 'important.txt'), 'precious');
    writeFileSync(join(dir, 'data', 'my-notes.ndjson'), 'mine');
    mkdirSync(join(dir, 'mine'));
    const { manifest } = await writeBundle(testPlan(opts), dir);
    expect(readFileSync(join(dir, 'important.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'data', 'my-notes.ndjson'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'mine'))).toBe(true);
    // The auth stream and jobs of the earlier bundle were its own: gone.
    expect(existsSync(join(dir, 'data/logs-ml_demo.auth-default.ndjson'))).toBe(false);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(['logs-ml_demo.network-default.ndjson', 'my-notes.ndjson']);
    expect(readdirSync(join(dir, 'ml/anomaly_detectors')).sort()).toEqual(manifest.jobs.map((j) => `${j.id}.json`).sort());
    expect(manifest.files).toContain('load.sh');
  });

  it('refuses to overwrite a file it did not write (a load.sh of the user)', async () => {
    writeFileSync(join(dir, 'load.sh'), '#!/bin/sh\necho mine\n');
    await expect(writeBundle(testPlan(opts), dir)).rejects.toThrow(/already has load.sh, which no earlier ml-demo-data bundle wrote there/);
    expect(readFileSync(join(dir, 'load.sh'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
  });

  it('a manifest listing files outside the directory removes nothing there', async () => {
    const outside = join(dir, '..', `${basename(dir)}-victim.txt`);
    writeFileSync(outside, 'victim');
    try {
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ generator: 'ml-demo-data', files: ['../' + basename(outside), '/etc/hostname'] }));
      await writeBundle(testPlan(opts), dir);
      expect(readFileSync(outside, 'utf8')).toBe('victim');
    } finally {
      rmSync(outside, { force: true });
    }
  });
});
