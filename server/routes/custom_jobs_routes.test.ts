/**
 * The user's own jobs through the routes (the page's "Add a job"): the validate route answers the
 * job's id, function and span or one sentence naming the field, and a run with `customJobs` makes
 * their data and their jobs in the custom module, through the ES API.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunProgress, ValidateJobResponse } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { startStandin, type Standin } from '../../test/standin';
import { createRouteHarness, startRunsIndexFront, waitForRun, type HarnessCall, type RouteHarness } from '../../test/router_harness';

const FIXTURES = resolve(__dirname, '../../test/fixtures/custom_jobs');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const V = { 'elastic-api-version': API_VERSION };

let standin: Standin;
let front: Awaited<ReturnType<typeof startRunsIndexFront>>;
let harness: RouteHarness;
const call = (c: Omit<HarnessCall, 'headers'>) => harness.call({ ...c, headers: V });

beforeAll(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
  front = await startRunsIndexFront(standin);
  harness = await createRouteHarness({ esUrl: front.url, kibanaUrl: standin.kibanaUrl, alerting: 'memory', run: { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 5000 } } });
});
afterAll(async () => {
  await harness.close();
  await front.close();
  await standin.close();
  standin.assertNoViolations();
});

describe('validate a job', () => {
  it('answers what the job is', async () => {
    const res = await call({ method: 'POST', path: ROUTES.validateJob, body: { job: fixture('host_low_count_5m.json'), datafeed: fixture('datafeed_host_low_count_5m.json') } });
    // The module-format file has no job_id: the page names the job after the file; here it has none.
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/^\[request body\]: job: job_id "" must be 1-64 lowercase letters/);
    const ok = await call({ method: 'POST', path: ROUTES.validateJob, body: { job: { ...fixture('host_low_count_5m.json'), job_id: 'host_quiet' } } });
    expect(ok.status).toBe(200);
    expect(ok.body as ValidateJobResponse).toMatchObject({ id: 'host_quiet', function: 'low_count', bucketSpan: '5m', fields: { partition: 'host.name' } });
  });

  it.each([
    [{ job: { job_id: 'cat', analysis_config: { categorization_field_name: 'message', detectors: [{ function: 'count', by_field_name: 'mlcategory' }] } } }, /^\[request body\]: job: analysis_config\.categorization_field_name: a categorization job/],
    [{ job: { ...fixture('net_bytes_sum_5m.json'), job_id: 'aggs' }, datafeed: { query: { match_all: {} }, aggregations: {} } }, /^\[request body\]: datafeed: the datafeed has aggregations/],
    [{ job: 'not an object' }, /job must be the job's JSON object/],
    [{ job: {}, extra: 1 }, /unknown key "extra"/],
  ])('refuses %#, naming the field', async (body, message) => {
    const res = await call({ method: 'POST', path: ROUTES.validateJob, body });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(message);
  });
});

describe('a run with the user\'s own jobs', () => {
  it('refuses a job the generator cannot make data for, before anything is written', async () => {
    const res = await call({ method: 'POST', path: ROUTES.runs, body: { historyDays: 5, customJobs: [{ job: { job_id: 'x', analysis_config: { bucket_span: '30s', detectors: [{ function: 'count' }] } } }] } });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/^\[request body\]: customJobs\[0\]: analysis_config\.bucket_span "30s" must be a time value from 1m to 1d/);
    expect(standin.state.jobs.size).toBe(0);
  });

  it('generates their data and creates them through the ES API', async () => {
    const customJobs = [
      { job: fixture('app_latency_high_mean_1h.json'), datafeed: fixture('datafeed_app_latency_high_mean_1h.json') },
      { job: fixture('rare_process_1h.json') },
    ];
    const start = await call({ method: 'POST', path: ROUTES.runs, body: { historyDays: 4, end: '2026-11-20T10:07:00Z', customJobs } });
    expect(start.status).toBe(202);
    const run: RunProgress = await waitForRun(harness, (start.body as { runId: string }).runId, 'default');
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.dataStreams).toEqual(['logs-ml_demo.custom-default']);
    expect(run.jobs.map((j) => [j.jobId, j.state])).toEqual([
      ['app_latency_high_mean_1h', 'processed'],
      ['rare_process_1h', 'processed'],
    ]);
    expect(standin.requests.some((r) => r.url.includes('/internal/ml/modules/setup/custom'))).toBe(false);
    expect(harness.handlerErrors).toEqual([]);
  });
});
