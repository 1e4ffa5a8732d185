/**
 * Jobs sized for the cluster (issue #12, point 4), against a stand-in with one small simulated ML
 * node: each job's model_memory_limit comes from Elasticsearch's estimator fed with the demo's
 * cardinalities, the jobs run in waves that fit the node, and a cluster without ML capacity is
 * one sentence before anything is created.
 */
import { Client } from '@elastic/elasticsearch';
import { SUPPORTED_MODULE_IDS } from '../../common/catalogue';
import { buildPlan } from '../../server/generators/plan';
import { kibanaHttpApi } from '../../server/installers/kibana_http';
import { runInstall } from '../../server/installers/run';
import { jobNeedBytes, NATIVE_CODE_BYTES, planWaves, shippedLimitMb } from '../../server/installers/sizing';
import type { InstallOptions } from '../../server/installers/types';
import { startStandin, type Standin } from '../standin';

const END = '2026-11-20T10:00:00Z';
const ALL: InstallOptions = { modules: [...SUPPORTED_MODULE_IDS], historyDays: 3, end: END, pollMs: 10, retryWaitMs: 10, chunkSize: 2000, installRules: false };
const GB = 1024 ** 3;
const MB = 1024 ** 2;

let standin: Standin;
let es: Client;
async function stack(mlNodeMemory: string | number, datafeedRunMs = 0) {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0', mlNodeMemory, datafeedRunMs });
  es = new Client({ node: standin.esUrl, auth: { apiKey: 'dGVzdDp0ZXN0' } });
}
const deps = () => ({ es, kibana: kibanaHttpApi({ url: standin.kibanaUrl, authorization: 'ApiKey dGVzdDp0ZXN0' }) });
afterEach(async () => {
  await es?.close();
  standin?.assertNoViolations();
  await standin?.close();
});

describe('job sizing and waves', () => {
  it('a 1 GB ML node runs every job of every module (50), each sized for the demo data, in waves that never exceed the node', async () => {
    await stack('1gb');
    const result = await runInstall(deps(), ALL, () => undefined);
    expect(result.errors).toEqual([]);
    const plan = buildPlan({ ...ALL, variant: 'classic' });
    const jobCount = plan.modules.reduce((n, m) => n + m.jobs.length, 0);
    expect(jobCount).toBe(50);
    expect(result.jobs).toHaveLength(jobCount);
    expect(result.jobs.every((j) => j.state === 'processed')).toBe(true);
    expect(standin.mlNode.peakBytes).toBeLessThanOrEqual(1 * GB);
    const notice = result.notices.find((n) => n.startsWith('ML memory:'))!;
    expect(notice).toMatch(/run in \d+ waves/);
    // Every job was created with a limit far below Kibana's module limit, and at least the floor.
    const shipped = new Map(plan.modules.flatMap((m) => m.jobs.map((j) => [j.job.id, shippedLimitMb(j)] as const)));
    let total = 0;
    let totalShipped = 0;
    for (const job of standin.state.jobs.values()) {
      const limit = String((job.config.analysis_limits as { model_memory_limit: string }).model_memory_limit);
      const mb = Number(/^(\d+)mb$/.exec(limit)![1]);
      expect(mb).toBeGreaterThanOrEqual(16);
      expect(mb).toBeLessThanOrEqual(Math.max(shipped.get(job.id)!, 64));
      total += mb;
      totalShipped += shipped.get(job.id)!;
    }
    expect(total).toBeLessThan(totalShipped / 3);
  }, 120_000);

  it('all jobs in one wave when the node is big enough (and nothing is closed early)', async () => {
    await stack('8gb', 300);
    const result = await runInstall(deps(), { ...ALL, modules: ['security_auth'] }, () => undefined);
    expect(result.state).toBe('succeeded');
    expect(result.notices.find((n) => n.startsWith('ML memory:'))).not.toMatch(/waves/);
    expect(standin.mlNode.peakOpen).toBe(7);
  });

  it('no ML node: one sentence, and no job, data stream or template is created', async () => {
    await stack(0);
    const result = await runInstall(deps(), { ...ALL, modules: ['security_auth'] }, () => undefined);
    expect(result.state).toBe('failed');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^This cluster has no machine learning capacity: no node has the ml role/);
    expect(result.errors[0].split('. ').length).toBe(1);
    expect(standin.state.jobs.size).toBe(0);
    expect(standin.state.dataStreams.size).toBe(0);
    expect(standin.state.indexTemplates.has('ml-demo-data-default')).toBe(false);
  });

  it('an ML node too small for one job says how much it has and how much is needed', async () => {
    await stack('40mb');
    const result = await runInstall(deps(), { ...ALL, modules: ['security_auth'] }, () => undefined);
    expect(result.errors[0]).toMatch(
      /no machine learning capacity for the demo: the ML node has at most \d+ MB of free ML memory and the largest demo job needs \d+ MB/,
    );
    expect(standin.state.jobs.size).toBe(0);
  });
});

describe('planWaves', () => {
  const node = (freeMb: number, hasProcesses = false) => ({ name: 'n', maxBytes: freeMb * MB, freeBytes: freeMb * MB, hasProcesses });
  it('packs jobs into as few waves as fit, each within the node', () => {
    const jobs = Array.from({ length: 10 }, (_, i) => ({ jobId: `j${i}`, limitMb: 20 + i }));
    const { waves } = planWaves(jobs, [node(200)]);
    expect(waves.flat().sort()).toEqual(jobs.map((j) => j.jobId).sort());
    for (const w of waves)
      expect(w.reduce((n, id) => n + jobNeedBytes(jobs.find((j) => j.jobId === id)!.limitMb), 0) + NATIVE_CODE_BYTES).toBeLessThanOrEqual(200 * MB);
    expect(waves.length).toBeGreaterThan(1);
    expect(planWaves(jobs, [node(2000)]).waves).toHaveLength(1);
  });
  it('a node that already runs processes does not pay the code overhead again', () => {
    expect(planWaves([{ jobId: 'a', limitMb: 30 }], [node(40, true)]).waves).toEqual([['a']]);
    expect(() => planWaves([{ jobId: 'a', limitMb: 30 }], [node(40)])).toThrow(/largest demo job needs 40 MB/);
  });
});
