/**
 * The page's "Keep it live" switch inside Kibana (issue 12), through the router harness against the
 * stand-in, with the plugin's clock moved by the test (live rounds are due every minute of it):
 * - turning it on schedules a recurring Task Manager task with an API key made for the user;
 * - each due run (a round) indexes the documents whose time has come; a second incident is planned,
 *   injected and recorded; a restarted Kibana claims the task and continues from the recorded session;
 * - turning it off removes the task (its key invalidated) and stops the datafeeds; cleanup removes
 *   the task and the whole demo;
 * - on a small simulated ML node the jobs run in waves, one wave per incident.
 */
import type { LiveStatus, RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { floorTo, HOUR, TICK } from '../generators/time';
import { readTemplateMeta } from '../installers/index_template';
import { liveTaskId } from '../live/live_task';
import { startStandin, type Standin } from '../../test/standin';
import { startRunsIndexFront, waitForRun, type HarnessCall, type RouteHarness, closeAll, inKibanaHarness } from '../../test/router_harness';
import { TaskStore } from '../../test/router_harness/fake_task_manager';
import type { HarnessOptions } from '../../test/router_harness/harness';
import type { RunsIndexFront } from '../../test/router_harness/runs_index_front';
import { Client } from '@elastic/elasticsearch';

const V = { 'elastic-api-version': API_VERSION };
const USER = 'ApiKey dXNlcjpzZXNzaW9u';
const STREAM = 'logs-ml_demo.auth-default';
const TASK = liveTaskId('default');

let standin: Standin;
let front: RunsIndexFront;
let clock: number;
const open: RouteHarness[] = [];

const harness = (options: Partial<HarnessOptions> = {}) =>
  inKibanaHarness(standin, front, open, {
    authorization: USER,
    run: { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 }, now: () => clock },
    ...options,
  });
const call = (h: RouteHarness, c: HarnessCall) => h.call({ ...c, headers: { ...V, ...c.headers } });

async function setUp(h: RouteHarness, end: string): Promise<RunProgress> {
  const start = await call(h, { method: 'POST', path: ROUTES.runs, body: { modules: ['security_auth'], historyDays: 3, end } });
  expect(start.status).toBe(202);
  const run = await waitForRun(h, (start.body as { runId: string }).runId, 'default', { authorization: USER });
  expect(run.state).toBe('succeeded');
  return run;
}

async function meta() {
  const es = new Client({ node: standin.esUrl, auth: { apiKey: 'dGVzdDp0ZXN0' } });
  try {
    return (await readTemplateMeta(es, 'default'))?.live;
  } finally {
    await es.close();
  }
}

beforeEach(async () => {
  clock = floorTo(Date.now(), TICK) - 6 * HOUR;
});
afterEach(() => closeAll(open, front, standin));

describe('Keep it live (Task Manager task)', () => {
  it('schedules a recurring task with an API key; rounds index documents and a second incident; a restart resumes; stop and cleanup remove the task', async () => {
    standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0', keepDocs: 2_000_000 });
    front = await startRunsIndexFront(standin);
    const tasks = new TaskStore();
    const first = await harness({ taskStore: tasks });
    const end = new Date(clock).toISOString();
    const run = await setUp(first, end);
    const setupDocs = standin.docCount(STREAM);
    expect(setupDocs).toBe(run.docs.indexed);

    // Bad input: one sentence naming the field, nothing scheduled.
    const bad = await call(first, { method: 'POST', path: ROUTES.live, body: { namespace: 'default', incidentEvery: '10m' } });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^\[request body\]: incidentEvery: must be a duration like 6h/);
    expect((await call(first, { method: 'POST', path: ROUTES.live, body: { namespace: 'other' } })).status).toBe(400);
    expect(tasks.tasks.size).toBe(0);

    // On: a recurring task carrying an API key made for this user, not the user's credentials.
    clock += 5 * 60_000;
    const on = await call(first, { method: 'POST', path: ROUTES.live, body: { namespace: 'default', incidentEvery: '1h' } });
    expect(on.status).toBe(202);
    expect(on.body).toMatchObject({ namespace: 'default', on: true, incidentEvery: '1h' });
    const task = tasks.tasks.get(TASK)!;
    expect(task).toMatchObject({ taskType: 'ml-demo-data:live', schedule: { interval: '1m' }, userScope: { spaceId: 'default', grantedFor: USER } });
    expect(task.apiKey).toMatch(/^ApiKey /);
    expect(task.apiKey).not.toBe(USER);
    expect(JSON.stringify(task.params)).not.toContain(USER.split(' ')[1]);
    expect((await call(first, { method: 'POST', path: ROUTES.live, body: { namespace: 'default' } })).status).toBe(409);

    // Round 1: catches up from the setup's end to now and starts the datafeeds in real time.
    await first.taskManager.runDue();
    expect(tasks.tasks.get(TASK)).toMatchObject({ status: 'idle', state: { started: true, rounds: 1 }, runAt: clock + 60_000 });
    const afterFirst = standin.docCount(STREAM);
    expect(afterFirst).toBeGreaterThan(setupDocs);
    expect([...standin.state.datafeeds.values()].every((d) => d.state === 'started')).toBe(true);
    // Not due again before its minute is up.
    await first.taskManager.runDue();
    expect(tasks.tasks.get(TASK)!.state).toMatchObject({ rounds: 1 });

    // Ticks: each due round indexes the documents whose time has come.
    const counts = [afterFirst];
    for (let i = 0; i < 6; i++) {
      clock += 25 * 60_000;
      await first.taskManager.runDue();
      counts.push(standin.docCount(STREAM));
    }
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
    expect(tasks.tasks.get(TASK)!.state).toMatchObject({ rounds: 7 });
    // Every request of the rounds used the task's key.
    expect(front.seen.get(task.apiKey!)).toBeGreaterThan(10);

    // A second incident was planned, verified, injected inside its bucket, and recorded.
    const live = (await meta())!;
    expect(live.incidents.length).toBeGreaterThanOrEqual(2);
    const two = live.incidents[1];
    expect(Date.parse(two.end)).toBe(Date.parse(end) + 2 * HOUR);
    expect(live.indexedUntil).toBeGreaterThanOrEqual(Date.parse(two.end));
    expect(two.injected).toBeGreaterThan(0);
    const rareUser = two.jobs.find((j) => j.jobId === 'auth_rare_user')!;
    const user = /user.name "([^"]+)"/.exec(rareUser.description)![1];
    const hits = (standin.state.dataStreams.get(STREAM)!.docs as { '@timestamp': string; user?: { name?: string } }[]).filter((d) => d.user?.name === user);
    expect(hits.length).toBeGreaterThan(0);
    for (const d of hits) expect(floorTo(Date.parse(d['@timestamp']), TICK)).toBe(Date.parse(rareUser.bucketStart));
    const status = await call(first, { method: 'GET', path: ROUTES.live, query: { namespace: 'default' } });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ on: true, rounds: 7, session: { incidents: live.incidents.length } });

    // Kibana restarts: another Kibana over the same task store claims the task and goes on.
    first.taskManager.stop();
    first.plugin.stop();
    const second = await harness({ taskStore: tasks });
    clock += 20 * 60_000;
    const beforeRestartRound = standin.docCount(STREAM);
    await second.taskManager.runDue();
    expect(tasks.tasks.get(TASK)).toMatchObject({ state: { started: true, rounds: 8 }, apiKey: task.apiKey });
    expect(standin.docCount(STREAM)).toBeGreaterThan(beforeRestartRound);
    const ids = standin.state.dataStreams.get(STREAM)!;
    expect(ids.ids.size).toBe(ids.docCount);

    // Off: the task is gone, its key invalidated, the datafeeds stopped; the session stays recorded.
    const off = await call(second, { method: 'POST', path: ROUTES.liveStop, body: { namespace: 'default' } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ on: false, session: { incidents: live.incidents.length } });
    expect(tasks.tasks.has(TASK)).toBe(false);
    expect(tasks.apiKeys.get(task.apiKey!)).toMatchObject({ invalidated: true });
    expect([...standin.state.datafeeds.values()].every((d) => d.state === 'stopped')).toBe(true);
    expect(((await call(second, { method: 'GET', path: ROUTES.live, query: { namespace: 'default' } })).body as LiveStatus).on).toBe(false);

    // On again (resumes the recorded session), then cleanup removes the task and everything else.
    expect((await call(second, { method: 'POST', path: ROUTES.live, body: { namespace: 'default', incidentEvery: '1h' } })).status).toBe(202);
    clock += 60_000;
    await second.taskManager.runDue();
    expect((await meta())!.incidents.length).toBeGreaterThanOrEqual(live.incidents.length);
    const cleanup = await call(second, { method: 'POST', path: ROUTES.cleanup, body: { namespace: 'default' } });
    expect(cleanup.status).toBe(200);
    expect(cleanup.body).toMatchObject({ tasks: [TASK], errors: [] });
    expect(tasks.tasks.size).toBe(0);
    expect(standin.state.dataStreams.size).toBe(0);
    expect(standin.state.jobs.size).toBe(0);
    expect(standin.state.datafeeds.size).toBe(0);
    expect(standin.state.indexTemplates.has('ml-demo-data-default')).toBe(false);
  }, 300_000);

  it('a small ML node: live mode runs the jobs in waves, one wave per incident, and says so', async () => {
    standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0', mlNodeMemory: '150mb' });
    front = await startRunsIndexFront(standin);
    const h = await harness();
    await setUp(h, new Date(clock).toISOString());
    clock += 60_000;
    expect((await call(h, { method: 'POST', path: ROUTES.live, body: { namespace: 'default', incidentEvery: '1h' } })).status).toBe(202);
    await h.taskManager.runDue();
    const live = (await meta())!;
    expect(live.waves!.length).toBeGreaterThan(1);
    expect(live.waves!.flat().sort()).toEqual([...standin.state.jobs.keys()].sort());
    expect(live.memory).toMatch(/runs them in \d+ waves, one per incident/);
    const openJobs = () =>
      [...standin.state.jobs.values()]
        .filter((j) => j.state === 'opened')
        .map((j) => j.id)
        .sort();
    expect(openJobs()).toEqual([...live.waves![0]].sort());
    // Once the first incident has been processed the next wave takes over.
    clock += 2 * HOUR;
    await h.taskManager.runDue();
    const after = (await meta())!;
    expect(after.wave).toBe(1);
    expect(openJobs()).toEqual([...after.waves![1]].sort());
    expect(after.incidents[1].wave).toBe(1);
    const status = (await call(h, { method: 'GET', path: ROUTES.live, query: { namespace: 'default' } })).body as LiveStatus;
    expect(status.session).toMatchObject({ waves: after.waves!.length, wave: 2 });
    expect((await call(h, { method: 'POST', path: ROUTES.cleanup, body: { namespace: 'default' } })).status).toBe(200);
  }, 300_000);
});
