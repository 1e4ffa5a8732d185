/** Kibana behaviour over fetch: headers, spaces, detection rules, prebuilt rules, ML modules, sync. */
import { Client } from '@elastic/elasticsearch';
import { startStandin, type Standin } from './index';

let s: Standin;
type Json = Record<string, unknown>;
const H = { authorization: 'ApiKey x', 'kbn-xsrf': 'true', 'content-type': 'application/json', 'elastic-api-version': '2023-10-31' };
const INTERNAL = { ...H, 'elastic-api-version': '1', 'x-elastic-internal-origin': 'kibana' };

async function kbn(p: string, init: { method?: string; body?: unknown; headers?: Record<string, string | undefined> } = {}): Promise<{ status: number; body: Json }> {
  const headers = Object.fromEntries(Object.entries({ ...H, ...init.headers }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const res = await fetch(`${s.kibanaUrl}${p}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: res.status, body: (await res.json()) as Json };
}

const rule = (id: string, extra: Json = {}) => ({
  type: 'machine_learning',
  rule_id: id,
  name: `Rule ${id}`,
  description: 'demo',
  risk_score: 21,
  severity: 'low',
  machine_learning_job_id: 'auth_rare_user',
  anomaly_threshold: 75,
  tags: ['ML', 'demo'],
  ...extra,
});

beforeEach(async () => {
  s = await startStandin();
});
afterEach(async () => {
  await s.close();
});

test('status reports the configured version; auth is required', async () => {
  const v = await startStandin({ kibanaVersion: '8.19.0' });
  const res = await fetch(`${v.kibanaUrl}/api/status`, { headers: { authorization: 'Basic ' + Buffer.from('elastic:pw').toString('base64') } });
  expect(((await res.json()) as { version: { number: string } }).version.number).toBe('8.19.0');
  expect((await fetch(`${v.kibanaUrl}/api/status`)).status).toBe(401);
  await v.close();
});

test('kbn-xsrf is required for non-GET requests, like Kibana', async () => {
  const r = await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('a'), headers: { 'kbn-xsrf': undefined } });
  expect(r).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' } });
  expect(s.violations[0].errors[0]).toContain('without kbn-xsrf');
  expect((await kbn('/api/detection_engine/rules?rule_id=a', { headers: { 'kbn-xsrf': undefined } })).status).toBe(404);
});

test('public routes accept only elastic-api-version 2023-10-31 (or none)', async () => {
  const bad = await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('a'), headers: { 'elastic-api-version': '2024-01-01' } });
  expect(bad.status).toBe(400);
  expect(bad.body.message).toContain('Available versions are: [2023-10-31]');
  expect((await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('a'), headers: { 'elastic-api-version': undefined } })).status).toBe(200);
});

test('rules: create (409 on duplicate), read, patch, find with filter, delete; per space', async () => {
  const created = await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('r1') });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ rule_id: 'r1', enabled: true, immutable: false, revision: 0, machine_learning_job_id: ['auth_rare_user'] });
  expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
  const dup = await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('r1') });
  expect(dup).toEqual({ status: 409, body: { message: 'rule_id: "r1" already exists', status_code: 409 } });
  await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('r2', { tags: ['other'] }) });
  await kbn('/s/demo/api/detection_engine/rules', { method: 'POST', body: rule('r1') });
  expect((await kbn('/api/detection_engine/rules?rule_id=r1')).body.name).toBe('Rule r1');
  const patched = await kbn('/api/detection_engine/rules', { method: 'PATCH', body: { rule_id: 'r1', enabled: false, anomaly_threshold: 50 } });
  expect(patched.body).toMatchObject({ enabled: false, anomaly_threshold: 50, revision: 1, id: created.body.id });
  const found = await kbn('/api/detection_engine/rules/_find?filter=' + encodeURIComponent('alert.attributes.tags:"demo"') + '&per_page=10');
  expect(found.body).toMatchObject({ page: 1, perPage: 10, total: 1 });
  expect((await kbn('/s/demo/api/detection_engine/rules/_find')).body.total).toBe(1);
  expect((await kbn('/api/detection_engine/rules?rule_id=r1', { method: 'DELETE' })).status).toBe(200);
  expect((await kbn('/api/detection_engine/rules?rule_id=r1')).body).toEqual({ message: 'rule_id: "r1" not found', status_code: 404 });
  expect(s.state.rules.get('demo')!.size).toBe(1);
  s.assertNoViolations();
});

test('bulk actions: enable, edit tags, delete; unknown ids fail like Kibana', async () => {
  const a = (await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('a', { enabled: false }) })).body;
  await kbn('/api/detection_engine/rules', { method: 'POST', body: rule('b', { enabled: false }) });
  const en = await kbn('/api/detection_engine/rules/_bulk_action', { method: 'POST', body: { action: 'enable', query: 'alert.attributes.tags:"ML"' } });
  expect(en.body).toMatchObject({ success: true, rules_count: 2, attributes: { summary: { succeeded: 2, failed: 0 } } });
  const ed = await kbn('/api/detection_engine/rules/_bulk_action', { method: 'POST', body: { action: 'edit', ids: [a.id], edit: [{ type: 'add_tags', value: ['x'] }] } });
  expect((ed.body.attributes as { results: { updated: Json[] } }).results.updated[0].tags).toEqual(['ML', 'demo', 'x']);
  const missing = await kbn('/api/detection_engine/rules/_bulk_action', { method: 'POST', body: { action: 'delete', ids: ['nope'] } });
  expect(missing.status).toBe(500);
  const del = await kbn('/api/detection_engine/rules/_bulk_action', { method: 'POST', body: { action: 'delete', query: '' } });
  expect((del.body.attributes as { summary: Json }).summary).toMatchObject({ succeeded: 2 });
  const invalid = await kbn('/api/detection_engine/rules/_bulk_action', { method: 'POST', body: { action: 'explode' } });
  expect(invalid.status).toBe(400);
  expect(s.violations).toHaveLength(1);
});

test('import rules from multipart ndjson', async () => {
  const form = new FormData();
  form.append('file', new Blob([`${JSON.stringify(rule('i1'))}\n${JSON.stringify(rule('i2'))}\n`]), 'rules.ndjson');
  const res = await fetch(`${s.kibanaUrl}/api/detection_engine/rules/_import?overwrite=true`, { method: 'POST', body: form, headers: { authorization: 'ApiKey x', 'kbn-xsrf': 'x', 'elastic-api-version': '2023-10-31' } });
  expect(await res.json()).toMatchObject({ success: true, success_count: 2, rules_count: 2 });
  expect([...s.state.rules.get('default')!.keys()]).toEqual(['i1', 'i2']);
  s.assertNoViolations();
});

test('prebuilt rules: status and installation (internal, version 1)', async () => {
  const st = await kbn('/internal/detection_engine/prebuilt_rules/status', { headers: INTERNAL });
  const stats = st.body.stats as Record<string, number>;
  expect(stats.num_prebuilt_rules_installed).toBe(0);
  expect(stats.num_prebuilt_rules_total_in_package).toBeGreaterThan(10);
  const noOrigin = await kbn('/internal/detection_engine/prebuilt_rules/status', { headers: { ...INTERNAL, 'x-elastic-internal-origin': undefined } });
  expect(noOrigin.status).toBe(400);
  const one = await kbn('/internal/detection_engine/prebuilt_rules/installation/_perform', { method: 'POST', headers: INTERNAL, body: { mode: 'SPECIFIC_RULES', rules: [{ rule_id: '138c5dd5-838b-446e-b1ac-c995c7f8108a', version: 1 }] } });
  expect(one.body.summary).toMatchObject({ succeeded: 1 });
  const installed = (await kbn('/api/detection_engine/rules?rule_id=138c5dd5-838b-446e-b1ac-c995c7f8108a')).body;
  expect(installed).toMatchObject({ immutable: true, enabled: false, type: 'machine_learning', rule_source: { type: 'external', is_customized: false } });
  const all = await kbn('/internal/detection_engine/prebuilt_rules/installation/_perform', { method: 'POST', headers: INTERNAL, body: { mode: 'ALL_RULES' } });
  expect((all.body.summary as Json).skipped).toBe(1);
  expect(s.violations).toHaveLength(1);
});

test('module setup creates the module jobs + datafeeds in ES, starts them, and get_module lists them', async () => {
  const es = new Client({ node: s.esUrl, auth: { apiKey: 'x' } });
  await es.helpers.bulk({ datasource: [{ '@timestamp': Date.UTC(2025, 0, 1), 'event.category': 'authentication' }], onDocument: () => ({ create: { _index: 'logs-mldemo.auth-default' } }) });
  const mod = await kbn('/internal/ml/modules/get_module/security_auth', { headers: INTERNAL });
  expect((mod.body.jobs as Json[]).map((j) => j.id)).toContain('auth_rare_user');
  const res = await kbn('/s/demo/internal/ml/modules/setup/security_auth', {
    method: 'POST',
    headers: INTERNAL,
    body: { prefix: '', indexPatternName: 'logs-mldemo.*', startDatafeed: true, start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 0, 2), jobOverrides: [{ job_id: 'auth_rare_user', analysis_limits: { model_memory_limit: '64mb' } }], useDedicatedIndex: false },
  });
  expect(res.status).toBe(200);
  const jobs = res.body.jobs as { id: string; success: boolean }[];
  expect(jobs.length).toBe(7);
  expect(jobs.every((j) => j.success)).toBe(true);
  expect((res.body.datafeeds as Json[]).every((d) => d.started === true)).toBe(true);
  const job = await es.ml.getJobs({ job_id: 'auth_rare_user' });
  expect(job.jobs[0].analysis_limits?.model_memory_limit).toBe('64mb');
  expect((await es.ml.getDatafeeds({ datafeed_id: 'datafeed-auth_rare_user' })).datafeeds[0].indices).toEqual(['logs-mldemo.*']);
  const again = await kbn('/s/demo/internal/ml/modules/setup/security_auth', { method: 'POST', headers: INTERNAL, body: { prefix: '' } });
  expect((again.body.jobs as { success: boolean; error: { error: { type: string } } }[])[0]).toMatchObject({ success: false, error: { error: { type: 'resource_already_exists_exception' } } });
  const bad = await kbn('/internal/ml/modules/setup/security_auth', { method: 'POST', headers: INTERNAL, body: { prefix: '', startDatafeeds: true } });
  expect(bad.status).toBe(400);
  const noVersion = await kbn('/internal/ml/modules/setup/security_auth', { method: 'POST', headers: { ...INTERNAL, 'elastic-api-version': undefined }, body: {} });
  expect(noVersion.status).toBe(400);
  expect((await kbn('/internal/ml/modules/get_module/nope', { headers: INTERNAL })).status).toBe(404);
  expect(s.violations.map((v) => v.contract)).toEqual(['hand-check', 'hand-check']);
  await es.close();
});

test('module variant follows the Kibana version (9.4+: _ea jobs)', async () => {
  const v = await startStandin({ kibanaVersion: '9.4.0' });
  const res = await fetch(`${v.kibanaUrl}/internal/ml/modules/get_module/security_auth`, { headers: INTERNAL });
  expect(((await res.json()) as { jobs: { id: string }[] }).jobs.map((j) => j.id)).toContain('auth_rare_user_ea');
  await v.close();
});

test('ML saved-objects sync creates saved objects for jobs made through the ES API, per space', async () => {
  const es = new Client({ node: s.esUrl, auth: { apiKey: 'x' } });
  await es.ml.putJob({ job_id: 'direct', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } });
  const sim = await kbn('/api/ml/saved_objects/sync?simulate=true');
  expect(sim.body.savedObjectsCreated).toEqual({ 'anomaly-detector': { direct: { success: true } } });
  await kbn('/api/ml/saved_objects/sync');
  expect((await kbn('/api/ml/saved_objects/sync')).body.savedObjectsCreated).toEqual({});
  expect((await kbn('/s/other/api/ml/saved_objects/sync')).body.savedObjectsCreated).toEqual({ 'anomaly-detector': { direct: { success: true } } });
  s.assertNoViolations();
  await es.close();
});
