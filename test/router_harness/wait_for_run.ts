/** Polls a run's progress route until the run is no longer `running` (tests of the run routes). */
import type { RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import type { HarnessCall, RouteHarness } from './harness';

export async function waitForRun(h: RouteHarness, runId: string, space = 'default', headers: HarnessCall['headers'] = {}): Promise<RunProgress> {
  const prefix = space === 'default' ? '' : `/s/${space}`;
  for (let i = 0; i < 600; i++) {
    const res = await h.call({ method: 'GET', path: `${prefix}${ROUTES.run}`, params: { runId }, headers: { 'elastic-api-version': API_VERSION, ...headers } });
    if (res.status !== 200) throw new Error(`GET run ${runId} answered ${res.status}`);
    const run = res.body as RunProgress;
    if (run.state !== 'running') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}
