/**
 * The route tests "inside Kibana" (runs, rules, live): a harness wired as Kibana would be — the
 * memory alerting plugin, ML saved-object spaces read from the stand-in, API keys that expire
 * through the runs-index front — and the end of such a test, which closes every harness it
 * opened, then the front and the stand-in, and says whether any request broke the contracts.
 */
import type { Standin } from '../standin';
import { createRouteHarness, type HarnessOptions, type RouteHarness } from './harness';
import type { RunsIndexFront } from './runs_index_front';

export async function inKibanaHarness(
  standin: Standin,
  front: RunsIndexFront,
  open: RouteHarness[],
  options: Partial<HarnessOptions> = {},
): Promise<RouteHarness> {
  const h = await createRouteHarness({
    esUrl: front.url,
    kibanaUrl: standin.kibanaUrl,
    alerting: 'memory',
    mlJobSpaces: (id) => standin.state.jobs.get(id)?.savedObjectSpaces,
    onApiKeyInvalidated: (key) => front.expire(key),
    ...options,
  });
  open.push(h);
  return h;
}

export async function closeAll(open: RouteHarness[], front: { close(): Promise<unknown> }, standin: Standin): Promise<void> {
  for (const h of open.splice(0)) {
    await h.taskManager.idle();
    await h.close();
  }
  await front.close();
  await standin.close();
  standin.assertNoViolations();
}
