/**
 * Inside a real Kibana (issue 11), through the router harness against the stand-in:
 * - a user with ML and index privileges but no `monitor` can run it (licence from licensing,
 *   version from Kibana; no `GET /` or `GET _license` as the user);
 * - every job the run creates (whole module through ML module setup, a single job and the
 *   module-setup fallback through the ES API) has its ML saved object in the run's space before
 *   the rules are created, and so has each of the user's own jobs (custom module);
 * - the run is a Task Manager task acting with an API key: it outlives the user's credentials,
 *   and a Kibana restart mid-run resumes it, or reports it interrupted once its task is gone.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { startStandin, type Standin } from '../../test/standin';
import { startRunsIndexFront, waitForRun as waitForRunOf, type HarnessCall, type RouteHarness, closeAll, inKibanaHarness } from '../../test/router_harness';
import type { MemoryAlerting } from '../../test/router_harness/fake_plugins';
import { TaskStore } from '../../test/router_harness/fake_task_manager';
import type { HarnessOptions } from '../../test/router_harness/harness';
import type { RunsIndexFront } from '../../test/router_harness/runs_index_front';
import { RUNS_INDEX } from '../runs/run_store';

const END = '2026-11-20T10:07:00Z';
const FIXTURES = resolve(__dirname, '../../test/fixtures/custom_jobs');
const SMALL = { modules: ['security_auth'], historyDays: 3, end: END };
const V = { 'elastic-api-version': API_VERSION };
const FAST = { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 } };
const USER = 'ApiKey dXNlcjpzZXNzaW9u';

/** An ML admin + writer of the demo data streams and the runs index: no `monitor`, no `manage`. */
const ML_ADMIN = {
  username: 'ml_writer',
  roles: ['machine_learning_admin', 'demo_writer'],
  cluster: ['manage_ml', 'monitor_ml', 'manage_index_templates'],
  index: [
    { names: ['logs-ml_demo.*'], privileges: ['create_doc', 'create_index', 'view_index_metadata', 'read', 'manage'] },
    { names: [RUNS_INDEX], privileges: ['create_index', 'index', 'read'] },
    { names: ['.ml-anomalies-*', '.ml-notifications*'], privileges: ['view_index_metadata', 'read'] },
  ],
};

let standin: Standin;
let front: RunsIndexFront;
const open: RouteHarness[] = [];

const harness = (options: Partial<HarnessOptions> = {}) => inKibanaHarness(standin, front, open, { authorization: USER, run: FAST, ...options });
const call = (h: RouteHarness, c: Omit<HarnessCall, 'headers'> & { headers?: HarnessCall['headers'] }) => h.call({ ...c, headers: { ...V, ...c.headers } });

const waitForRun = (h: RouteHarness, runId: string, space = 'default', authorization = USER) => waitForRunOf(h, runId, space, { authorization });

beforeEach(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
  front = await startRunsIndexFront(standin);
});
afterEach(() => closeAll(open, front, standin));

describe('a run inside Kibana', () => {
  it('succeeds for a user with ML and index privileges but no monitor: nothing asks Elasticsearch for version or licence as the user', async () => {
    standin.privileges = ML_ADMIN;
    const h = await harness();
    const start = await call(h, { method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(start.status).toBe(202);
    const run = await waitForRun(h, (start.body as { runId: string }).runId);
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.jobs.map((j) => j.state)).toEqual(Array(7).fill('processed'));
    expect(run.rules.every((r) => r.state === 'installed')).toBe(true);
    // The stand-in refuses both to this user (403), so any call would have failed the run.
    expect(standin.requests.filter((r) => r.server === 'es' && (r.url === '/' || r.url.startsWith('/_license')))).toEqual([]);
    // The same user, asking Elasticsearch directly, is refused: the test user really lacks monitor.
    const direct = await fetch(`${standin.esUrl}/_license`, { headers: { authorization: USER } });
    expect(direct.status).toBe(403);
  });

  it('a basic licence from the licensing plugin is a 400 before anything is scheduled', async () => {
    const h = await harness({ license: { type: 'basic', status: 'active' } });
    const res = await call(h, { method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ attributes: { reason: 'license' } });
    expect(h.taskStore.tasks.size).toBe(0);
  });

  it('every job it creates (module setup of a module or a single job, ES API when module setup fails) is in the run space before its rules', async () => {
    const h = await harness();
    // 1. A whole module: ML's module setup makes the jobs and their saved objects.
    const whole = await call(h, { method: 'POST', path: `/s/analysts${ROUTES.runs}`, body: { ...SMALL, namespace: 'whole' } });
    expect(whole.status).toBe(202);
    const a = await waitForRun(h, (whole.body as { runId: string }).runId, 'analysts');
    expect(a.state).toBe('succeeded');
    // 2. A single job of another module (module setup with that job only).
    const single = await call(h, {
      method: 'POST',
      path: `/s/analysts${ROUTES.runs}`,
      body: { modules: ['packetbeat_rare_urls'], historyDays: 3, end: END, namespace: 'single' },
    });
    expect(single.status).toBe(202);
    const b = await waitForRun(h, (single.body as { runId: string }).runId, 'analysts');
    expect(b.errors).toEqual([]);
    expect(b.state).toBe('succeeded');
    // 3. Module setup refused: the module's jobs are made through the ES API instead.
    standin.faults.status('kibana:POST /internal/ml/modules/setup/*', 500, 1);
    const fallback = await call(h, {
      method: 'POST',
      path: `/s/analysts${ROUTES.runs}`,
      body: { modules: ['security_network'], historyDays: 3, end: END, namespace: 'fallback' },
    });
    expect(fallback.status).toBe(202);
    const c = await waitForRun(h, (fallback.body as { runId: string }).runId, 'analysts');
    expect(c.state).toBe('succeeded');

    const created = [...a.created.jobs, ...b.created.jobs, ...c.created.jobs];
    expect(b.created.jobs).toEqual(['packetbeat_rare_urls']);
    expect(c.created.jobs.length).toBeGreaterThan(0);
    for (const jobId of created) expect([jobId, h.jobVisible(jobId, 'analysts')]).toEqual([jobId, true]);
    // Not made visible anywhere else.
    for (const jobId of [...b.created.jobs, ...c.created.jobs]) expect(h.jobVisible(jobId, 'default')).toBe(false);
    // ES-API jobs got the object ML's own job creation makes, from the plugin, in that space only.
    for (const jobId of c.created.jobs) {
      expect(h.savedObjects.get('ml-job', `anomaly-detector-${jobId}`)).toEqual({
        type: 'ml-job',
        id: `anomaly-detector-${jobId}`,
        namespaces: ['analysts'],
        attributes: { job_id: jobId, datafeed_id: `datafeed-${jobId}`, type: 'anomaly-detector' },
      });
    }
    // When each ML rule was created, its jobs were already visible in the space.
    const rules = [...(h.alerting as MemoryAlerting).rules.get('analysts')!.values()];
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.map((r) => r.jobsMissingInSpace)).toEqual(rules.map(() => []));
  });

  it("the user's own jobs (custom module, ES API) get their ML saved objects in the run space (they have no rules)", async () => {
    const h = await harness();
    const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
    const customJobs = [
      { job: fixture('app_latency_high_mean_1h.json'), datafeed: fixture('datafeed_app_latency_high_mean_1h.json') },
      { job: fixture('rare_process_1h.json') },
    ];
    const res = await call(h, { method: 'POST', path: `/s/analysts${ROUTES.runs}`, body: { historyDays: 4, end: END, customJobs, namespace: 'own' } });
    expect(res.status).toBe(202);
    const run = await waitForRun(h, (res.body as { runId: string }).runId, 'analysts');
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.created.jobs).toEqual(['app_latency_high_mean_1h', 'rare_process_1h']);
    for (const jobId of run.created.jobs) {
      expect([jobId, h.jobVisible(jobId, 'analysts'), h.jobVisible(jobId, 'default')]).toEqual([jobId, true, false]);
      expect(h.savedObjects.get('ml-job', `anomaly-detector-${jobId}`)).toMatchObject({ namespaces: ['analysts'], attributes: { job_id: jobId } });
    }
  });

  it('runs as a Task Manager task with an API key: the user session expiring mid-run does not stop it', async () => {
    standin.faults.datafeedDuration(1500);
    const h = await harness();
    const start = await call(h, { method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(start.status).toBe(202);
    const { runId } = start.body as { runId: string };
    // The task carries an API key made for this user, not the user's own credentials.
    const [task] = [...h.taskStore.tasks.values()];
    expect(task).toMatchObject({ id: `ml-demo-data-run-${runId}`, taskType: 'ml-demo-data:run', userScope: { spaceId: 'default', grantedFor: USER } });
    expect(task.apiKey).toMatch(/^ApiKey /);
    expect(task.apiKey).not.toBe(USER);
    expect(JSON.stringify(task.params)).not.toContain(USER.split(' ')[1]);

    // The session ends (SAML/OIDC token expired): Elasticsearch refuses it from now on.
    front.expire(USER);
    const fresh = 'ApiKey dXNlcjpuZXctc2Vzc2lvbg==';
    const run = await waitForRun(h, runId, 'default', fresh);
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.jobs.every((j) => j.state === 'processed')).toBe(true);
    // Nothing of the run used the expired credentials; it used the task's key, which is invalidated at the end.
    expect(front.refused.filter((r) => r.authorization === USER)).toEqual([]);
    expect(front.seen.get(task.apiKey!)).toBeGreaterThan(10);
    await h.taskManager.idle();
    expect(h.taskStore.tasks.size).toBe(0);
    expect(h.taskStore.apiKeys.get(task.apiKey!)).toMatchObject({ invalidated: true });
    standin.faults.datafeedDuration(0);
  });

  it('Kibana restarts mid-run: Task Manager runs the task again on the next Kibana and the run resumes', async () => {
    const tasks = new TaskStore();
    let started = false;
    // Kibana #1 gets as far as indexing, then dies (its installer never returns).
    const first = await harness({
      taskStore: tasks,
      run: {
        ...FAST,
        runInstall: (_d, o, onProgress) =>
          new Promise<RunProgress>(() => {
            started = true;
            const t = new Date().toISOString();
            onProgress({
              runId: o.runId!,
              space: 'default',
              state: 'running',
              phase: 'index',
              startedAt: t,
              updatedAt: t,
              request: SMALL,
              notices: [],
              errors: [],
              docs: { planned: 0, generated: 0, indexed: 0, failed: 0 },
              dataStreams: [],
              jobs: [],
              rules: [],
              created: { dataStreams: ['logs-ml_demo.auth-default'], indexTemplates: [], jobs: [], datafeeds: [], rules: [] },
            });
          }),
      },
    });
    const start = await call(first, { method: 'POST', path: ROUTES.runs, body: SMALL });
    expect(start.status).toBe(202);
    const { runId } = start.body as { runId: string };
    for (let i = 0; i < 100 && !started; i++) await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(true);
    first.taskManager.stop();
    first.plugin.stop();
    expect(tasks.tasks.get(`ml-demo-data-run-${runId}`)).toMatchObject({ status: 'running', attempts: 1 });

    // Kibana #2 over the same Elasticsearch and task store: the task is claimed again and resumes.
    const second = await harness({ taskStore: tasks });
    const run = await waitForRun(second, runId);
    expect(run.errors).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(run.notices.join(' ')).toMatch(/Task Manager resumed it/);
    expect(front.docs.get(runId)).toMatchObject({ state: 'succeeded', executions: 2 });
    expect(standin.docCount('logs-ml_demo.auth-default')).toBe(run.docs.indexed);
  });

  it('Kibana restarts mid-run and the task is gone: the run is reported interrupted with the cleanup hint', async () => {
    let clock = Date.parse('2026-11-20T10:00:00Z');
    const tasks = new TaskStore();
    const first = await harness({ taskStore: tasks, run: { ...FAST, now: () => clock, runInstall: () => new Promise<RunProgress>(() => undefined) } });
    const start = await call(first, { method: 'POST', path: ROUTES.runs, body: SMALL });
    const { runId } = start.body as { runId: string };
    for (let i = 0; i < 100 && tasks.tasks.get(`ml-demo-data-run-${runId}`)?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    first.taskManager.stop();
    first.plugin.stop();
    // While the task exists, a stale run is waiting for Task Manager, not interrupted.
    clock += 60_000;
    const observer = await harness({ taskStore: new TaskStore(), run: { ...FAST, now: () => clock } });
    const asLive = await harness({ taskStore: tasks, run: { ...FAST, now: () => clock, runInstall: () => new Promise<RunProgress>(() => undefined) } });
    expect(((await call(asLive, { method: 'GET', path: ROUTES.run, params: { runId } })).body as RunProgress).state).toBe('running');
    asLive.taskManager.stop();
    asLive.plugin.stop();
    // The task failed its attempts / was removed: nothing will finish the run.
    tasks.tasks.clear();
    const latest = await call(observer, { method: 'GET', path: ROUTES.runs });
    const run = (latest.body as { run: RunProgress }).run;
    expect(run).toMatchObject({ runId, state: 'interrupted' });
    expect(run.cleanupHint).toMatch(/cleanup --namespace default/);
    expect(run.errors.join(' ')).toMatch(/Kibana stopped/);
  });
});
