/** The validator rejects what the official documents reject, and accepts what they accept. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, errors } from '@elastic/elasticsearch';
import { getContract } from './contracts';
import { startStandin, type Standin } from './index';

interface CatJob {
  id: string;
  job: Record<string, unknown>;
  datafeed: Record<string, unknown>;
}
const catalogue = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../common/catalogue/catalogue.json'), 'utf8')) as { jobs: CatJob[] };

let s: Standin;
let client: Client;
const kbn = (p: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${s.kibanaUrl}${p}`, {
    ...init,
    headers: { authorization: 'ApiKey x', 'kbn-xsrf': 'true', 'content-type': 'application/json', 'elastic-api-version': '2023-10-31', ...init.headers },
  });
const es = (p: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${s.esUrl}${p}`, { ...init, headers: { authorization: 'ApiKey x', 'content-type': 'application/json', ...init.headers } });

beforeEach(async () => {
  s = await startStandin();
  client = new Client({ node: s.esUrl, auth: { apiKey: 'x' } });
});
afterEach(async () => {
  await client.close();
  await s.close();
});

const mlRule = {
  type: 'machine_learning',
  rule_id: 'demo-rule',
  name: 'Rare User Logon',
  description: 'Looks for rare user logons',
  risk_score: 21,
  severity: 'low',
  machine_learning_job_id: ['auth_rare_user'],
  anomaly_threshold: 75,
  from: 'now-30m',
  interval: '15m',
};

describe('Elasticsearch document', () => {
  test('every catalogue job and datafeed body is valid (query DSL shortcuts accepted)', () => {
    const c = getContract('elasticsearch');
    const job = c.schemaAt('/paths/~1_ml~1anomaly_detectors~1{job_id}/put/requestBody/content/application~1json/schema');
    const feed = c.schemaAt('/paths/~1_ml~1datafeeds~1{datafeed_id}/put/requestBody/content/application~1json/schema');
    const bad = catalogue.jobs.flatMap((j) => [job(j.job) ? [] : [`${j.id}: ${JSON.stringify(job.errors)}`], feed({ ...j.datafeed, job_id: j.id, indices: ['logs-*'] }) ? [] : [`datafeed ${j.id}`]].flat());
    expect(bad).toEqual([]);
    expect(catalogue.jobs.length).toBeGreaterThan(50);
  });

  test('PUT job without analysis_config: 400 contract_violation naming the field, recorded', async () => {
    const err = await client.ml.putJob({ job_id: 'x', data_description: { time_field: '@timestamp' } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ResponseError);
    const body = (err as errors.ResponseError).meta.body as { error: { type: string; reason: string } };
    expect((err as errors.ResponseError).meta.statusCode).toBe(400);
    expect(body.error.type).toBe('contract_violation');
    expect(body.error.reason).toContain("must have required property 'analysis_config'");
    expect(s.violations).toHaveLength(1);
    expect(s.violations[0]).toMatchObject({ server: 'es', method: 'PUT', contract: 'elasticsearch', operationId: 'ml-put-job' });
    expect(s.state.jobs.size).toBe(0);
  });

  test('a catalogue job through client.ml.putJob passes', async () => {
    const j = catalogue.jobs.find((x) => x.id === 'auth_rare_user')!;
    const res = await client.ml.putJob({ job_id: j.id, ...j.job } as never);
    expect(res.job_id).toBe('auth_rare_user');
    expect(s.violations).toEqual([]);
  });

  test('wrong types deep in the body are reported with their path', async () => {
    const res = await es('/_ml/anomaly_detectors/x', {
      method: 'PUT',
      body: JSON.stringify({ analysis_config: { bucket_span: '15m', detectors: [{ function: 'rare', by_field_name: 7 }] }, data_description: { time_field: '@timestamp' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toContain('body/analysis_config/detectors/0/by_field_name');
  });

  test('unknown path, unknown method, unknown and mistyped query parameters', async () => {
    expect((await es('/_nope/thing')).status).toBe(400);
    expect((await es('/', { method: 'PATCH' })).status).toBe(400);
    expect((await es('/_data_stream/logs-a-b?bogus=1')).status).toBe(400);
    expect((await es('/_ml/anomaly_detectors/x?force=maybe', { method: 'DELETE' })).status).toBe(400);
    expect(s.violations.map((v) => v.errors.join(' '))).toEqual([
      expect.stringContaining('no operation'),
      expect.stringContaining('no operation'),
      expect.stringContaining('query.bogus: unknown query parameter'),
      expect.stringContaining('query.force'),
    ]);
  });

  test('query parameters are coerced (booleans, numbers, comma lists) before validation', async () => {
    expect((await es('/_data_stream/*?expand_wildcards=open,hidden')).status).toBe(200);
    expect((await es('/_ml/anomaly_detectors?allow_no_match=true')).status).toBe(200);
    expect(s.violations).toEqual([]);
  });

  test('_bulk NDJSON: action lines against OperationContainer, sources must be objects, trailing newline', async () => {
    const post = (body: string) => es('/_bulk', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    expect((await post('{"upsert":{"_index":"logs-a-b"}}\n{}\n')).status).toBe(400);
    expect((await post('{"create":{"_index":"logs-a-b"}}\n[1,2]\n')).status).toBe(400);
    expect((await post('{"create":{"_index":"logs-a-b"}}\n{"@timestamp":1}')).status).toBe(400);
    expect((await post('{"create":{"_index":"logs-a-b","_id":5}}\n{"@timestamp":1}\n')).status).toBe(400);
    expect(s.violations.map((v) => v.errors[0])).toEqual([
      expect.stringContaining('body line 1'),
      expect.stringContaining('must be a JSON object'),
      expect.stringContaining('terminated by a newline'),
      expect.stringContaining('body line 1/create/_id'),
    ]);
    expect((await post('{"create":{"_index":"logs-a-b"}}\n{"@timestamp":1}\n')).status).toBe(200);
    expect(s.violations).toHaveLength(4);
  });

  test('hand-checked routes: results/records rejects unknown body keys', async () => {
    await client.ml.putJob({ job_id: 'j1', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } });
    const res = await es('/_ml/anomaly_detectors/j1/results/records', { method: 'POST', body: JSON.stringify({ record_score: 'high', min_score: 3 }) });
    expect(res.status).toBe(400);
    expect(s.violations[0]).toMatchObject({ contract: 'hand-check' });
    expect(s.violations[0].errors).toEqual(['body.record_score: must be number', 'body.min_score: unknown key']);
    const ok = await client.ml.getRecords({ job_id: 'j1', record_score: 50, page: { size: 10 }, sort: 'record_score', desc: true });
    expect(ok.count).toBe(0);
    expect(s.violations).toHaveLength(1);
  });
});

describe('Kibana documents', () => {
  test('ML rule without anomaly_threshold: violation focused on the machine_learning branch', async () => {
    const { anomaly_threshold: _t, ...rule } = mlRule;
    const res = await kbn('/api/detection_engine/rules', { method: 'POST', body: JSON.stringify(rule) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; reason: string } };
    expect(body.error.type).toBe('contract_violation');
    expect(body.error.reason).toBe("body: must have required property 'anomaly_threshold'");
    expect(s.violations[0]).toMatchObject({ server: 'kibana', contract: 'kibana-detections', operationId: 'CreateRule' });
  });

  test('unknown rule type and missing required fields are violations; a valid ML rule passes', async () => {
    const bad = await kbn('/api/detection_engine/rules', { method: 'POST', body: JSON.stringify({ ...mlRule, type: 'ml' }) });
    expect(bad.status).toBe(400);
    expect(s.violations[0].errors[0]).toContain('body/type: must be one of');
    const noName = await kbn('/api/detection_engine/rules', { method: 'POST', body: JSON.stringify({ ...mlRule, name: undefined }) });
    expect(noName.status).toBe(400);
    const good = await kbn('/api/detection_engine/rules', { method: 'POST', body: JSON.stringify(mlRule) });
    expect(good.status).toBe(200);
    expect(s.violations).toHaveLength(2);
  });

  test('a JSON route given a non-JSON content type is a violation', async () => {
    const res = await kbn('/api/detection_engine/rules', { method: 'POST', body: JSON.stringify(mlRule), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(s.violations[0].errors[0]).toContain('content type text/plain not accepted');
  });

  test('unknown Kibana paths are violations; known but unimplemented operations answer 501', async () => {
    expect((await kbn('/api/detection_engine/nope')).status).toBe(400);
    expect(s.violations).toHaveLength(1);
    const res = await kbn('/api/detection_engine/tags');
    expect(res.status).toBe(501);
    expect(s.unhandled).toEqual([expect.objectContaining({ operationId: 'ReadTags' })]);
  });

  test('ML sync: simulate must be a boolean', async () => {
    expect((await kbn('/api/ml/saved_objects/sync?simulate=yes')).status).toBe(400);
    expect((await kbn('/api/ml/saved_objects/sync?simulate=true')).status).toBe(200);
    expect(s.violations).toHaveLength(1);
  });
});
