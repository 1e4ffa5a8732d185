/**
 * A run as a Task Manager task, so it outlives the request that started it (a SAML/OIDC session
 * may expire in the 15 minutes a run takes) and the Kibana node that started it.
 *
 * The route schedules the task with the request (`taskManager.schedule(task, { request })`):
 * Task Manager creates an API key for that user and stores it with the task
 * (x-pack/platform/plugins/shared/task_manager/server/task_scheduling.ts, task.ts `ApiKeyOptions`),
 * and the runner gets a `fakeRequest` carrying it (task.ts `RunContext`). The run then acts as the
 * user through `asScoped(fakeRequest)`, like the workflows and entity-store tasks do. When the
 * task ends Task Manager deletes it and invalidates the key.
 *
 * If Kibana stops mid-run the task stays `running` until its retryAt; Task Manager then runs it
 * again (attempts + 1) and RunManager.execute resumes it. Once the task is gone without a final
 * state the run is reported `interrupted` with its cleanup hint (run_manager.ts reconcile).
 */
import type { RunProgress, StartRunRequest } from '../../common/api';
import type { InstallOptions } from '../installers/types';
import type { KibanaRequest, RunContext, TaskDefinition, TaskManagerStartContract } from '../kibana_shim';

export const RUN_TASK_TYPE = 'ml-demo-data:run';
export const runTaskId = (runId: string) => `ml-demo-data-run-${runId}`;

/** What the task stores (no secrets: the credentials are Task Manager's API key). */
export interface RunTaskParams {
  runId: string;
  space: string;
  request: StartRunRequest;
  options: InstallOptions;
  notices: string[];
}

/** `attempt`: Task Manager's `attempts` for this run of the task (1 the first time, more after a Kibana stopped mid-run). */
export type ExecuteRun = (params: RunTaskParams, fakeRequest: KibanaRequest, signal: AbortSignal, attempt: number) => Promise<RunProgress>;

export function runTaskDefinitions(execute: ExecuteRun): Record<string, TaskDefinition> {
  return {
    [RUN_TASK_TYPE]: {
      title: 'ML demo data run',
      description: 'Generates and indexes demo data, installs ML jobs and rules for a user.',
      // A run waits up to 15 minutes for the datafeeds; past the timeout Task Manager cancels and retries.
      timeout: '1h',
      // Retries are for a Kibana that stopped mid-run: the run resumes where it was.
      maxAttempts: 3,
      createTaskRunner({ taskInstance, fakeRequest }: RunContext) {
        const controller = new AbortController();
        return {
          async run() {
            const params = taskInstance.params as unknown as RunTaskParams;
            if (!fakeRequest) {
              // Without an API key (security off, or the key could not be created) nothing would act as the user.
              throw new Error(`Run ${params.runId} has no user credentials (Task Manager stored no API key for it).`);
            }
            await execute(params, fakeRequest, controller.signal, taskInstance.attempts);
            return { state: {} };
          },
          async cancel() {
            controller.abort();
          },
        };
      },
    },
  };
}

/** Whether the run's task still exists and may run (queued, running, or due for a retry). */
export async function runTaskAlive(taskManager: TaskManagerStartContract, runId: string): Promise<boolean> {
  try {
    const task = await taskManager.get(runTaskId(runId));
    return task.status !== 'failed' && task.status !== 'dead_letter' && task.status !== 'unrecognized' && task.status !== 'should_delete';
  } catch (error) {
    const e = error as { statusCode?: number; output?: { statusCode?: number } };
    if ((e.statusCode ?? e.output?.statusCode) === 404) return false;
    throw error;
  }
}
