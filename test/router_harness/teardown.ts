/**
 * The end of a router-harness test: every harness it opened waits for its Task Manager and
 * closes, then the runs-index front and the stand-in close, and the stand-in says whether any
 * request broke the official contracts. One place, for every route test that opens harnesses.
 */
import type { Standin } from '../standin';
import type { RouteHarness } from './harness';

export async function closeAll(open: RouteHarness[], front: { close(): Promise<unknown> }, standin: Standin): Promise<void> {
  for (const h of open.splice(0)) {
    await h.taskManager.idle();
    await h.close();
  }
  await front.close();
  await standin.close();
  standin.assertNoViolations();
}
