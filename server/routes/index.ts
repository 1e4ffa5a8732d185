/** Registers the plugin's internal routes (common/constants.ts ROUTES, version API_VERSION). */
import type { IRouter } from '../kibana_shim';
import { registerCancelRunRoute } from './cancel_run';
import { registerCleanupRoute } from './cleanup';
import { registerLatestRunRoute } from './latest_run';
import { registerLiveStatusRoute } from './live_status';
import { registerModulesRoute } from './modules';
import type { RouteDeps } from './route_deps';
import { registerRunProgressRoute } from './run_progress';
import { registerStartLiveRoute } from './start_live';
import { registerStartRunRoute } from './start_run';
import { registerStopLiveRoute } from './stop_live';
import { registerValidateJobRoute } from './validate_job';

export type { RouteDeps, KibanaSide } from './route_deps';

export function registerRoutes(router: IRouter, deps: RouteDeps): void {
  registerModulesRoute(router, deps);
  registerStartRunRoute(router, deps);
  registerLatestRunRoute(router, deps);
  registerRunProgressRoute(router, deps);
  registerCancelRunRoute(router, deps);
  registerCleanupRoute(router, deps);
  registerValidateJobRoute(router, deps);
  registerLiveStatusRoute(router, deps);
  registerStartLiveRoute(router, deps);
  registerStopLiveRoute(router, deps);
}
