/**
 * Issue 10 against the contract-validating stand-in: cleanup removes only what the tool recorded
 * as created (a user's look-alike data streams, templates, jobs and rules survive), a second
 * namespace cannot take over the cluster-wide job ids, no score is reported for a job that did not
 * read the run's data, names are checked before any call, and a stack that answers oddly gets one
 * clear sentence.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { cleanupDemo } from '../../server/installers/cleanup';
import { kibanaHttpApi } from '../../server/installers/kibana_http';
import { runInstall } from '../../server/installers/run';
import { demoStatus } from '../../server/installers/status';
import type { InstallDeps, InstallOptions } from '../../server/installers/types';
import { RULE_TAG } from '../../common/requests';
import { startStandin, type Standin } from '../standin';

const END = '2026-11-20T10:07:00Z';
const SMALL: InstallOptions = { modules: ['security_auth'], historyDays: 3, end: END, pollMs: 20, retryWaitMs: 10, chunkSize: 2000 };
const MINE_JOB = { description: 'mine', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } };

let standin: Standin;
let es: Client;
const deps = (): InstallDeps => ({ es, kibana: kibanaHttpApi({ url: standin.kibanaUrl, authorization: 'ApiKey dGVzdDp0ZXN0' }), space: 'default' });
const run = (options: Partial<InstallOptions> = {}) => runInstall(deps(), { ...SMALL, ...options }, () => undefined);
const userDoc = (index: string) => es.bulk({ operations: [{ create: { _index: index } }, { '@timestamp': END, message: 'mine' }] });
const streams = () => [...standin.state.dataStreams.keys()].sort();

beforeEach(async () => {
  standin = await startStandin();
  es = new Client({ node: standin.esUrl, auth: { apiKey: 'dGVzdDp0ZXN0' } });
});
afterEach(async () => {
  await es.close();
  standin.assertNoViolations();
  await standin.close();
});

describe('cleanup removes only what the tool recorded as created', () => {
  it("the user's look-alike data streams, templates, jobs and rules all survive", async () => {
    // Before the demo: the user's own stream with the tool's naming, and their own template and job.
    await userDoc('logs-ml_demo.mine-default');
    await es.indices.putIndexTemplate({ name: 'my-template', index_patterns: ['my-*'], data_stream: {}, priority: 300 });
    await es.indices.putIndexTemplate({ name: 'ml-demo-data-other', index_patterns: ['other-*'], data_stream: {}, priority: 300 });
    await es.ml.putJob({ job_id: 'my_own_job', ...MINE_JOB });
    // A job that says it is the tool's, but for another namespace.
    await es.ml.putJob({ job_id: 'other_ns_job', ...MINE_JOB, custom_settings: { ml_demo_data: { namespace: 'other' } } });
    const kibana = deps().kibana!;
    await kibana.createRule({ rule_id: 'my-tagged-rule', type: 'machine_learning', name: 'Mine, with the tag', description: 'mine', risk_score: 21, severity: 'low', anomaly_threshold: 50, machine_learning_job_id: 'my_own_job', tags: [RULE_TAG] });

    const result = await run();
    expect(result.state).toBe('succeeded');
    // After the demo: another look-alike stream appears while the tool's template exists.
    await userDoc('logs-ml_demo.theirs-default');
    expect(standin.state.dataStreams.get('logs-ml_demo.theirs-default')!.template).not.toBe('ml-demo-data-default');

    const status = await demoStatus(es, 'default');
    expect(status.dataStreams.map((d) => d.name)).toEqual(['logs-ml_demo.auth-default']);

    const report = await cleanupDemo(deps(), 'default');
    expect(report.errors).toEqual([]);
    expect(report.dataStreams).toEqual(['logs-ml_demo.auth-default']);
    expect(report.indexTemplates).toEqual(['ml-demo-data-default']);
    expect(report.jobs).toHaveLength(7);
    expect(report.rules).toHaveLength(7);
    expect(report.rules).not.toContain('my-tagged-rule');
    expect(streams()).toEqual(['logs-ml_demo.mine-default', 'logs-ml_demo.theirs-default']);
    expect([...standin.state.indexTemplates.keys()].filter((n) => n !== 'logs').sort()).toEqual(['ml-demo-data-other', 'my-template']);
    expect([...standin.state.jobs.keys()].sort()).toEqual(['my_own_job', 'other_ns_job']);
    expect([...(standin.state.rules.get('default')?.keys() ?? [])]).toEqual(['my-tagged-rule']);

    // A template with the tool's name but not its record is the user's: cleanup of that namespace leaves it.
    const other = await cleanupDemo(deps(), 'other');
    expect(other).toMatchObject({ dataStreams: [], indexTemplates: [], rules: [], errors: [] });
    expect(other.jobs).toEqual(['other_ns_job']); // it carries the tool's marker for that namespace
    expect(standin.state.indexTemplates.has('ml-demo-data-other')).toBe(true);
  });

  it('a namespace that is not a namespace is refused before any request', async () => {
    for (const ns of ['zz,logs-other-default', 'x,my-template', '*', '../x', 'Default', '']) {
      await expect(cleanupDemo(deps(), ns)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/^namespace must be/) });
      await expect(demoStatus(es, ns)).rejects.toMatchObject({ statusCode: 400 });
    }
    expect(standin.requests).toEqual([]);
  });

  it("a run does not write into a user's data stream or template that has the tool's names", async () => {
    await userDoc('logs-ml_demo.auth-default');
    await expect(run({ enableJobs: false, installRules: false })).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/Data stream logs-ml_demo.auth-default exists and was not created by ml-demo-data/) });
    expect(standin.state.dataStreams.get('logs-ml_demo.auth-default')!.docCount).toBe(1);
    await es.indices.putIndexTemplate({ name: 'ml-demo-data-ns2', index_patterns: ['ns2-*'], data_stream: {}, priority: 300 });
    await expect(run({ namespace: 'ns2' })).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/Index template ml-demo-data-ns2 exists and was not created by ml-demo-data/) });
    expect((standin.state.indexTemplates.get('ml-demo-data-ns2')!.body as { index_patterns: string[] }).index_patterns).toEqual(['ns2-*']);
  });
});

describe('namespaces and the cluster-wide job ids (defect 5)', () => {
  it('a second namespace is refused with what to do, before it writes anything', async () => {
    expect((await run({ namespace: 'sec1' })).state).toBe('succeeded');
    const writes = () => standin.requests.filter((r) => r.method !== 'GET' && !r.url.includes('_has_privileges')).length;
    const before = writes();
    const second = run({ namespace: 'cc', modules: ['security_auth', 'security_cloudtrail'] });
    await expect(second).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/already belong to the demo in namespace "sec1" .* run "ml-demo-data cleanup --namespace sec1" first, or use --namespace sec1\.$/),
    });
    expect(writes()).toBe(before);
    expect(streams()).toEqual(['logs-ml_demo.auth-sec1']);
    expect(standin.state.indexTemplates.has('ml-demo-data-cc')).toBe(false);
    // After cleaning up sec1 the other namespace runs.
    await cleanupDemo(deps(), 'sec1');
    const cc = await run({ namespace: 'cc', modules: ['security_auth', 'security_cloudtrail'] });
    expect(cc.state).toBe('succeeded');
    expect(streams()).toEqual(['logs-ml_demo.auth-cc', 'logs-ml_demo.cloudtrail-cc']);
  });

  it("never reports 'detected' for a job that did not read this run's data", async () => {
    await es.ml.putJob({ job_id: 'auth_rare_user', ...MINE_JOB }); // the user's own job, same id
    standin.preloadRecords('auth_rare_user', [{ record_score: 99, timestamp: Date.parse(END) - 3600_000 }]);
    const result = await run();
    const job = result.jobs.find((j) => j.jobId === 'auth_rare_user')!;
    expect(job.state).toBe('existing');
    expect(job.maxRecordScore).toBeNull();
    expect(job.detected).toBeUndefined();
    expect(result.notices.join(' ')).toMatch(/Job auth_rare_user already exists and was not created by this tool: left as it is; it does not read the demo data, so no score is reported for it/);
  });
});

describe('a stack that answers oddly gets one clear sentence (defect 13)', () => {
  it('a licence answer without a licence object', async () => {
    standin.faults.status('GET /_license', 200, 1, { body: {} });
    await expect(run()).rejects.toThrow(/^Reading the licence: Elasticsearch answered GET \/_license without a licence; check that the URL points at Elasticsearch/);
  });

  it('a server that is not Kibana', async () => {
    const server: Server = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const kibana = kibanaHttpApi({ url, authorization: 'ApiKey x' });
      await expect(kibana.version()).rejects.toThrow(`Kibana GET /api/status: the server at ${url} answered 200 with something that is not JSON; check that the Kibana URL points at Kibana (port 5601 by default).`);
      await expect(runInstall({ es, kibana }, SMALL, () => undefined)).rejects.toThrow(/^Connecting to Kibana: failed \(502\)\. Kibana GET \/api\/status: .* not JSON/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a space id is checked and encoded, never a path', () => {
    expect(() => kibanaHttpApi({ url: standin.kibanaUrl, space: '../../api/x' })).toThrow(/^Kibana space must be a Kibana space id/);
  });
});

describe('through the route (the page)', () => {
  it('a second namespace gets a 409 saying what to do, and nothing is written', async () => {
    const { createRouteHarness, startRunsIndexFront } = await import('../router_harness');
    const { API_VERSION, ROUTES } = await import('../../common/constants');
    const front = await startRunsIndexFront(standin);
    const harness = await createRouteHarness({ esUrl: front.url, kibanaUrl: standin.kibanaUrl, run: { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 } } });
    try {
      expect((await run({ namespace: 'sec1' })).state).toBe('succeeded');
      const res = await harness.call({ method: 'POST', path: ROUTES.runs, body: { modules: ['security_auth'], historyDays: 3, end: END, namespace: 'cc' }, headers: { 'elastic-api-version': API_VERSION } });
      expect(res.status).toBe(409);
      expect((res.body as { message: string }).message).toMatch(/already belong to the demo in namespace "sec1"/);
      expect(streams()).toEqual(['logs-ml_demo.auth-sec1']);
    } finally {
      await harness.close();
      await front.close();
    }
  });
});
