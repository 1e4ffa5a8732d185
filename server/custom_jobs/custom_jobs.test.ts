/**
 * A user's own jobs: ten hand-written jobs (test/fixtures/custom_jobs, in every accepted format)
 * that together cover every function family, by/over/partition fields, 5-minute, hourly and daily
 * buckets and numeric metric fields inside and outside ECS, generated and passed by the engine
 * model in both scopes; the formats and the datafeed pairing; and one sentence, naming the file
 * and the field, for what cannot be generated.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { familyOf, type FamilyId } from '../engine/registry';
import { parseTimeValue } from '../engine/detector';
import { buildPlan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { engineVerify, SCORE_MARGIN } from '../verify/engine_verify';
import { readJobFiles } from './files';
import { CUSTOM_MODULE_ID, CustomJobError, parseCustomJob, parseCustomJobs } from './parse';
import { ecsType } from '../../common/ecs';

const FIXTURES = resolve(__dirname, '../../test/fixtures/custom_jobs');
const END = '2026-12-02T18:00:00Z';
const NOW = Date.parse('2026-12-03T00:00:00Z');

describe('the hand-written jobs', () => {
  const jobs = parseCustomJobs(readJobFiles([FIXTURES]));
  const detectors = jobs.map((j) => j.job.analysis_config.detectors[0]);

  it('cover every function family, by/over/partition, 5m/1h/1d buckets and numeric fields', () => {
    expect(jobs.length).toBeGreaterThanOrEqual(8);
    const families = new Set(detectors.map((d) => familyOf(d.function)));
    expect([...families].sort()).toEqual((['count', 'distinct', 'info', 'metric', 'rare', 'time'] as FamilyId[]).sort());
    expect(detectors.some((d) => d.by_field_name && familyOf(d.function) !== 'rare')).toBe(true);
    expect(detectors.some((d) => d.over_field_name)).toBe(true);
    expect(detectors.some((d) => d.partition_field_name)).toBe(true);
    const spans = new Set(jobs.map((j) => parseTimeValue(j.job.analysis_config.bucket_span)));
    for (const span of ['5m', '1h', '1d']) expect(spans).toContain(parseTimeValue(span));
    const metricFields = detectors.filter((d) => familyOf(d.function) === 'metric').map((d) => d.field_name!);
    expect(metricFields.some((f) => ecsType(f) === 'long')).toBe(true); // ECS numeric
    expect(metricFields.some((f) => ecsType(f) === undefined)).toBe(true); // outside ECS
    expect(detectors.some((d) => d.function.startsWith('low_'))).toBe(true);
  });

  const plan = buildPlan({ modules: [], customJobs: jobs, end: END }, NOW);
  const results = engineVerify(plan);

  it('are generated into the custom module, each with its anomaly', () => {
    expect(plan.modules.map((m) => [m.moduleId, m.dataStream])).toEqual([[CUSTOM_MODULE_ID, 'logs-ml_demo.custom-default']]);
    for (const j of plan.modules[0].jobs) expect({ job: j.job.id, anomalies: j.anomalies.length }).toEqual({ job: j.job.id, anomalies: 1 });
    // The 5-minute jobs set the stream's step.
    expect(plan.modules[0].tick).toBe(5 * 60_000);
  });

  it('pass the engine model in both scopes: anomaly at 75 + 10, no baseline record at 50', () => {
    for (const r of results) {
      expect({ job: r.jobId, problems: r.problems }).toEqual({ job: r.jobId, problems: [] });
      for (const scope of ['stream', 'all'] as const) expect(r.scopes[scope]!.anomalies[0].score).toBeGreaterThanOrEqual(75 + SCORE_MARGIN);
    }
    expect(results).toHaveLength(jobs.length);
  });

  it('low-side jobs get a drop: the scope has no events (low_count) in the anomaly bucket', () => {
    const low = plan.modules[0].jobs.find((j) => j.job.id === 'host_low_count_5m')!;
    const a = low.anomalies[0];
    const host = a.scope['host.name'];
    let inBucket = 0;
    let before = 0;
    for (const chunk of moduleStream(plan, plan.modules[0])) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line.includes(`"name":"${host}"`) || !line.includes('"outcome":"success"')) continue;
        const ts = Date.parse(JSON.parse(line)['@timestamp']);
        if (ts >= a.bucketStart && ts < a.bucketEnd) inBucket++;
        if (ts >= a.bucketStart - low.bucketSpan && ts < a.bucketStart) before++;
      }
    }
    expect(inBucket).toBe(0);
    expect(before).toBeGreaterThanOrEqual(5);
  });

  it('stream twice with identical bytes', () => {
    const hash = () => {
      const h = createHash('sha256');
      for (const c of moduleStream(plan, plan.modules[0])) h.update(c.ndjson);
      return h.digest('hex');
    };
    expect(hash()).toBe(hash());
  });
});

describe('job formats', () => {
  const analysis = { bucket_span: '15m', detectors: [{ function: 'high_count', partition_field_name: 'host.name' }] };
  const body = { analysis_config: analysis, data_description: { time_field: '@timestamp' } };

  it('PUT body with job_id, GET answer, module setup entry, file-named job', () => {
    expect(parseCustomJob({ job: { ...body, job_id: 'a1' }, source: 'a.json' }).id).toBe('a1');
    expect(parseCustomJob({ job: { count: 1, jobs: [{ ...body, job_id: 'from_get', job_type: 'anomaly_detector', create_time: 1 }] }, source: 'get.json' }).job).not.toHaveProperty('create_time');
    expect(parseCustomJob({ job: { id: 'module_entry', config: body }, source: 'module.json' }).id).toBe('module_entry');
    expect(parseCustomJob({ job: body, source: 'dir/my_job.json', fallbackId: 'my_job' }).id).toBe('my_job');
  });

  it('the datafeed: given, embedded, or every document', () => {
    const query = { term: { 'event.dataset': 'x' } };
    expect(parseCustomJob({ job: { ...body, job_id: 'a' }, source: 'a', datafeed: { query, indices: ['logs-*'] } }).datafeed.query).toEqual(query);
    expect(parseCustomJob({ job: { ...body, job_id: 'a', datafeed_config: { query } }, source: 'a' }).datafeed.query).toEqual(query);
    expect(parseCustomJob({ job: { ...body, job_id: 'a' }, source: 'a' }).datafeed.query).toEqual({ match_all: {} });
  });

  it('files in a folder are paired by job_id or by name; a stray datafeed is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
    try {
      writeFileSync(join(dir, 'one.json'), JSON.stringify(body));
      writeFileSync(join(dir, 'datafeed_one.json'), JSON.stringify({ job_id: 'JOB_ID', indices: ['INDEX_PATTERN_NAME'], query: { term: { 'event.dataset': 'one' } } }));
      writeFileSync(join(dir, 'two.json'), JSON.stringify({ ...body, job_id: 'second' }));
      writeFileSync(join(dir, 'feed.json'), JSON.stringify({ job_id: 'second', query: { term: { 'event.dataset': 'two' } } }));
      const jobs = parseCustomJobs(readJobFiles([dir]));
      expect(jobs.map((j) => [j.id, j.datafeed.query])).toEqual([
        ['one', { term: { 'event.dataset': 'one' } }],
        ['second', { term: { 'event.dataset': 'two' } }],
      ]);
      writeFileSync(join(dir, 'stray.json'), JSON.stringify({ job_id: 'nobody', query: { match_all: {} } }));
      expect(() => readJobFiles([dir])).toThrow(/stray\.json: no job goes with this datafeed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what cannot be generated is one sentence naming the file and the field', () => {
  const base = (ac: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    job: { job_id: 'j', analysis_config: { bucket_span: '15m', ...ac }, data_description: { time_field: '@timestamp' }, ...extra },
    source: 'mine.json',
  });
  const count = { detectors: [{ function: 'count' }] };
  it.each([
    ['categorization', base({ categorization_field_name: 'message', detectors: [{ function: 'count', by_field_name: 'mlcategory' }] }), /^mine\.json: analysis_config\.categorization_field_name: a categorization job/],
    ['mlcategory', base({ detectors: [{ function: 'rare', by_field_name: 'mlcategory' }] }), /detectors\[0\]\.by_field_name is mlcategory: a categorization job/],
    ['aggregations', { ...base(count), datafeed: { query: { match_all: {} }, aggregations: { buckets: {} } }, datafeedSource: 'feed.json' }, /^feed\.json: the datafeed has aggregations/],
    ['script fields', { ...base(count), datafeed: { query: { match_all: {} }, script_fields: { x: { script: 'doc.x' } } }, datafeedSource: 'feed.json' }, /^feed\.json: the datafeed's script_fields \(x\) are scripts the tool cannot evaluate/],
    ['runtime script', { ...base(count), datafeed: { runtime_mappings: { y: { type: 'keyword', script: 'emit(1)' } } }, datafeedSource: 'feed.json' }, /runtime_mappings\.y has a script the tool cannot evaluate/],
    ['query clause', { ...base(count), datafeed: { query: { wildcard: { 'process.name': 'x*' } } }, datafeedSource: 'feed.json' }, /^feed\.json: query: Cannot derive documents from query clause/],
    ['two detectors', base({ detectors: [{ function: 'count' }, { function: 'rare', by_field_name: 'user.name' }] }), /detectors has 2 detectors; the tool makes data for jobs with one detector/],
    ['30s bucket', base({ ...count, bucket_span: '30s' }), /bucket_span "30s" must be a time value from 1m to 1d/],
    ['2d bucket', base({ ...count, bucket_span: '2d' }), /bucket_span "2d" must be a time value from 1m to 1d/],
    ['unknown function', base({ detectors: [{ function: 'lat_long', field_name: 'source.geo.location' }] }), /function "lat_long" is not one the generator knows/],
    ['mean of a keyword', base({ detectors: [{ function: 'mean', field_name: 'user.name' }] }), /mean needs a numeric field_name; ECS maps user\.name as keyword/],
    ['summary count', base({ ...count, summary_count_field_name: 'doc_count' }), /summary_count_field_name: the job reads pre-summarised input/],
    ['time field', base(count, { data_description: { time_field: 'ts' } }), /data_description\.time_field "ts": the tool writes its events' time in @timestamp/],
    ['job id', { job: { job_id: 'Bad Id', analysis_config: count }, source: 'mine.json' }, /^mine\.json: job_id "Bad Id" must be 1-64 lowercase letters/],
    ['no analysis_config', { job: { job_id: 'x' }, source: 'mine.json' }, /^mine\.json: analysis_config is missing/],
  ])('%s', (_what, input, message) => {
    let error: unknown;
    try {
      parseCustomJob(input as Parameters<typeof parseCustomJob>[0]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CustomJobError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });

  it('two jobs with one id, and a custom job with the id of a chosen module job', () => {
    const job = { job_id: 'same', analysis_config: { bucket_span: '15m', detectors: [{ function: 'count' }] } };
    expect(() => parseCustomJobs([{ job, source: 'a.json' }, { job, source: 'b.json' }])).toThrow(/^b\.json: job id same is also the id of a\.json/);
    const clash = parseCustomJobs([{ job: { ...job, job_id: 'auth_rare_user' }, source: 'c.json' }]);
    expect(() => buildPlan({ modules: ['security_auth'], customJobs: clash, end: END }, NOW)).toThrow(/job auth_rare_user \(c\.json\) has the id of a job of module security_auth/);
  });
});
