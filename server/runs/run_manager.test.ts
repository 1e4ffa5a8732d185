/**
 * RunManager on its own: one run per space, throttled persistence, preflight refusals, cancel,
 * restart recovery (a new manager over the same store), and a store that cannot be written.
 * The EsRunStore is also exercised against the stand-in (through the runs-index front).
 */
import { Client } from '@elastic/elasticsearch';
import type { RunProgress, StartRunRequest } from '../../common/api';
import { InstallError } from '../installers/errors';
import type { EsClient, InstallOptions, ProgressListener } from '../installers/types';
import { startStandin } from '../../test/standin';
import { startRunsIndexFront } from '../../test/router_harness';
import { memoryLogger, type LogLine } from '../../test/router_harness/fake_plugins';
import { RunManager, type RunInstallFn, type RunManagerOptions } from './run_manager';
import { EsRunStore, type RunStore, type StoredRun } from './run_store';

const es = {} as EsClient; // never used: the store is in memory
const REQUEST: StartRunRequest = { modules: ['security_auth'], historyDays: 3, namespace: 'default' };

class MemoryStore implements RunStore {
  readonly docs = new Map<string, StoredRun>();
  saves = 0;
  fail?: Error;
  async save(doc: StoredRun) {
    if (this.fail) throw this.fail;
    this.saves++;
    this.docs.set(doc.runId, structuredClone(doc));
  }
  async get(runId: string) {
    return structuredClone(this.docs.get(runId));
  }
  async recent(space: string, size: number, state?: string) {
    return [...this.docs.values()].filter((d) => d.space === space && (!state || d.state === state)).sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, size);
  }
}

function progress(runId: string, patch: Partial<RunProgress> = {}): RunProgress {
  const t = new Date().toISOString();
  return {
    runId, space: 'default', state: 'running', phase: 'plan', startedAt: t, updatedAt: t, request: REQUEST, docs: { planned: 10, generated: 0, indexed: 0, failed: 0 },
    dataStreams: [], jobs: [], rules: [], notices: [], errors: [], created: { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [] }, ...patch,
  };
}

/** An installer that passes preflight, then waits for `release` or the abort signal. */
function controllable() {
  let release: (state?: RunProgress['state']) => void = () => undefined;
  let calls = 0;
  const runInstall: RunInstallFn = (_deps, options: InstallOptions, onProgress: ProgressListener, signal?: AbortSignal) =>
    new Promise<RunProgress>((resolve) => {
      calls++;
      onProgress(progress(options.runId!, { phase: 'preflight' }));
      onProgress(progress(options.runId!, { phase: 'index' }));
      const end = (state: RunProgress['state'] = 'succeeded') => resolve(progress(options.runId!, { state, phase: 'done' }));
      release = end;
      signal?.addEventListener('abort', () => end('cancelled'));
    });
  return { runInstall, release: (s?: RunProgress['state']) => release(s), calls: () => calls };
}

const managers: RunManager[] = [];
function manager(store: RunStore, options: Partial<RunManagerOptions> = {}, logs: LogLine[] = []): RunManager {
  const m = new RunManager({ logger: memoryLogger(logs), storeFor: () => store, ...options });
  managers.push(m);
  return m;
}
afterEach(() => managers.splice(0).forEach((m) => m.stop()));

const start = (m: RunManager, space = 'default', notices: string[] = []) => m.start({ space, request: REQUEST, options: { modules: REQUEST.modules! }, deps: { es }, notices });

describe('RunManager', () => {
  it('one active run per space: a second start is a conflict naming the first; other spaces run', async () => {
    const store = new MemoryStore();
    const inst = controllable();
    const m = manager(store, { runInstall: inst.runInstall });
    const [a, b] = await Promise.all([start(m), start(m)]);
    const first = a.kind === 'started' ? a : b;
    const second = a.kind === 'started' ? b : a;
    expect(first.kind).toBe('started');
    expect(second).toEqual({ kind: 'conflict', runId: first.runId, scope: 'space' });
    // Another space may run, but not into the namespace being written (cluster-wide data).
    expect(await start(m, 'other')).toEqual({ kind: 'conflict', runId: first.runId, scope: 'namespace' });
    const other = await m.start({ space: 'other', request: { ...REQUEST, namespace: 'other' }, options: { modules: REQUEST.modules!, namespace: 'other' }, deps: { es } });
    expect(other.kind).toBe('started');
    expect(inst.calls()).toBe(2);
    // Simultaneous starts of two spaces into one namespace: one runs, one is told which run writes it.
    const [x, y] = await Promise.all([start(m, 'x-space'), start(m, 'y-space')]);
    expect([x.kind, y.kind]).toEqual(['conflict', 'conflict']); // 'default' is still being written by the first run
    await m.cancel(first.runId, 'default', es);
    await m.whenSettled(first.runId);
    const [p, q] = await Promise.all([start(m, 'x-space'), start(m, 'y-space')]);
    expect([p.kind, q.kind].sort()).toEqual(['conflict', 'started']);
    expect([p, q].find((o) => o.kind === 'conflict')).toMatchObject({ scope: 'namespace' });
  });

  it('persists at most every interval, and at once on state changes', async () => {
    const store = new MemoryStore();
    const runInstall: RunInstallFn = async (_d, options, onProgress) => {
      for (let i = 0; i < 500; i++) onProgress(progress(options.runId!, { docs: { planned: 500, generated: i, indexed: i, failed: 0 } }));
      return progress(options.runId!, { state: 'succeeded', phase: 'done', docs: { planned: 500, generated: 500, indexed: 500, failed: 0 } });
    };
    const m = manager(store, { runInstall, persistEveryMs: 60_000 });
    const s = await start(m);
    const final = await m.whenSettled(s.runId);
    expect(final!.state).toBe('succeeded');
    // The first snapshot, then the final state: not 500 writes.
    expect(store.saves).toBeLessThanOrEqual(3);
    expect(store.docs.get(s.runId)).toMatchObject({ state: 'succeeded', space: 'default', owner: m.owner });
    expect(store.docs.get(s.runId)!.progress.docs.indexed).toBe(500);
  });

  it('a preflight refusal is the start outcome (the route answers its status); the space stays free', async () => {
    const store = new MemoryStore();
    const m = manager(store, {
      runInstall: async () => {
        throw new InstallError('User demo is missing cluster privilege "manage_ml".', 403, 'missing_privilege');
      },
    });
    const s = await start(m);
    expect(s.kind).toBe('rejected');
    expect((s as { error: InstallError }).error.statusCode).toBe(403);
    await m.whenSettled(s.runId);
    expect(store.docs.get(s.runId)).toMatchObject({ state: 'failed' });
    expect(m.activeRun('default')).toBeUndefined();
  });

  it('cancel aborts the installer; the run ends cancelled with a cleanup hint', async () => {
    const store = new MemoryStore();
    const inst = controllable();
    const m = manager(store, { runInstall: inst.runInstall });
    const s = await start(m);
    const c = await m.cancel(s.runId, 'default', es);
    expect(c.kind).toBe('cancelling');
    const final = await m.whenSettled(s.runId);
    expect(final).toMatchObject({ state: 'cancelled' });
    expect(final!.cleanupHint).toMatch(/--namespace default/);
    expect(final!.notices.join(' ')).toMatch(/Cancellation requested/);
    expect(store.docs.get(s.runId)).toMatchObject({ state: 'cancelled' });
    expect((await m.cancel(s.runId, 'default', es)).kind).toBe('finished');
    expect((await m.cancel(s.runId, 'elsewhere', es)).kind).toBe('not_found');
  });

  it('restart: a new manager over the same store reports a stale running run as interrupted', async () => {
    const store = new MemoryStore();
    let clock = Date.parse('2026-11-20T10:00:00Z');
    // Kibana #1 crashes mid-run: its installer never returns and it writes no more heartbeats.
    const hang: RunInstallFn = (_d, o, onProgress) => new Promise(() => onProgress(progress(o.runId!, { phase: 'index' })));
    const old = manager(store, { runInstall: hang, now: () => clock, heartbeatMs: 1e9 });
    const s = await start(old);
    expect(store.docs.get(s.runId)).toMatchObject({ state: 'running', owner: old.owner });

    // Seconds later another Kibana sees a live run elsewhere and will not start a second one.
    clock += 5_000;
    const peer = manager(store, { runInstall: controllable().runInstall, now: () => clock });
    expect((await peer.get(s.runId, 'default', es))!.state).toBe('running');
    expect(await start(peer)).toEqual({ kind: 'conflict', runId: s.runId, scope: 'space' });

    // A minute later the heartbeat is stale: the restarted Kibana says interrupted, and runs again.
    clock += 60_000;
    const restarted = manager(store, { runInstall: controllable().runInstall, now: () => clock });
    const seen = await restarted.latest('default', es);
    expect(seen).toMatchObject({ runId: s.runId, state: 'interrupted' });
    expect(seen!.cleanupHint).toMatch(/--namespace default/);
    expect(store.docs.get(s.runId)).toMatchObject({ state: 'interrupted' });
    expect((await restarted.get(s.runId, 'default', es))!.state).toBe('interrupted');
    expect((await start(restarted)).kind).toBe('started');
  });

  it('a task Task Manager runs again says it resumed, even when the stopped Kibana never recorded its execution', async () => {
    // The record as the route left it (no execution recorded): Kibana #1 died before its first save.
    const store = new MemoryStore();
    const stored = progress('run-1', { phase: 'index' });
    const asTheRouteLeftIt = () =>
      store.save({ runId: 'run-1', space: 'default', state: 'running', startedAt: stored.startedAt, updatedAt: stored.updatedAt, heartbeatAt: stored.updatedAt, owner: 'kibana-1', progress: stored });
    await asTheRouteLeftIt();
    const execute = async (attempt: number) => {
      const m = manager(store, { runInstall: async (_d, o) => progress(o.runId!, { state: 'succeeded', phase: 'done' }) });
      return m.execute({ runId: 'run-1', space: 'default', request: REQUEST, options: { modules: REQUEST.modules! }, deps: { es }, attempt });
    };
    const first = await execute(1);
    expect(first.notices.join(' ')).not.toMatch(/resumed/);
    await asTheRouteLeftIt();
    const retried = await execute(2);
    expect(retried.notices.join(' ')).toMatch(/Task Manager resumed it/);
  });

  it('a store that cannot be written does not stop the run; the run says so', async () => {
    const store = new MemoryStore();
    store.fail = Object.assign(new Error('security_exception'), { meta: { statusCode: 403, body: { error: { type: 'security_exception', reason: 'action [indices:admin/create] is unauthorized' } } } });
    const logs: LogLine[] = [];
    const inst = controllable();
    const m = manager(store, { runInstall: inst.runInstall }, logs);
    const s = await start(m);
    inst.release();
    const final = await m.whenSettled(s.runId);
    expect(final!.state).toBe('succeeded');
    expect(final!.notices.join(' ')).toMatch(/Progress is not saved in Elasticsearch .*403/);
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
    expect(await m.latest('default', es)).toMatchObject({ runId: s.runId });
  });

  it('a bug in the installer ends the run failed and is logged as an error', async () => {
    const store = new MemoryStore();
    const logs: LogLine[] = [];
    const runInstall: RunInstallFn = async (_d, o, onProgress) => {
      onProgress(progress(o.runId!, { phase: 'index' }));
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    };
    const m = manager(store, { runInstall }, logs);
    const s = await start(m);
    expect(s.kind).toBe('started');
    const final = await m.whenSettled(s.runId);
    expect(final).toMatchObject({ state: 'failed' });
    expect(final!.cleanupHint).toBeDefined();
    expect(logs.some((l) => l.level === 'error' && /TypeError/.test(l.message))).toBe(true);
  });
});

describe('EsRunStore against the stand-in', () => {
  it('creates the index, saves, gets and finds runs; every request passes the contract', async () => {
    const standin = await startStandin();
    const front = await startRunsIndexFront(standin);
    const client = new Client({ node: front.url, auth: { apiKey: 'dGVzdDp0ZXN0' } });
    try {
      const store = new EsRunStore(client);
      const doc = (runId: string, startedAt: string, state: RunProgress['state']): StoredRun => ({
        runId, space: 'default', state, startedAt, updatedAt: startedAt, heartbeatAt: startedAt, owner: 'me', progress: progress(runId, { startedAt, state }),
      });
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.recent('default', 1)).toEqual([]);
      await store.save(doc('a', '2026-01-01T00:00:00.000Z', 'succeeded'), true);
      await store.save(doc('b', '2026-01-02T00:00:00.000Z', 'running'), false);
      await new EsRunStore(client).save(doc('c', '2026-01-03T00:00:00.000Z', 'failed'), true); // index exists already
      expect((await store.get('a'))!.progress.state).toBe('succeeded');
      expect((await store.recent('default', 1))[0].runId).toBe('c');
      expect((await store.recent('default', 5, 'running')).map((d) => d.runId)).toEqual(['b']);
      expect(await store.recent('other', 5)).toEqual([]);
    } finally {
      await client.close();
      await front.close();
      await standin.close();
    }
    standin.assertNoViolations();
  });
});
