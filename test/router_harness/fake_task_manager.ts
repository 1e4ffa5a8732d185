/**
 * Task Manager for the harness, over a TaskStore that outlives a harness (as .kibana_task_manager
 * outlives a Kibana process), following x-pack/platform/plugins/shared/task_manager/server:
 * - `schedule(task, { request })` creates an API key for the request's user and stores it with the
 *   task, with the request's space (task_scheduling.ts, task.ts `ApiKeyOptions`, `userScope.spaceId`);
 *   scheduling an id that exists is a 409;
 * - a claimed task is `running`, `attempts + 1`, owned by this instance; the runner gets
 *   `{ taskInstance, fakeRequest }` with `Authorization: ApiKey <key>` in the task's space;
 * - a run that resolves deletes a one-shot task and invalidates its API key; a recurring task
 *   (`schedule.interval`, or a run result's `runAt`) keeps its key, gets the result's `state` and
 *   runs again at `runAt`, or `interval` after this run (task_runner.ts `processResultForRecurringTask`);
 *   `shouldDeleteTask` deletes it; a run that throws is retried until `maxAttempts`, then `failed`;
 * - `removeIfExists` deletes the task (a run in flight finishes but is not recorded) and
 *   invalidates its key; only `idle`, enabled tasks whose `runAt` has come are claimed;
 * - a task left `running` by an instance that stopped is claimed again by a live one. Real Task
 *   Manager waits for the task's retryAt (its timeout) first; here it is claimed at once.
 * - a task type with `stateSchemaByVersion` has its state versioned as task_validator.ts does it:
 *   read (a run's `taskInstance`, `get`) through each version's `up` from the stored `stateVersion`
 *   (1 when none) to the latest, each result validated, then the latest schema with unknown keys
 *   ignored (a state that fails is passed on as stored: `allow_reading_invalid_state` defaults to
 *   true); written (schedule, a run's result) against the latest schema with unknown keys
 *   forbidden, stored with its version;
 * Polling is event-driven (schedule, start, end of a run, `runDue`) instead of every 3 s, plus every
 * `pollIntervalMs` when given (the dev host); time is `now()` (tests move it).
 */
import { randomUUID } from 'node:crypto';
import type { ConcreteTaskInstance, KibanaRequest, TaskDefinition, TaskManagerSetupContract, TaskManagerStartContract } from '../../server/kibana_shim';

export interface StoredTask extends Omit<ConcreteTaskInstance, 'runAt'> {
  /** Due time (ms). */
  runAt?: number;
  apiKey?: string;
  userScope?: { spaceId: string; grantedFor: string };
  ownerId?: string;
}

/** What Task Manager keeps in Elasticsearch, shared by the harnesses of one test ("Kibana restarts"). */
export class TaskStore {
  readonly tasks = new Map<string, StoredTask>();
  /** Task Manager instances by id: alive or stopped. */
  readonly owners = new Map<string, boolean>();
  /** API keys created for tasks, by `Authorization` value, and those invalidated. */
  readonly apiKeys = new Map<string, { grantedFor: string; invalidated: boolean }>();
}

export interface FakeTaskManagerOptions {
  store: TaskStore;
  spaceOf(request: KibanaRequest): string;
  /** Makes a fake request resolve to a space (the harness's spaces plugin). */
  placeInSpace(request: KibanaRequest, space: string): void;
  /** Told when an API key is invalidated (the harness's Elasticsearch then refuses it). */
  onInvalidate?(authorization: string): void;
  /** Task Manager's clock (default Date.now). */
  now?: () => number;
  /** Also poll on a timer (the dev host; real Task Manager polls every 3 s). */
  pollIntervalMs?: number;
}

export interface FakeTaskManager {
  setup: TaskManagerSetupContract;
  start: TaskManagerStartContract;
  /** Starts claiming (Kibana start). */
  begin(): void;
  /** This Kibana stops: nothing more is claimed or finished by it. */
  stop(): void;
  /** Resolves when no task of this instance is running. */
  idle(): Promise<void>;
  /** Claims the tasks due now and waits for them (a poll cycle of real Task Manager). */
  runDue(): Promise<void>;
}

const copy = <T>(x: T): T => structuredClone(x);
const INTERVAL = /^(\d+)(s|m|h|d)$/;
const intervalMs = (interval: string) => {
  const m = INTERVAL.exec(interval);
  if (!m) throw new Error(`Invalid interval "${interval}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
};
const latestState = (def: TaskDefinition | undefined) => {
  const versions = Object.keys(def?.stateSchemaByVersion ?? {}).map(Number);
  return versions.length ? { version: Math.max(...versions), ...def!.stateSchemaByVersion![Math.max(...versions)] } : undefined;
};
/** task_validator.ts getValidatedTaskInstanceFromReading (migrateTaskState, then the latest schema, unknowns ignored). */
export function readTaskState(state: Record<string, unknown>, stateVersion: number | undefined, def: TaskDefinition | undefined): Record<string, unknown> {
  const latest = latestState(def);
  if (!latest) return state;
  try {
    let migrated = state;
    if (!(stateVersion && stateVersion >= latest.version))
      for (let i = stateVersion || 1; i <= latest.version; i++) {
        const step = def!.stateSchemaByVersion![i];
        if (!step) throw new Error(`[TaskValidator] state schema for ${def!.title} missing version: ${i}`);
        migrated = step.up(migrated);
        step.schema.validate(migrated);
      }
    return latest.schema.extendsDeep({ unknowns: 'ignore' }).validate(migrated);
  } catch {
    return state;
  }
}
/** task_validator.ts getValidatedTaskInstanceForUpdating: the latest schema, unknown keys forbidden, and its version. */
export function writeTaskState(state: Record<string, unknown>, def: TaskDefinition | undefined): { state: Record<string, unknown>; stateVersion?: number } {
  const latest = latestState(def);
  return latest ? { state: latest.schema.extendsDeep({ unknowns: 'forbid' }).validate(state), stateVersion: latest.version } : { state };
}

const toInstanceOf =
  (definitions: Map<string, TaskDefinition>) =>
  (task: StoredTask): ConcreteTaskInstance => {
    const { apiKey: _k, userScope: _u, ownerId: _o, runAt, ...rest } = copy(task);
    return {
      ...rest,
      state: readTaskState(rest.state, rest.stateVersion, definitions.get(task.taskType)),
      ...(runAt !== undefined ? { runAt: new Date(runAt) } : {}),
    };
  };

export function fakeTaskManager(o: FakeTaskManagerOptions): FakeTaskManager {
  const id = randomUUID();
  const definitions = new Map<string, TaskDefinition>();
  const toInstance = toInstanceOf(definitions);
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const now = o.now ?? Date.now;
  o.store.owners.set(id, true);
  const due = (t: StoredTask) => t.status === 'idle' && t.enabled !== false && (t.runAt ?? -Infinity) <= now() && definitions.has(t.taskType);
  const invalidate = (task: StoredTask) => {
    if (!task.apiKey) return;
    o.store.apiKeys.get(task.apiKey)!.invalidated = true;
    o.onInvalidate?.(task.apiKey);
  };

  const kick = () => {
    if (started && !stopped) setImmediate(poll);
  };

  function poll() {
    if (stopped) return;
    for (const task of o.store.tasks.values()) {
      const def = definitions.get(task.taskType);
      const orphaned = task.status === 'running' && task.ownerId !== undefined && o.store.owners.get(task.ownerId) === false;
      if (!def || !(due(task) || orphaned)) continue;
      if (task.attempts >= (def.maxAttempts ?? 3)) {
        task.status = 'failed';
        continue;
      }
      task.status = 'running';
      task.attempts += 1;
      task.ownerId = id;
      const p = run(task, def).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }

  async function run(task: StoredTask, def: TaskDefinition) {
    let fakeRequest: KibanaRequest | undefined;
    if (task.apiKey) {
      fakeRequest = {
        id: randomUUID(),
        url: new URL('http://localhost/'),
        headers: { authorization: task.apiKey },
        isInternalApiRequest: true,
        route: { path: '/', method: 'get', options: {} },
        params: undefined,
        query: undefined,
        body: undefined,
      };
      o.placeInSpace(fakeRequest, task.userScope?.spaceId ?? 'default');
    }
    try {
      const result = await def.createTaskRunner({ taskInstance: toInstance(task), fakeRequest }).run();
      if (stopped) return; // this Kibana died before it could record the end
      if (o.store.tasks.get(task.id) !== task) return; // removed meanwhile (its key was invalidated then)
      const next =
        result && !result.shouldDeleteTask
          ? (result.runAt?.getTime() ?? (task.schedule ? now() + intervalMs(result.schedule?.interval ?? task.schedule.interval) : undefined))
          : undefined;
      if (next !== undefined) {
        Object.assign(task, {
          ...writeTaskState(copy(result!.state), def),
          status: 'idle',
          attempts: 0,
          runAt: next,
          ...(result!.schedule ? { schedule: result!.schedule } : {}),
        });
      } else {
        o.store.tasks.delete(task.id);
        invalidate(task);
      }
    } catch {
      if (stopped || o.store.tasks.get(task.id) !== task) return;
      task.status = task.attempts >= (def.maxAttempts ?? 3) ? 'failed' : 'idle';
    }
    kick();
  }

  const setup: TaskManagerSetupContract = {
    registerTaskDefinitions(defs) {
      for (const [type, def] of Object.entries(defs)) {
        if (definitions.has(type)) throw new Error(`Task type "${type}" is already defined!`);
        definitions.set(type, def);
      }
    },
  };

  const start: TaskManagerStartContract = {
    async schedule(task, options) {
      const taskId = task.id ?? randomUUID();
      if (o.store.tasks.has(taskId)) throw Object.assign(new Error(`Saved object [task/${taskId}] conflict`), { statusCode: 409 });
      let apiKey: string | undefined;
      let userScope: StoredTask['userScope'];
      if (options?.request) {
        const grantedFor = String(options.request.headers.authorization ?? '');
        if (!grantedFor) throw Object.assign(new Error('Unable to create an API key: the request has no credentials'), { statusCode: 401 });
        apiKey = `ApiKey ${Buffer.from(`${randomUUID()}:${randomUUID()}`).toString('base64')}`;
        o.store.apiKeys.set(apiKey, { grantedFor, invalidated: false });
        userScope = { spaceId: o.spaceOf(options.request), grantedFor };
      }
      const stored: StoredTask = {
        id: taskId,
        taskType: task.taskType,
        params: copy(task.params),
        ...writeTaskState(copy(task.state), definitions.get(task.taskType)),
        attempts: 0,
        status: 'idle',
        enabled: true,
        apiKey,
        userScope,
        ...(task.schedule ? { schedule: copy(task.schedule) } : {}),
        runAt: task.runAt?.getTime() ?? now(),
      };
      o.store.tasks.set(taskId, stored);
      kick();
      return toInstance(stored);
    },
    async get(taskId) {
      const task = o.store.tasks.get(taskId);
      if (!task) throw Object.assign(new Error(`Saved object [task/${taskId}] not found`), { statusCode: 404 });
      return toInstance(task);
    },
    async removeIfExists(taskId) {
      const task = o.store.tasks.get(taskId);
      if (!task) return;
      o.store.tasks.delete(taskId);
      invalidate(task);
    },
  };

  return {
    setup,
    start,
    begin() {
      started = true;
      kick();
      if (o.pollIntervalMs) {
        timer = setInterval(kick, o.pollIntervalMs);
        timer.unref?.();
      }
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      o.store.owners.set(id, false);
    },
    async idle() {
      // A stopped instance is a dead process: what it was running never finishes.
      for (;;) {
        if (stopped) return;
        await new Promise((r) => setImmediate(r));
        if (inFlight.size) await Promise.all([...inFlight]);
        else if (stopped || ![...o.store.tasks.values()].some(due)) return;
      }
    },
    async runDue() {
      kick();
      await this.idle();
    },
  };
}
