/** Plugin identity, route paths and versions: shared by the server routes, the page and the CLI. */
export const PLUGIN_ID = 'mlDemoData';
export const PLUGIN_NAME = 'Generate ML demo data';
export const APP_PATH = `/app/${PLUGIN_ID}`;

/** Internal versioned routes (router.versioned, access 'internal'). */
export const API_VERSION = '1';
export const API_BASE = '/internal/ml_demo_data';
export const ROUTES = {
  modules: `${API_BASE}/modules`, // GET: modules, jobs, what is installed in this space
  runs: `${API_BASE}/runs`, // POST: start a run; GET: the space's latest run
  run: `${API_BASE}/runs/{runId}`, // GET: progress of a run
  cancel: `${API_BASE}/runs/{runId}/_cancel`, // POST
  cleanup: `${API_BASE}/_cleanup`, // POST: remove everything the tool created in this space/namespace
  validateJob: `${API_BASE}/jobs/_validate`, // POST: check a user's own job before adding it to a run
  live: `${API_BASE}/live`, // GET ?namespace=: live status; POST: keep the latest demo live (Task Manager task)
  liveStop: `${API_BASE}/live/_stop`, // POST: stop live mode (remove the task, stop the datafeeds)
} as const;

export const runPath = (runId: string) => ROUTES.run.replace('{runId}', encodeURIComponent(runId));
export const cancelPath = (runId: string) => ROUTES.cancel.replace('{runId}', encodeURIComponent(runId));

/** Marker on every ML job the tool creates (job custom_settings), so cleanup removes only those. */
export const JOB_MARKER = 'ml_demo_data';
/** Index template the tool installs for its data streams. */
export const indexTemplateName = (namespace: string) => `ml-demo-data-${namespace}`;
/** The data streams the tool writes: logs-ml_demo.<module>-<namespace>. */
export const dataStreamPattern = (namespace: string) => `logs-ml_demo.*-${namespace}`;
