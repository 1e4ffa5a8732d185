/**
 * The routes through the router harness (Kibana's HTTP checks and validation) against the
 * contract-validating stand-in: a real Elasticsearch client as the current user, the ML plugin's
 * module setup over the stand-in's Kibana, run progress persisted in the runs index.
 */
import type { ModulesResponse, RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { startStandin, type Standin } from '../../test/standin';
import { createRouteHarness, startRunsIndexFront, waitForRun as waitForRunOf, type HarnessCall, type RouteHarness } from '../../test/router_harness';
import type { MemoryAlerting } from '../../test/router_harness/fake_plugins';
import type { HarnessOptions } from '../../test/router_harness/harness';

const END = '2026-11-20T10:07:00Z';
const SMALL = { modules: ['security_auth'], historyDays: 3, end: END };
const V = { 'elastic-api-version': API_VERSION };
const FAST = { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 } };

let standin: Standin;
let front: Awaited<ReturnType<typeof startRunsIndexFront>>;
let harness: RouteHarness;
const extra: RouteHarness[] = [];

async function open(options: Partial<HarnessOptions> = {}): Promise<RouteHarness> {
  const h = await createRouteHarness({ esUrl: front.url, kibanaUrl: standin.kibanaUrl, run: FAST, ...options });
  extra.push(h);
  return h;
}
const call = (c: Omit<HarnessCall, 'headers'> & { headers?: HarnessCall['headers'] }, h = harness) => h.call({ ...c, headers: { ...V, ...c.headers } });

function progressOf(runId: string): RunProgress {
  const t = new Date().toISOString();
  return {
    runId, space: 'default', state: 'running', phase: 'preflight', startedAt: t, updatedAt: t, request: SMALL,
    docs: { planned: 0, generated: 0, indexed: 0, failed: 0 }, dataStreams: [], jobs: [], rules: [], notices: [], errors: [],
    created: { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [] },
  };
}

const waitForRun = (runId: string, space = 'default', h = harness) => waitForRunOf(h, runId, space);

beforeEach(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
  front = await startRunsIndexFront(standin);
  harness = await open({ alerting: 'memory' });
});
afterEach(async () => {
  // Close everything first: a failed assertion must not leave servers open.
  for (const h of extra.splice(0)) await h.close();
  await front.close();
  await standin.close();
  standin.assertNoViolations();
});

describe('routes against the stand-in', () => {
  it('happy path: start → progress to done → latest run → modules show installed → cleanup', async () => {
    const before = await call({ method: 'GET', path: ROUTES.modules });
    expect(before.status).toBe(200);
    const mods = before.body as ModulesResponse;
    expect(mods.variant).toBe('classic');
    expect(mods.modules.map((m) => m.id)).toContain('security_auth');
    expect(mods.modules.find((m) => m.id === 'security_auth')!.dataStream).toBe('logs-ml_demo.auth-default');
    expect(mods.modules.flatMap((m) => m.jobs).some((j) => j.installed)).toBe(false);

    const start = await call({ method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(start.status).toBe(202);
    expect(start.headers['elastic-api-version']).toBe('1');
    const { runId } = start.body as { runId: string };
    expect(runId).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);

    const run = await waitForRun(runId);
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.runId).toBe(runId);
    expect(run.request).toEqual(SMALL);
    expect(run.jobs.map((j) => j.state)).toEqual(Array(7).fill('processed'));
    expect(run.docs.indexed).toBe(standin.docCount('logs-ml_demo.auth-default'));
    // Rules through the alerting rules client: the 7 prebuilt ML rules of the module, enabled.
    expect(run.rules).toHaveLength(7);
    expect(run.rules.every((r) => r.state === 'installed')).toBe(true);
    const stored = [...(harness.alerting as MemoryAlerting).rules.get('default')!.values()];
    expect(stored.every((r) => r.enabled && r.alertTypeId === 'siem.mlRule' && r.tags.includes('ML Demo Data'))).toBe(true);
    expect(standin.requests.some((r) => r.url.includes('/internal/ml/modules/setup/security_auth'))).toBe(true);

    const latest = await call({ method: 'GET', path: ROUTES.runs });
    expect(latest.status).toBe(200);
    expect((latest.body as { run: RunProgress }).run.runId).toBe(runId);
    // Persisted: the document says succeeded, in the space, owned by this process.
    expect(front.docs.get(runId)).toMatchObject({ runId, space: 'default', state: 'succeeded' });

    const after = (await call({ method: 'GET', path: ROUTES.modules })).body as ModulesResponse;
    const auth = after.modules.find((m) => m.id === 'security_auth')!;
    expect(auth.jobs.every((j) => j.installed)).toBe(true);
    expect(after.modules.filter((m) => m.id !== 'security_auth').flatMap((m) => m.jobs).some((j) => j.installed)).toBe(false);

    const cleanup = await call({ method: 'POST', path: ROUTES.cleanup, body: { namespace: 'default' } });
    expect(cleanup.status).toBe(200);
    expect(cleanup.body).toMatchObject({ dataStreams: ['logs-ml_demo.auth-default'], errors: [] });
    expect((cleanup.body as { rules: string[] }).rules).toHaveLength(7);
    expect((harness.alerting as MemoryAlerting).rules.get('default')!.size).toBe(0);
    expect((cleanup.body as { jobs: string[] }).jobs).toHaveLength(7);
    const gone = (await call({ method: 'GET', path: ROUTES.modules })).body as ModulesResponse;
    expect(gone.modules.flatMap((m) => m.jobs).some((j) => j.installed)).toBe(false);
    // The cleaned-up run no longer comes back on a page reload.
    expect((await call({ method: 'GET', path: ROUTES.runs })).body).toEqual({ run: null });
    expect(harness.handlerErrors).toEqual([]);
  });

  it('403 pass-through: without manage_ml the start is refused, naming the privilege', async () => {
    standin.privileges = { username: 'demo', roles: ['viewer'], cluster: ['monitor'], index: [{ names: ['*'], privileges: ['read', 'view_index_metadata'] }] };
    const res = await call({ method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(res.status).toBe(403);
    const body = res.body as { message: string; attributes: { reason: string; missingPrivileges?: string[] } };
    expect(body.message).toMatch(/manage_ml/);
    expect(body.attributes.reason).toBe('missing_privilege');
    expect(body.attributes.missingPrivileges).toEqual(expect.arrayContaining(['cluster:manage_ml']));
    expect(standin.docCount('logs-ml_demo.*')).toBe(0);
    // Listing jobs needs monitor_ml: a user without any ML privilege gets a 403 naming it.
    standin.privileges = { username: 'demo', roles: ['nobody'], cluster: [], index: [] };
    const mods = await call({ method: 'GET', path: ROUTES.modules });
    expect(mods.status).toBe(403);
    expect((mods.body as { message: string }).message).toMatch(/monitor_ml/);
  });

  it('no ML licence or no ML: a clear 4xx, never a 500', async () => {
    await standin.close();
    standin = await startStandin({ license: 'basic' });
    await front.close();
    front = await startRunsIndexFront(standin);
    // Inside Kibana the licence comes from the licensing plugin, not from Elasticsearch as the user.
    const basic = await open({ license: { type: 'basic', status: 'active' } });
    const res = await call({ method: 'POST', path: ROUTES.runs, body: SMALL }, basic);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ attributes: { reason: 'license' } });

    const noMl = await startStandin({ mlEnabled: false });
    const noMlFront = await startRunsIndexFront(noMl);
    const h = await createRouteHarness({ esUrl: noMlFront.url, run: FAST });
    try {
      const r = await call({ method: 'POST', path: ROUTES.runs, body: SMALL }, h);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ attributes: { reason: 'ml_unavailable' } });
    } finally {
      await h.close();
      await noMlFront.close();
      noMl.assertNoViolations();
      await noMl.close();
    }
  });

  it('concurrent starts: one per space (409 names the running run), other spaces run', async () => {
    const body = { ...SMALL, enableJobs: false, installRules: false };
    const [a, b] = await Promise.all([call({ method: 'POST', path: ROUTES.runs, body }), call({ method: 'POST', path: ROUTES.runs, body })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const started = (a.status === 202 ? a : b).body as { runId: string };
    const refused = (a.status === 409 ? a : b).body as { message: string; attributes: { runId: string; reason: string } };
    expect(refused.attributes).toEqual({ reason: 'conflict', runId: started.runId, scope: 'space' });
    // Another space cannot write the same namespace meanwhile.
    const clash = await call({ method: 'POST', path: `/s/marketing${ROUTES.runs}`, body });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ attributes: { runId: started.runId, scope: 'namespace' } });
    expect(refused.message).toContain(started.runId);

    const other = await call({ method: 'POST', path: `/s/marketing${ROUTES.runs}`, body: { ...body, namespace: 'marketing' } });
    expect(other.status).toBe(202);
    const otherId = (other.body as { runId: string }).runId;
    // A run is visible only in its own space.
    expect((await call({ method: 'GET', path: ROUTES.run, params: { runId: otherId } })).status).toBe(404);

    expect((await waitForRun(started.runId)).state).toBe('succeeded');
    expect((await waitForRun(otherId, 'marketing')).state).toBe('succeeded');
    expect(standin.docCount('logs-ml_demo.auth-marketing')).toBeGreaterThan(0);
    // The space is free again.
    const again = await call({ method: 'POST', path: ROUTES.runs, body });
    expect(again.status).toBe(202);
    await waitForRun((again.body as { runId: string }).runId);
  });

  it('cancel: the run ends cancelled with a cleanup hint; cleanup waits for the run', async () => {
    standin.faults.datafeedDuration(60_000);
    const start = await call({ method: 'POST', path: ROUTES.runs, body: SMALL });
    const { runId } = start.body as { runId: string };
    for (let i = 0; i < 400; i++) {
      const p = (await call({ method: 'GET', path: ROUTES.run, params: { runId } })).body as RunProgress;
      if (p.phase === 'datafeeds') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const busy = await call({ method: 'POST', path: ROUTES.cleanup, body: { namespace: 'default' } });
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ attributes: { runId } });

    const cancel = await call({ method: 'POST', path: ROUTES.cancel, params: { runId }, body: {} });
    expect(cancel.status).toBe(202);
    const run = await waitForRun(runId);
    expect(run.state).toBe('cancelled');
    expect(run.cleanupHint).toMatch(/cleanup --namespace default/);
    expect(run.created.jobs.length).toBeGreaterThan(0);
    expect(front.docs.get(runId)).toMatchObject({ state: 'cancelled' });

    expect((await call({ method: 'POST', path: ROUTES.cancel, params: { runId } })).status).toBe(200);
    const unknown = await call({ method: 'POST', path: ROUTES.cancel, params: { runId: 'no-such-run' } });
    expect(unknown.status).toBe(404);
    standin.faults.datafeedDuration(0);
  });

  it('without the alerting plugin the run skips rules and says so', async () => {
    const noAlerting = await open();
    const start = await call({ method: 'POST', path: ROUTES.runs, body: { ...SMALL, enableJobs: false } }, noAlerting);
    expect(start.status).toBe(202);
    const run = await waitForRun((start.body as { runId: string }).runId, 'default', noAlerting);
    expect(run.state).toBe('succeeded');
    expect(run.rules).toEqual([]);
    expect(run.notices.join(' ')).toMatch(/Rules are skipped/);
  });

  it('restart: a run stored as running by a Kibana that is gone is reported interrupted', async () => {
    // Kibana #1 starts a run whose installer never returns, then "dies" (no more heartbeats).
    let clock = Date.parse('2026-11-20T10:00:00Z');
    const hang = (_d: unknown, o: { runId?: string }, onProgress: (p: RunProgress) => void) =>
      new Promise<RunProgress>(() => onProgress({ ...progressOf(o.runId!), phase: 'index', created: { dataStreams: ['logs-ml_demo.auth-default'], indexTemplates: [], jobs: [], datafeeds: [], rules: [] } }));
    const first = await open({ run: { ...FAST, now: () => clock, runInstall: hang } });
    const start = await call({ method: 'POST', path: ROUTES.runs, body: SMALL }, first);
    expect(start.status).toBe(202);
    const { runId } = start.body as { runId: string };
    await new Promise((r) => setTimeout(r, 50));
    expect(front.docs.get(runId)).toMatchObject({ state: 'running' });

    // Kibana #2 a minute later over the same Elasticsearch.
    clock += 60_000;
    const second = await open({ run: { ...FAST, now: () => clock } });
    const latest = await call({ method: 'GET', path: ROUTES.runs }, second);
    const run = (latest.body as { run: RunProgress }).run;
    expect(run).toMatchObject({ runId, state: 'interrupted' });
    expect(run.cleanupHint).toMatch(/cleanup --namespace default/);
    expect(run.errors.join(' ')).toMatch(/Kibana stopped/);
    expect(front.docs.get(runId)).toMatchObject({ state: 'interrupted' });
    expect(((await call({ method: 'GET', path: ROUTES.run, params: { runId } }, second)).body as RunProgress).state).toBe('interrupted');
    first.plugin.stop();
  });
});
