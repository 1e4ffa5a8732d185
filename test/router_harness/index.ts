/** Router harness: the plugin's routes behind a stand-in of Kibana's HTTP pipeline (see harness.ts). */
export { createRouteHarness, type HarnessCall, type HarnessOptions, type RouteHarness } from './harness';
export { startRouteServer, type RouteServer, type RouteServerOptions } from './http_server';
export { startRunsIndexFront } from './runs_index_front';
export type { WireResponse } from './response';
export { waitForRun } from './wait_for_run';
export { closeAll, inKibanaHarness } from './in_kibana';
