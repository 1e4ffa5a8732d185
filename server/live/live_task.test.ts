/**
 * The live task's state versions (live_task.ts `stateSchemaByVersion`), as Task Manager's
 * task_validator.ts applies them (test/router_harness/fake_task_manager.ts mirrors it): a state
 * stored before versions, or an empty one, is brought to version 1; a state written must be
 * version 1 exactly.
 */
import { TaskStore, fakeTaskManager } from '../../test/router_harness/fake_task_manager';
import type { KibanaRequest } from '../kibana_shim';
import { LIVE_TASK_TYPE, liveTaskDefinitions, liveTaskStateSchemaByVersion, type LiveTaskParams, type LiveTaskState } from './live_task';

const v1 = liveTaskStateSchemaByVersion[1];

describe('live task state, version 1', () => {
  it('an empty state (a task just scheduled, or stored before versions) is a valid version 1 state', () => {
    expect(v1.up({})).toEqual({});
    expect(v1.schema.validate(v1.up({}))).toEqual({});
  });

  it('a state stored before versions keeps its fields of the right type and loses the rest', () => {
    const old = { started: true, rounds: 12, lastRoundAt: '2026-12-01T10:00:00.000Z', error: 'x', legacyCursor: 5, wave: 'two' };
    expect(v1.up(old)).toEqual({ started: true, rounds: 12, lastRoundAt: '2026-12-01T10:00:00.000Z', error: 'x' });
    expect(v1.up({ rounds: '12', started: 'yes' })).toEqual({});
  });

  it('the schema Task Manager writes with forbids unknown keys and wrong types, in config-schema’s words', () => {
    const forbid = v1.schema.extendsDeep({ unknowns: 'forbid' });
    expect(() => forbid.validate({ rounds: 1, cursor: 2 })).toThrow('[cursor]: definition for this key is missing');
    expect(() => forbid.validate({ rounds: '1' })).toThrow('[rounds]: expected value of type [number] but got [string]');
    expect(v1.schema.extendsDeep({ unknowns: 'ignore' }).validate({ rounds: 1, cursor: 2 })).toEqual({ rounds: 1 });
  });
});

describe('through Task Manager', () => {
  it('a task stored without a state version runs with its state upgraded, and is stored again as version 1', async () => {
    const store = new TaskStore();
    const seen: LiveTaskState[] = [];
    const tm = fakeTaskManager({ store, spaceOf: () => 'default', placeInSpace: () => undefined, now: () => Date.parse('2026-12-02T00:00:00Z') });
    tm.setup.registerTaskDefinitions(
      liveTaskDefinitions(async (_params, state) => {
        seen.push(state);
        return { state: { ...state, rounds: (state.rounds ?? 0) + 1 } };
      }),
    );
    const params: LiveTaskParams = {
      space: 'default',
      namespace: 'default',
      incidentEveryMs: 6 * 3600_000,
      base: { modules: ['security_auth'], end: '2026-12-01T00:00:00Z' },
    };
    const scheduled = await tm.start.schedule({
      id: 'live',
      taskType: LIVE_TASK_TYPE,
      params: params as unknown as Record<string, unknown>,
      state: {},
      schedule: { interval: '1m' },
    });
    expect(scheduled.stateVersion).toBe(1);
    // As an older build of the plugin left it: no stateVersion, a field that build kept.
    Object.assign(store.tasks.get('live')!, { state: { started: true, rounds: 7, cursor: 'old' }, stateVersion: undefined, apiKey: 'ApiKey a2V5OnNlY3JldA==' });
    store.apiKeys.set('ApiKey a2V5OnNlY3JldA==', { grantedFor: 'user', invalidated: false });
    tm.begin();
    await tm.runDue();
    await tm.idle();
    expect(seen).toEqual([{ started: true, rounds: 7 }]);
    expect(store.tasks.get('live')).toMatchObject({ state: { started: true, rounds: 8 }, stateVersion: 1 });
    tm.stop();
  });

  it('a run whose state is not version 1 fails (retried up to maxAttempts), its bad state never stored', async () => {
    const store = new TaskStore();
    const tm = fakeTaskManager({ store, spaceOf: () => 'default', placeInSpace: (r: KibanaRequest) => void r });
    tm.setup.registerTaskDefinitions(liveTaskDefinitions(async () => ({ state: { rounds: 1, cursor: 3 } as LiveTaskState })));
    await tm.start.schedule(
      { id: 'live', taskType: LIVE_TASK_TYPE, params: { namespace: 'default' }, state: {}, schedule: { interval: '1m' } },
      { request: { headers: { authorization: 'Basic dTpw' } } as unknown as KibanaRequest },
    );
    tm.begin();
    await tm.runDue();
    await tm.idle();
    expect(store.tasks.get('live')).toMatchObject({ state: {}, stateVersion: 1, status: 'failed', attempts: 3 });
    tm.stop();
  });
});
