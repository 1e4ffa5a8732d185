/** Every fault the control API offers, seen through the official client (or fetch for Kibana). */
import { Client, errors } from '@elastic/elasticsearch';
import { startStandin, type Standin } from './index';

let s: Standin;
let client: Client;
beforeEach(async () => {
  s = await startStandin();
  client = new Client({ node: s.esUrl, auth: { apiKey: 'x' }, maxRetries: 3 });
});
afterEach(async () => {
  await client.close();
  s.assertNoViolations();
  await s.close();
});

const T0 = Date.UTC(2025, 0, 1);
const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ '@timestamp': T0 + i * 1000, i }));
const failure = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as errors.ResponseError;
const job = { analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } };

test('itemErrors(429): the bulk helper retries the rejected items and the final count is exact', async () => {
  s.faults.itemErrors(37, 429);
  const res = await client.helpers.bulk({ datasource: docs(500), flushBytes: 4000, wait: 10, retries: 3, onDocument: () => ({ create: { _index: 'logs-retry-default' } }) });
  // The helper's `retry` stat counts NDJSON lines (action + source), hence 2 x 37.
  expect(res).toMatchObject({ total: 500, successful: 500, failed: 0, retry: 2 * 37 });
  expect(s.docCount('logs-retry-default')).toBe(500);
});

test('itemErrors(500): not retried by the helper, reported through onDrop, nothing double-counted', async () => {
  s.faults.itemErrors(3, 500);
  const dropped: number[] = [];
  const res = await client.helpers.bulk({ datasource: docs(50), onDrop: (d) => dropped.push(d.status), onDocument: () => ({ create: { _index: 'logs-drop-default' } }) });
  expect(res).toMatchObject({ successful: 47, failed: 3 });
  expect(dropped).toEqual([500, 500, 500]);
  expect(s.docCount('logs-drop-default')).toBe(47);
});

test('bulk429(n): whole requests rejected with es_rejected_execution_exception; the helper does NOT retry those', async () => {
  s.faults.bulk429(1);
  const direct = await failure(client.bulk({ operations: [{ create: { _index: 'logs-r-default' } }, { '@timestamp': T0 }] }));
  expect(direct.meta.statusCode).toBe(429);
  expect(JSON.stringify(direct.meta.body)).toContain('es_rejected_execution_exception');
  s.faults.bulk429(1);
  const viaHelper = await failure(client.helpers.bulk({ datasource: docs(10), onDocument: () => ({ create: { _index: 'logs-r-default' } }) }));
  expect(viaHelper.meta.statusCode).toBe(429);
  expect(s.docCount('logs-r-default')).toBe(0);
  // What a caller has to do: retry the whole request after a pause. Counts stay exact.
  s.faults.bulk429(2);
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const r = await client.bulk({ operations: docs(20).flatMap((d) => [{ create: { _index: 'logs-r-default' } }, d]) }).catch((e: errors.ResponseError) => e);
    if (!(r instanceof errors.ResponseError)) break;
    expect(r.meta.statusCode).toBe(429);
  }
  expect(attempts).toBe(3);
  expect(s.docCount('logs-r-default')).toBe(20);
});

test('status(): 503 is retried by the client transport, 500 is not; `times` is honoured', async () => {
  s.faults.status('GET /', 503, 2);
  expect((await client.info()).version.number).toBe('9.1.0');
  expect(s.requests.filter((r) => r.url === '/').map((r) => r.status)).toEqual([503, 503, 200]);
  s.faults.status('es:PUT /_ml/anomaly_detectors/*', 500, 1);
  const err = await failure(client.ml.putJob({ job_id: 'j', ...job }));
  expect(err.meta.statusCode).toBe(500);
  await client.ml.putJob({ job_id: 'j', ...job });
});

test('status(403) on a route: ES security_exception naming the action and granting privileges', async () => {
  s.privileges = { ...s.privileges, username: 'demo', roles: ['viewer'] };
  s.faults.status('PUT /_ml/anomaly_detectors/*', 403, Infinity);
  const err = await failure(client.ml.putJob({ job_id: 'j', ...job }));
  expect(err.meta.statusCode).toBe(403);
  expect((err.meta.body as { error: { type: string; reason: string } }).error).toMatchObject({
    type: 'security_exception',
    reason:
      'action [cluster:admin/xpack/ml/job/put] is unauthorized for user [demo] with effective roles [viewer], this action is granted by the cluster privileges [manage_ml,manage,all]',
  });
});

test('privileges without manage_ml: ML writes are 403, bulk items without write privilege are 403 items', async () => {
  const v = await startStandin({ privileges: { username: 'demo', roles: ['viewer'], cluster: ['monitor'], index: [{ names: ['logs-*'], privileges: ['read'] }] } });
  const c = new Client({ node: v.esUrl, auth: { apiKey: 'x' } });
  const err = await failure(c.ml.putJob({ job_id: 'j', ...job }));
  expect((err.meta.body as { error: { reason: string } }).error.reason).toContain('action [cluster:admin/xpack/ml/job/put] is unauthorized for user [demo]');
  expect((await c.ml.getJobs()).count).toBe(0);
  const r = await c.bulk({ operations: [{ create: { _index: 'logs-x-default' } }, { '@timestamp': T0 }] });
  expect(r.items[0].create).toMatchObject({ status: 403, error: { type: 'security_exception' } });
  await c.close();
  await v.close();
});

test('401: no credentials, wrong API key, wrong password; Kibana too', async () => {
  const v = await startStandin({ credentials: { apiKeys: ['good'], users: { elastic: 'changeme' } } });
  const bad = new Client({ node: v.esUrl, auth: { apiKey: 'bad' } });
  const e1 = await failure(bad.info());
  expect(e1.meta.statusCode).toBe(401);
  expect(e1.meta.headers?.['www-authenticate']).toContain('ApiKey');
  const none = await fetch(`${v.esUrl}/`);
  expect(none.status).toBe(401);
  expect(JSON.stringify(await none.json())).toContain('missing authentication credentials for REST request [/]');
  const good = new Client({ node: v.esUrl, auth: { username: 'elastic', password: 'changeme' } });
  expect((await good.info()).cluster_name).toBe('standin');
  expect((await fetch(`${v.kibanaUrl}/api/status`, { headers: { authorization: 'ApiKey good' } })).status).toBe(200);
  expect((await fetch(`${v.kibanaUrl}/api/status`, { headers: { authorization: 'ApiKey nope' } })).status).toBe(401);
  s.faults.status('kibana:/api/detection_engine/rules', 401, 1);
  const k = await fetch(`${s.kibanaUrl}/api/detection_engine/rules?rule_id=x`, { headers: { authorization: 'ApiKey x' } });
  expect(k.status).toBe(401);
  await Promise.all([bad.close(), good.close()]);
  await v.close();
});

test('jobFailsToOpen: _open fails with status_exception, module setup reports started: false', async () => {
  s.faults.jobFailsToOpen('j');
  await client.ml.putJob({ job_id: 'j', ...job });
  const err = await failure(client.ml.openJob({ job_id: 'j' }));
  expect(err.meta.statusCode).toBe(429);
  expect((err.meta.body as { error: { type: string; reason: string } }).error).toMatchObject({ type: 'status_exception', reason: expect.stringContaining('Could not open job') });
  expect(s.state.jobs.get('j')!.state).toBe('closed');
  s.faults.jobFailsToOpen('auth_rare_user', { status: 500, reason: 'boom' });
  const res = await fetch(`${s.kibanaUrl}/internal/ml/modules/setup/security_auth`, {
    method: 'POST',
    headers: { authorization: 'ApiKey x', 'kbn-xsrf': 'x', 'content-type': 'application/json', 'elastic-api-version': '1', 'x-elastic-internal-origin': 'kibana' },
    body: JSON.stringify({ prefix: '', startDatafeed: true, start: T0, end: T0 + 3600000 }),
  });
  const body = (await res.json()) as { datafeeds: { id: string; started: boolean }[] };
  expect(body.datafeeds.find((d) => d.id === 'datafeed-auth_rare_user')).toMatchObject({ started: false });
  expect(body.datafeeds.filter((d) => d.started)).toHaveLength(6);
});

test('delay(): responses are slowed (matcher-specific), and the client request timeout sees it', async () => {
  s.faults.delay(300, 'GET /_license', 1);
  const t = Date.now();
  await client.license.get();
  expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  s.faults.delay(500, 'GET /', 1);
  const err = await client.info({}, { requestTimeout: 100, maxRetries: 0 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(errors.TimeoutError);
});

test('datafeedDuration(): progress advances linearly and the datafeed stops at end', async () => {
  await client.helpers.bulk({ datasource: docs(3600), onDocument: () => ({ create: { _index: 'logs-slow-default' } }) });
  await client.ml.putJob({ job_id: 'j', ...job });
  await client.ml.putDatafeed({ datafeed_id: 'datafeed-j', job_id: 'j', indices: ['logs-slow-*'] });
  await client.ml.openJob({ job_id: 'j' });
  s.faults.datafeedDuration(400);
  await client.ml.startDatafeed({ datafeed_id: 'datafeed-j', start: String(T0), end: String(T0 + 3600000) });
  await new Promise((r) => setTimeout(r, 150));
  const mid = (await client.ml.getJobStats({ job_id: 'j' })).jobs[0];
  expect(mid.state).toBe('opened');
  expect(mid.data_counts.processed_record_count).toBeGreaterThan(0);
  expect(mid.data_counts.processed_record_count).toBeLessThan(3600);
  expect((await client.ml.getDatafeedStats({ datafeed_id: 'datafeed-j' })).datafeeds[0].state).toBe('started');
  await new Promise((r) => setTimeout(r, 400));
  const done = (await client.ml.getJobStats({ job_id: 'j' })).jobs[0];
  expect(done.data_counts).toMatchObject({ processed_record_count: 3600, latest_record_timestamp: T0 + 3600000 });
  expect((await client.ml.getDatafeedStats({ datafeed_id: 'datafeed-j' })).datafeeds[0].state).toBe('stopped');
});
