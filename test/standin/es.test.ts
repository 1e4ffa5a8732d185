/** Elasticsearch behaviour through the official client: templates, data streams, bulk, ML. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compat8Transport } from '../../bin/connection';
import { Client, errors } from '@elastic/elasticsearch';
import { startStandin, type Standin } from './index';

interface CatJob {
  id: string;
  job: Record<string, unknown>;
  datafeed: Record<string, unknown>;
}
const catalogue = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../common/catalogue/catalogue.json'), 'utf8')) as { jobs: CatJob[] };
const catJob = (id: string) => catalogue.jobs.find((j) => j.id === id)!;

let s: Standin;
let client: Client;
beforeEach(async () => {
  s = await startStandin();
  client = new Client({ node: s.esUrl, auth: { apiKey: 'x' } });
});
afterEach(async () => {
  await client.close();
  s.assertNoViolations();
  await s.close();
});

const T0 = Date.UTC(2025, 0, 1);
const docs = (n: number, stepMs = 60000) => Array.from({ length: n }, (_, i) => ({ '@timestamp': new Date(T0 + i * stepMs).toISOString(), 'event.category': 'authentication', i }));
const statusOf = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as errors.ResponseError).meta?.statusCode;

test('cluster info, licence and ML info', async () => {
  const v = await startStandin({ esVersion: '8.19.2', license: 'basic' });
  // Like ES 8, the stand-in refuses the 9.x client's default compatible-with=9 headers.
  const nine = new Client({ node: v.esUrl, auth: { username: 'elastic', password: 'changeme' } });
  await expect(nine.info()).rejects.toThrow(/Accept version must be either version 8 or 7, but found 9/);
  await nine.close();
  const c = new Client({ node: v.esUrl, auth: { username: 'elastic', password: 'changeme' }, Transport: await compat8Transport() });
  expect((await c.info()).version.number).toBe('8.19.2');
  expect((await c.license.get()).license.type).toBe('basic');
  expect((await c.ml.info()).limits.max_model_memory_limit).toBeDefined();
  const err = (await c.ml.getJobs().catch((e: unknown) => e)) as errors.ResponseError;
  expect(err.meta.statusCode).toBe(403);
  expect(JSON.stringify(err.meta.body)).toContain('current license is non-compliant for [ml]');
  await c.close();
  await v.close();
  expect((await client.info()).version.number).toBe('9.1.0');
  expect((await client.license.get()).license.type).toBe('trial');
});

test('index templates and data streams: create, wildcard GET, in-use protection, delete', async () => {
  await client.indices.putIndexTemplate({ name: 'ml-demo', index_patterns: ['logs-mldemo.*-*'], data_stream: {}, priority: 200, template: { settings: { number_of_replicas: 0 } } });
  const same = await statusOf(client.indices.putIndexTemplate({ name: 'clash', index_patterns: ['logs-mldemo.auth-*'], data_stream: {}, priority: 200 }));
  expect(same).toBe(400);
  expect((await client.indices.getIndexTemplate({ name: 'ml-*' })).index_templates.map((t) => t.name)).toEqual(['ml-demo']);
  await client.indices.createDataStream({ name: 'logs-mldemo.auth-default' });
  expect(await statusOf(client.indices.createDataStream({ name: 'logs-mldemo.auth-default' }))).toBe(400);
  expect(await statusOf(client.indices.createDataStream({ name: 'nomatch' }))).toBe(400);
  const got = await client.indices.getDataStream({ name: '*' });
  expect(got.data_streams.map((d) => [d.name, d.template])).toEqual([['logs-mldemo.auth-default', 'ml-demo']]);
  expect(got.data_streams[0].indices[0].index_name).toMatch(/^\.ds-logs-mldemo\.auth-default-\d{4}\.\d{2}\.\d{2}-000001$/);
  expect(await statusOf(client.indices.getDataStream({ name: 'logs-missing-default' }))).toBe(404);
  expect(await statusOf(client.indices.deleteIndexTemplate({ name: 'ml-demo' }))).toBe(400);
  await client.indices.deleteDataStream({ name: 'logs-mldemo.*' });
  await client.indices.deleteIndexTemplate({ name: 'ml-demo' });
  expect(s.state.dataStreams.size).toBe(0);
  expect([...s.state.indexTemplates.keys()]).toEqual(['logs']);
});

test('bulk helper into data streams: auto-create via the built-in logs template, exact counts', async () => {
  const ids: string[] = [];
  const res = await client.helpers.bulk({
    datasource: docs(2500),
    flushBytes: 50000,
    onDocument: (d) => ({ create: { _index: d.i % 2 ? 'logs-mldemo.auth-default' : 'logs-mldemo.net-default' } }),
    onSuccess: ({ result }) => ids.push(String(result.create?._id)),
    refreshOnCompletion: 'logs-mldemo.*',
  });
  expect(res).toMatchObject({ total: 2500, successful: 2500, failed: 0 });
  expect(new Set(ids).size).toBe(2500);
  expect(s.state.dataStreams.get('logs-mldemo.auth-default')!.docCount).toBe(1250);
  expect(s.state.dataStreams.get('logs-mldemo.net-default')!.template).toBe('logs');
  expect((await client.count({ index: 'logs-mldemo.*' })).count).toBe(2500);
  const ranged = await client.count({ index: 'logs-mldemo.auth-default', query: { range: { '@timestamp': { gte: new Date(T0).toISOString(), lt: new Date(T0 + 100 * 60000).toISOString() } } } });
  expect(ranged.count).toBe(50);
  expect(s.docCount('logs-*')).toBe(2500);
  expect(s.state.dataStreams.get('logs-mldemo.net-default')!.docs[0]).toMatchObject({ i: 0 });
});

test('bulk item errors like ES: index op into a data stream, missing @timestamp, duplicate _id', async () => {
  const r = await client.bulk({
    operations: [
      { index: { _index: 'logs-a-default' } },
      { '@timestamp': T0 },
      { create: { _index: 'logs-a-default' } },
      { message: 'no timestamp' },
      { create: { _index: 'logs-a-default', _id: 'dup' } },
      { '@timestamp': T0 },
      { create: { _index: 'logs-a-default', _id: 'dup' } },
      { '@timestamp': T0 },
      { create: { _index: 'plainindex' } },
      { message: 'plain' },
    ],
  });
  expect(r.errors).toBe(true);
  expect(r.items.map((i) => Object.values(i)[0].status)).toEqual([400, 400, 201, 409, 201]);
  expect(r.items[0].index?.error?.reason).toContain('op_type of create');
  expect(r.items[1].create?.error?.type).toBe('document_parsing_exception');
  expect(r.items[3].create?.error?.type).toBe('version_conflict_engine_exception');
  expect(s.state.dataStreams.get('logs-a-default')!.docCount).toBe(1);
  expect(s.state.indices.get('plainindex')!.docCount).toBe(1);
});

test('ML job + datafeed lifecycle with a catalogue job, simulated processing to end', async () => {
  const j = catJob('auth_rare_user');
  await client.helpers.bulk({ datasource: docs(600), onDocument: () => ({ create: { _index: 'logs-mldemo.auth-default' } }) });
  await client.helpers.bulk({ datasource: docs(10), onDocument: () => ({ create: { _index: 'metrics-other-default' } }) });
  await client.ml.putJob({ job_id: j.id, ...j.job } as never);
  expect(await statusOf(client.ml.putJob({ job_id: j.id, ...j.job } as never))).toBe(400);
  await client.ml.putDatafeed({ datafeed_id: `datafeed-${j.id}`, ...j.datafeed, job_id: j.id, indices: ['logs-*'] } as never);
  expect(await statusOf(client.ml.startDatafeed({ datafeed_id: `datafeed-${j.id}` }))).toBe(409);
  expect((await client.ml.openJob({ job_id: j.id })).opened).toBe(true);
  const end = new Date(T0 + 5 * 3600000).toISOString();
  expect((await client.ml.startDatafeed({ datafeed_id: `datafeed-${j.id}`, start: new Date(T0).toISOString(), end })).started).toBe(true);
  const stats = (await client.ml.getJobStats({ job_id: j.id })).jobs[0];
  expect(stats.data_counts.processed_record_count).toBe(300); // 5 hours of 1-minute docs from logs-* only
  expect(stats.data_counts.latest_record_timestamp).toBe(T0 + 5 * 3600000);
  expect(stats.state).toBe('closed'); // a datafeed with an end closes its job, as ES does
  expect((await client.ml.getDatafeedStats({ datafeed_id: `datafeed-${j.id}` })).datafeeds[0].state).toBe('stopped');
  expect((await client.ml.getJobs({ job_id: 'auth_*,nothing*' })).count).toBe(1);
  expect(await statusOf(client.ml.getJobs({ job_id: 'auth_rare_user,missing' }))).toBe(404);
  expect(await statusOf(client.ml.deleteJob({ job_id: j.id }))).toBe(409);
  await client.ml.deleteDatafeed({ datafeed_id: `datafeed-${j.id}` });
  await client.ml.deleteJob({ job_id: j.id });
  expect(s.state.jobs.size).toBe(0);
});

test('latest_record_timestamp can follow the last document instead of end; stop keeps the job open', async () => {
  const v = await startStandin({ latestRecordTimestamp: 'lastDoc', autoCloseJobs: false });
  const c = new Client({ node: v.esUrl, auth: { apiKey: 'x' } });
  await c.helpers.bulk({ datasource: docs(120), onDocument: () => ({ create: { _index: 'logs-x-default' } }) });
  await c.ml.putJob({ job_id: 'j', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] }, data_description: { time_field: '@timestamp' } });
  await c.ml.putDatafeed({ datafeed_id: 'datafeed-j', job_id: 'j', indices: ['logs-x-*'] });
  await c.ml.openJob({ job_id: 'j' });
  await c.ml.startDatafeed({ datafeed_id: 'datafeed-j', start: String(T0), end: String(T0 + 86400000) });
  const st = (await c.ml.getJobStats({ job_id: 'j' })).jobs[0];
  expect(st.data_counts.latest_record_timestamp).toBe(T0 + 119 * 60000);
  expect(st.state).toBe('opened');
  await c.ml.closeJob({ job_id: 'j' });
  await c.close();
  v.assertNoViolations();
  await v.close();
});

test('preloaded anomaly records: filtered by score and time, sorted, paged; buckets derived', async () => {
  const j = catJob('auth_rare_user');
  await client.ml.putJob({ job_id: j.id, ...j.job } as never);
  s.preloadRecords(j.id, [
    { timestamp: T0 + 3600000, record_score: 91, by_field_value: 'mallory' },
    { timestamp: T0 + 7200000, record_score: 40, by_field_value: 'bob' },
    { timestamp: T0 + 10800000, record_score: 76, by_field_value: 'eve', is_interim: true },
  ]);
  const all = await client.ml.getRecords({ job_id: j.id });
  expect(all.records.map((r) => r.record_score)).toEqual([91, 76, 40]);
  expect(all.records[0]).toMatchObject({ job_id: j.id, result_type: 'record', function: 'rare', by_field_name: 'user.name', bucket_span: 900 });
  const high = await client.ml.getRecords({ job_id: j.id, record_score: 75, exclude_interim: true, start: String(T0), end: String(T0 + 86400000) });
  expect(high.records.map((r) => r.by_field_value)).toEqual(['mallory']);
  const paged = await client.ml.getRecords({ job_id: j.id, page: { from: 1, size: 1 }, sort: 'timestamp', desc: false });
  expect(paged.records.map((r) => r.record_score)).toEqual([40]);
  const buckets = await client.ml.getBuckets({ job_id: j.id, anomaly_score: 50 });
  expect(buckets.buckets.map((b) => b.anomaly_score)).toEqual([91, 76]);
  expect(await statusOf(client.ml.getRecords({ job_id: 'nope' }))).toBe(404);
});

test('_has_privileges answers from the configured privilege set', async () => {
  const v = await startStandin({ privileges: { username: 'demo', roles: ['viewer'], cluster: ['monitor'], index: [{ names: ['logs-*'], privileges: ['read', 'view_index_metadata'] }] } });
  const c = new Client({ node: v.esUrl, auth: { apiKey: 'x' } });
  const r = await c.security.hasPrivileges({ cluster: ['monitor', 'manage_ml'], index: [{ names: ['logs-mldemo.auth-default'], privileges: ['read', 'create_doc'] }] });
  expect(r).toMatchObject({ username: 'demo', has_all_requested: false, cluster: { monitor: true, manage_ml: false }, index: { 'logs-mldemo.auth-default': { read: true, create_doc: false } } });
  const su = await client.security.hasPrivileges({ cluster: ['manage_ml'], index: [{ names: ['logs-*'], privileges: ['create_doc', 'auto_configure'] }] });
  expect(su.has_all_requested).toBe(true);
  await c.close();
  await v.close();
});
