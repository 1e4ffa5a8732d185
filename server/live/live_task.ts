/**
 * The page's "Keep it live" switch: live mode (live.ts `LiveSession`, the core the `live` command
 * drives too) as a recurring Kibana Task Manager task, so it runs for days without a browser, on
 * whichever Kibana claims it, and survives Kibana restarts.
 *
 * - The route schedules one task per namespace (`ml-demo-data-live-<namespace>`, the demo's jobs
 *   and streams are cluster-wide) with `schedule: { interval: '1m' }` and the user's request:
 *   Task Manager creates an API key for that user (task_scheduling.ts `schedule(task, { request })`)
 *   and every run gets a `fakeRequest` carrying it, as the runs do (server/runs/run_task.ts).
 * - One task run is one round: `LiveSession.open` (the session recorded in the template's `_meta`),
 *   `advance(now)` (incidents planned, the documents whose time has passed sent, windows recorded,
 *   waves rotated), nothing kept in memory. The first round also catches up from the setup's end
 *   and starts the datafeeds in real time. Every minute is shorter than a datafeed's query delay
 *   (60 s or more), so no document arrives behind a real-time datafeed's search.
 * - The task's own state says how many rounds ran and the last error; a Kibana that stops
 *   mid-round leaves the task to another Kibana (or the next start), which reopens the session
 *   from the template: the datafeeds keep running in Elasticsearch meanwhile.
 * - Stop: the route removes the task (Task Manager invalidates its key) and stops the datafeeds;
 *   cleanup removes the task before the demo. When the demo is gone or replaced (a CLI cleanup, a
 *   new run), the next round ends the task (`shouldDeleteTask`).
 */
import type { LiveStatus } from '../../common/api';
import { InstallError, toInstallError } from '../installers/errors';
import type { TemplateMeta } from '../installers/index_template';
import type { EsClient } from '../installers/types';
import type { ConcreteTaskInstance, KibanaRequest, RunResult, TaskDefinition } from '../kibana_shim';
import { maybeObject } from '../config_schema_shim';
import { LiveSession, type LiveState } from './live';

export const LIVE_TASK_TYPE = 'ml-demo-data:live';
export const liveTaskId = (namespace: string) => `ml-demo-data-live-${namespace}`;
/** Task Manager runs the task again this long after each run. */
export const LIVE_TASK_INTERVAL = '1m';

/** What the task stores (no secrets: the credentials are Task Manager's API key). */
export interface LiveTaskParams {
  space: string;
  namespace: string;
  incidentEveryMs: number;
  /** The demo's setup: its options, end included (the base plan of a new session). */
  base: LiveState['options'];
}

/** The task's state between runs (Task Manager stores it with the task). */
export interface LiveTaskState {
  /** The first round has caught up and started the datafeeds in real time. */
  started?: boolean;
  rounds?: number;
  lastRoundAt?: string;
  /** The last round's failure, if it failed (the next round tries again). */
  error?: string;
}

/**
 * The state's versions for Task Manager (task.ts `stateSchemaByVersion`): a state it reads is
 * brought to the latest version by each `up` and validated, one it writes must match the latest
 * schema exactly. Version 1 is the state above; a task stored before versions (no `stateVersion`)
 * gets version 1's `up`, which keeps the fields of the right type and drops the rest, so a state
 * Task Manager cannot validate never stops the demo's rounds. A new field is a version 2 whose
 * `up` fills it from version 1's state.
 */
export const LIVE_TASK_STATE_SCHEMA = maybeObject<LiveTaskState & Record<string, unknown>>({
  started: 'boolean',
  rounds: 'number',
  lastRoundAt: 'string',
  error: 'string',
});
export const liveTaskStateSchemaByVersion: NonNullable<TaskDefinition['stateSchemaByVersion']> = {
  1: {
    schema: LIVE_TASK_STATE_SCHEMA,
    up: (state) => LIVE_TASK_STATE_SCHEMA.extendsDeep({ unknowns: 'ignore' }).validate(keepValid(state)),
  },
};

/** The fields of a stored state whose type is version 1's (a field of another type is dropped, not an error). */
function keepValid(state: Record<string, unknown>): Record<string, unknown> {
  const kinds: Record<keyof LiveTaskState, string> = { started: 'boolean', rounds: 'number', lastRoundAt: 'string', error: 'string' };
  return Object.fromEntries(Object.entries(state ?? {}).filter(([k, v]) => k in kinds && typeof v === kinds[k as keyof LiveTaskState]));
}

export interface RoundArgs {
  es: EsClient;
  params: LiveTaskParams;
  state: LiveTaskState;
  now: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

/** One round of the live task; `done` when the demo it keeps alive is gone or replaced. */
export async function liveRound({ es, params, state, now, signal, log }: RoundArgs): Promise<{ state: LiveTaskState; done?: boolean }> {
  const rounds = (state.rounds ?? 0) + 1;
  try {
    const session = await LiveSession.open(es, { namespace: params.namespace, incidentEveryMs: params.incidentEveryMs, base: params.base, now, log });
    // Documents first, then the datafeeds: they resume from where they stopped and look back over them.
    await session.advance(now, { signal, saveProgress: true });
    if (!state.started) await session.startRealtime();
    return { state: { started: true, rounds, lastRoundAt: new Date(now).toISOString() } };
  } catch (error) {
    if (error instanceof InstallError && (error.statusCode === 404 || error.statusCode === 409)) {
      log(`ml-demo-data: live mode of namespace "${params.namespace}" ends: ${error.message}`);
      return { state: { ...state, rounds, error: error.message }, done: true };
    }
    const message = toInstallError(error, 'Live round').message;
    log(`ml-demo-data: live round failed (the next one tries again): ${message}`);
    return { state: { ...state, rounds, lastRoundAt: new Date(now).toISOString(), error: message } };
  }
}

export type LiveRoundRunner = (
  params: LiveTaskParams,
  state: LiveTaskState,
  fakeRequest: KibanaRequest,
  signal: AbortSignal,
) => Promise<{ state: LiveTaskState; done?: boolean }>;

export function liveTaskDefinitions(round: LiveRoundRunner): Record<string, TaskDefinition> {
  return {
    [LIVE_TASK_TYPE]: {
      title: 'ML demo data live mode',
      description: "Keeps a demo's baseline, real-time datafeeds and incidents going for a user.",
      // A first round may catch up on days of windows and plan several incidents.
      timeout: '30m',
      maxAttempts: 3,
      stateSchemaByVersion: liveTaskStateSchemaByVersion,
      createTaskRunner({ taskInstance, fakeRequest }) {
        const controller = new AbortController();
        return {
          async run(): Promise<RunResult> {
            const params = taskInstance.params as unknown as LiveTaskParams;
            if (!fakeRequest) throw new Error(`Live mode of namespace "${params.namespace}" has no user credentials (Task Manager stored no API key for it).`);
            const result = await round(params, taskInstance.state as LiveTaskState, fakeRequest, controller.signal);
            return result.done
              ? { state: result.state as Record<string, unknown>, shouldDeleteTask: true }
              : { state: result.state as Record<string, unknown> };
          },
          async cancel() {
            controller.abort();
          },
        };
      },
    },
  };
}

/** `6h`, `90m`, `1d` from milliseconds (the form the options schema reads). */
export function formatEvery(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}

/** What the page shows: the task (switch on or off, rounds, last error) and the recorded session. */
export function liveStatus(namespace: string, task: ConcreteTaskInstance | undefined, meta: TemplateMeta | undefined): LiveStatus {
  const state = (task?.state ?? {}) as LiveTaskState;
  const params = task?.params as unknown as LiveTaskParams | undefined;
  const live = meta?.live;
  const every = params?.incidentEveryMs ?? live?.incidentEveryMs;
  const last = live?.incidents[live.incidents.length - 1];
  return {
    namespace,
    on: Boolean(task && task.enabled !== false),
    ...(every ? { incidentEvery: formatEvery(every) } : {}),
    ...(state.rounds !== undefined ? { rounds: state.rounds } : {}),
    ...(state.lastRoundAt ? { lastRoundAt: state.lastRoundAt } : {}),
    ...(state.error ? { error: state.error } : {}),
    ...(live
      ? {
          session: {
            indexedUntil: new Date(live.indexedUntil).toISOString(),
            docs: live.docs,
            incidents: live.incidents.length,
            ...(last
              ? {
                  lastIncident: {
                    round: last.round,
                    end: last.end,
                    predicted: last.jobs.filter((j) => j.pass).length,
                    jobs: last.jobs.length,
                    ...(last.wave !== undefined ? { wave: last.wave + 1 } : {}),
                  },
                }
              : {}),
            ...(live.waves ? { waves: live.waves.length, wave: (live.wave ?? 0) + 1 } : {}),
            ...(live.memory ? { memory: live.memory } : {}),
          },
        }
      : {}),
  };
}
