/**
 * The whole install flow against the contract-validating stand-in: every request the installer
 * sends is checked against the official OpenAPI documents (a violation fails the test).
 */
import { Client } from '@elastic/elasticsearch';
import type { RunProgress } from '../../common/api';
import { cleanupDemo } from '../../server/installers/cleanup';
import { kibanaHttpApi } from '../../server/installers/kibana_http';
import { runInstall } from '../../server/installers/run';
import type { InstallDeps, InstallOptions } from '../../server/installers/types';
import { startStandin, type Standin } from '../standin';

const END = '2026-11-20T10:07:00Z';
const SMALL: InstallOptions = { modules: ['security_auth'], historyDays: 3, end: END, pollMs: 20, retryWaitMs: 10, chunkSize: 500 };

let standin: Standin;
let es: Client;

function deps(s: Standin, space = 'default'): InstallDeps {
  return { es, kibana: kibanaHttpApi({ url: s.kibanaUrl, authorization: 'ApiKey dGVzdDp0ZXN0', space }), space };
}

async function run(options: Partial<InstallOptions> = {}, d = deps(standin), signal?: AbortSignal): Promise<{ result: RunProgress; seen: RunProgress[] }> {
  const seen: RunProgress[] = [];
  const result = await runInstall(d, { ...SMALL, ...options }, (p) => seen.push(p), signal);
  return { result, seen };
}

beforeEach(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
  es = new Client({ node: standin.esUrl, auth: { apiKey: 'dGVzdDp0ZXN0' } });
});
afterEach(async () => {
  await es.close();
  standin.assertNoViolations();
  await standin.close();
});

describe('install flow (stand-in validated against the official contracts)', () => {
  it('happy path: data, jobs through module setup, datafeeds to the end, rules, read-back', async () => {
    const { result, seen } = await run();
    expect(result.errors).toEqual([]);
    expect(result.state).toBe('succeeded');
    expect(seen.map((p) => p.phase)).toEqual(expect.arrayContaining(['preflight', 'plan', 'index', 'jobs', 'datafeeds', 'rules', 'readback', 'done']));
    const ds = standin.state.dataStreams.get('logs-ml_demo.auth-default')!;
    expect(ds.docCount).toBe(result.docs.indexed);
    expect(result.docs.failed).toBe(0);
    expect(result.jobs.map((j) => j.state)).toEqual(Array(7).fill('processed'));
    expect([...standin.state.jobs.keys()].sort()).toEqual(result.jobs.map((j) => j.jobId).sort());
    expect(result.rules.length).toBe(7);
    expect(result.rules.every((r) => r.state === 'installed' || r.state === 'enabled')).toBe(true);
    expect(standin.requests.some((r) => r.url.includes('/internal/ml/modules/setup/security_auth'))).toBe(true);
  });

  it('is idempotent: a second identical run duplicates no data, jobs or rules', async () => {
    const first = await run();
    const docs = standin.state.dataStreams.get('logs-ml_demo.auth-default')!.docCount;
    const second = await run();
    expect(second.result.state).toBe('succeeded');
    expect(standin.state.dataStreams.get('logs-ml_demo.auth-default')!.docCount).toBe(docs);
    expect(second.result.docs.indexed).toBe(first.result.docs.indexed);
    expect(standin.state.jobs.size).toBe(7);
    expect([...(standin.state.rules.get('default')?.keys() ?? [])]).toHaveLength(7);
  });

  it('429 storms and 5xx in the middle of bulk: exact counts, nothing lost, nothing duplicated', async () => {
    standin.faults.bulk429(3).itemErrors(40, 429).status('POST /_bulk', 500, 2);
    const { result } = await run({ enableJobs: false, installRules: false });
    expect(result.state).toBe('succeeded');
    const ds = standin.state.dataStreams.get('logs-ml_demo.auth-default')!;
    expect(ds.docCount).toBe(result.docs.generated);
    expect(result.docs.indexed).toBe(result.docs.generated);
    expect(ds.ids.size).toBe(ds.docCount);
  });

  it('per-document failures are counted and reported, not hidden', async () => {
    standin.faults.itemErrors(5, 400, { type: 'mapper_parsing_exception', reason: 'failed to parse' });
    const { result } = await run({ enableJobs: false, installRules: false });
    expect(result.docs.failed).toBe(5);
    expect(result.state).toBe('failed');
    expect(result.errors.join(' ')).toMatch(/5 documents of logs-ml_demo.auth-default were rejected: \{"mapper_parsing_exception":5\}/);
    expect(result.cleanupHint).toMatch(/ml-demo-data cleanup --namespace default/);
  });

  it('connection refused: a clear error', async () => {
    const closed = new Client({ node: 'http://127.0.0.1:9', maxRetries: 0 });
    await expect(runInstall({ es: closed }, SMALL, () => undefined)).rejects.toThrow(/Connecting to Elasticsearch: cannot connect/);
    await closed.close();
  });

  it('401 and 403: the message names what is missing', async () => {
    standin.faults.status('GET /', 401, 1);
    await expect(run()).rejects.toThrow(/authentication failed \(401\)/);
    standin.privileges = { ...standin.privileges, cluster: ['monitor'] };
    await expect(run()).rejects.toMatchObject({ statusCode: 403, message: expect.stringMatching(/missing cluster privilege "manage_ml"/) });
  });

  it('409 on existing rules: they are kept (not duplicated) and enabled', async () => {
    const kibana = kibanaHttpApi({ url: standin.kibanaUrl, authorization: 'ApiKey x' });
    const existing = await kibana.createRule({
      rule_id: '138c5dd5-838b-446e-b1ac-c995c7f8108a', type: 'machine_learning', name: 'Rare User Logon (mine)', description: 'pre-existing', risk_score: 21,
      severity: 'low', anomaly_threshold: 75, machine_learning_job_id: 'auth_rare_user', enabled: false,
    });
    const { result } = await run();
    const rule = result.rules.find((r) => r.ruleId === '138c5dd5-838b-446e-b1ac-c995c7f8108a')!;
    expect(rule.state).toBe('enabled');
    expect(rule.id).toBe((existing as { id: string }).id);
    await cleanupDemo(deps(standin), 'default');
    // Cleanup removes what the tool created, not the user's own rule.
    expect([...(standin.state.rules.get('default')?.keys() ?? [])]).toEqual(['138c5dd5-838b-446e-b1ac-c995c7f8108a']);
  });

  it('a job that fails to open is reported; the rest of the run goes on', async () => {
    standin.faults.jobFailsToOpen('auth_rare_user');
    const { result } = await run();
    const job = result.jobs.find((j) => j.jobId === 'auth_rare_user')!;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/no ML nodes with sufficient capacity/);
    expect(result.jobs.filter((j) => j.state === 'processed')).toHaveLength(6);
    expect(result.state).toBe('failed');
    expect(result.cleanupHint).toBeDefined();
  });

  it('Ctrl-C in the middle: the run stops, says what it created and how to clean it', async () => {
    const controller = new AbortController();
    standin.faults.delay(30, 'POST /_bulk');
    const seen: RunProgress[] = [];
    const result = await runInstall(deps(standin), { ...SMALL, chunkSize: 200 }, (p) => {
      seen.push(p);
      if (p.docs.indexed > 1000) controller.abort();
    }, controller.signal);
    expect(result.state).toBe('cancelled');
    expect(result.created.dataStreams).toEqual(['logs-ml_demo.auth-default']);
    expect(result.cleanupHint).toMatch(/cleanup/);
    const report = await cleanupDemo(deps(standin), 'default');
    expect(report.errors).toEqual([]);
    expect(standin.state.dataStreams.size).toBe(0);
    expect(standin.state.indexTemplates.has('ml-demo-data-default')).toBe(false);
  });

  it('cleanup removes exactly what the tool created and nothing else', async () => {
    await es.indices.putIndexTemplate({ name: 'mine', index_patterns: ['logs-mine-*'], data_stream: {}, priority: 300 });
    await es.bulk({ operations: [{ create: { _index: 'logs-mine-default' } }, { '@timestamp': END, message: 'mine' }] });
    const mineJob = { description: 'mine', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } };
    await es.ml.putJob({ job_id: 'my_own_job', ...mineJob });
    await run();
    const report = await cleanupDemo(deps(standin), 'default');
    expect(report.errors).toEqual([]);
    expect(report.jobs).toHaveLength(7);
    expect(report.dataStreams).toEqual(['logs-ml_demo.auth-default']);
    expect(report.indexTemplates).toEqual(['ml-demo-data-default']);
    expect(report.rules).toHaveLength(7);
    expect([...standin.state.jobs.keys()]).toEqual(['my_own_job']);
    expect([...standin.state.dataStreams.keys()]).toEqual(['logs-mine-default']);
    expect(standin.state.indexTemplates.has('mine')).toBe(true);
  });
});
