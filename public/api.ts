/**
 * The page's client for the plugin's internal routes (common/constants.ts ROUTES, versioned
 * API_VERSION) over Kibana's `core.http`, and the translation of their errors into what the page
 * tells the user to do.
 */
import { API_VERSION, ROUTES, cancelPath, runPath } from '../common/constants';
import type { CleanupReport, CustomJobInput, LiveStatus, ModulesResponse, RunProgress, StartRunRequest, ValidateJobResponse } from '../common/api';
import type { HttpStart, IHttpFetchError, ResponseErrorBody } from './kibana_shim';

export type CleanupResult = CleanupReport;

export interface ApiClient {
  getModules(): Promise<ModulesResponse>;
  /** The space's latest run, or null when there is none. */
  getLatestRun(): Promise<RunProgress | null>;
  getRun(runId: string): Promise<RunProgress>;
  startRun(body: Partial<StartRunRequest>): Promise<RunProgress>;
  cancelRun(runId: string): Promise<void>;
  cleanup(namespace: string): Promise<CleanupResult>;
  /** Whether demo data can be made for a user's own job ("Add a job"); rejects with the server's 400. */
  validateJob(input: CustomJobInput): Promise<ValidateJobResponse>;
  /** Whether the namespace's demo is kept live ("Keep it live"), and its recorded session. */
  getLiveStatus(namespace: string): Promise<LiveStatus>;
  /** Turns live mode on (a Kibana Task Manager task); `incidentEvery` like 6h. */
  startLive(namespace: string, incidentEvery: string): Promise<LiveStatus>;
  stopLive(namespace: string): Promise<LiveStatus>;
}

function isRun(value: unknown): value is RunProgress {
  return typeof value === 'object' && value !== null && typeof (value as RunProgress).runId === 'string' && typeof (value as RunProgress).state === 'string';
}

/** The latest-run answer may be the run itself, `{ run }`, `{ run: null }` or 204/empty. */
export function latestRunFromBody(body: unknown): RunProgress | null {
  if (isRun(body)) return body;
  if (typeof body === 'object' && body !== null && 'run' in body) {
    const run = (body as { run: unknown }).run;
    return isRun(run) ? run : null;
  }
  return null;
}

function cleanupFromBody(body: unknown): CleanupResult {
  const b = (typeof body === 'object' && body !== null ? ((body as { report?: unknown }).report ?? body) : {}) as Partial<CleanupResult>;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    dataStreams: list(b.dataStreams),
    indexTemplates: list(b.indexTemplates),
    jobs: list(b.jobs),
    datafeeds: list(b.datafeeds),
    rules: list(b.rules),
    errors: list(b.errors),
  };
}

export function createApiClient(http: HttpStart): ApiClient {
  const opts = { version: API_VERSION };
  const client: ApiClient = {
    getModules: () => http.get<ModulesResponse>(ROUTES.modules, opts),
    async getLatestRun() {
      try {
        return latestRunFromBody(await http.get<unknown>(ROUTES.runs, opts));
      } catch (e) {
        if (statusOf(e) === 404) return null;
        throw e;
      }
    },
    getRun: (runId) => http.get<RunProgress>(runPath(runId), opts),
    async startRun(body) {
      const res = await http.post<unknown>(ROUTES.runs, { ...opts, body: JSON.stringify(body) });
      if (isRun(res)) return res;
      const runId = (res as { runId?: unknown } | null)?.runId;
      if (typeof runId === 'string') return client.getRun(runId);
      throw new Error('The server did not return the new run.');
    },
    async cancelRun(runId) {
      await http.post(cancelPath(runId), { ...opts, body: JSON.stringify({}) });
    },
    async cleanup(namespace) {
      return cleanupFromBody(await http.post<unknown>(ROUTES.cleanup, { ...opts, body: JSON.stringify({ namespace }) }));
    },
    validateJob: (input) => http.post<ValidateJobResponse>(ROUTES.validateJob, { ...opts, body: JSON.stringify(input) }),
    getLiveStatus: (namespace) => http.get<LiveStatus>(ROUTES.live, { ...opts, query: { namespace } }),
    startLive: (namespace, incidentEvery) => http.post<LiveStatus>(ROUTES.live, { ...opts, body: JSON.stringify({ namespace, incidentEvery }) }),
    stopLive: (namespace) => http.post<LiveStatus>(ROUTES.liveStop, { ...opts, body: JSON.stringify({ namespace }) }),
  };
  return client;
}

// ---------------------------------------------------------------------------------------------

export type ApiErrorKind = 'privileges' | 'license' | 'ml_unavailable' | 'conflict' | 'validation' | 'not_found' | 'connection' | 'unknown';

export interface ApiError {
  kind: ApiErrorKind;
  status?: number;
  message: string;
  /** For 'privileges': the privilege(s) to ask for, as the server named them. */
  privilege?: string;
  /** For 'conflict': the run already going, when the server says which. */
  runId?: string;
}

function bodyOf(e: unknown): Partial<ResponseErrorBody> | undefined {
  const body = (e as IHttpFetchError)?.body;
  return typeof body === 'object' && body !== null ? (body as Partial<ResponseErrorBody>) : undefined;
}

export function statusOf(e: unknown): number | undefined {
  return bodyOf(e)?.statusCode ?? (e as IHttpFetchError)?.response?.status;
}

/** "Missing privilege: one of [manage_ml, all] (cluster)" or ES's "granted by the cluster privileges [...]". */
function privilegeFrom(message: string, attributes?: Record<string, unknown>): string | undefined {
  const missing = attributes?.missingPrivileges ?? attributes?.privilege;
  if (Array.isArray(missing) && missing.length) return missing.map(String).join(', ');
  if (typeof missing === 'string' && missing) return missing;
  const a = /Missing privileges?: (?:one of )?\[([^\]]+)\](?: \((cluster|index)\))?/i.exec(message);
  if (a) return `${a[2] ? `${a[2]} privilege ` : ''}${a[1]}`;
  const b = /granted by the (cluster|index) privileges \[([^\]]+)\]/i.exec(message);
  if (b) return `${b[1]} privilege ${b[2]}`;
  return undefined;
}

export function toApiError(e: unknown): ApiError {
  const body = bodyOf(e);
  const status = statusOf(e);
  const message = body?.message ?? (e instanceof Error ? e.message : String(e));
  const attributes = body?.attributes;
  const reason = typeof attributes?.reason === 'string' ? attributes.reason : undefined;
  const runId = typeof attributes?.runId === 'string' ? attributes.runId : undefined;

  if (reason === 'license' || (status === 403 && !reason && /licen[cs]e/i.test(message))) return { kind: 'license', status, message };
  if (reason === 'missing_privilege' || status === 403) return { kind: 'privileges', status, message, privilege: privilegeFrom(message, attributes) };
  if (reason === 'ml_unavailable' || /no handler found|ml is not enabled|machine learning is (not available|disabled)/i.test(message))
    return { kind: 'ml_unavailable', status, message };
  if (reason === 'conflict' || status === 409) return { kind: 'conflict', status, message, runId };
  if (reason === 'connection' || status === 502 || status === 503 || (status === undefined && /fetch|network|ECONNREFUSED/i.test(message)))
    return { kind: 'connection', status, message };
  if (status === 404) return { kind: 'not_found', status, message };
  if (status === 400) return { kind: 'validation', status, message };
  return { kind: 'unknown', status, message };
}
