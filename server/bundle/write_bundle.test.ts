import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
