/**
 * What every route needs, and the two things they all do the same way: validate with the io-ts
 * codecs of common/api.ts, and turn installer/Elasticsearch errors into the right HTTP status.
 */
import type * as t from 'io-ts';
import { decode } from '../../common/api';
import { OptionsError } from '../../common/options';
import { InstallError, toInstallError } from '../installers/errors';
import type { KibanaApi } from '../installers/types';
import type {
  ConcreteTaskInstance,
  IKibanaResponse,
  KibanaRequest,
  KibanaResponseFactory,
  Logger,
  RequestHandlerContext,
  RouteSecurity,
  RouteValidationFunction,
} from '../kibana_shim';
import { API_PRIVILEGES } from '../feature';
import type { StackSource } from '../installers/preflight';
import type { RunManager } from '../runs/run_manager';
import type { RunTaskParams } from '../runs/run_task';
import type { LiveTaskParams } from '../live/live_task';
import { parseCustomJobs } from '../custom_jobs/parse';
import type { CatalogueJob } from '../../common/catalogue/types';
import type { CustomJobInput } from '../../common/api';

export interface KibanaSide {
  /** Undefined when neither the ML nor the alerting plugin is there: the installer uses ES only. */
  api?: KibanaApi;
  /** Whether rules can be installed from the server (the alerting plugin's rules client). */
  rulesAvailable: boolean;
  /** What is missing, said on the run. */
  notices: string[];
}

export interface RouteDeps {
  logger: Logger;
  runs: RunManager;
  kibanaVersion: string;
  /** Version and licence from Kibana (packageInfo, licensing plugin): no `GET /`, `GET _license` as the user. */
  stack: StackSource;
  getSpaceId(request: KibanaRequest): Promise<string>;
  getKibanaSide(context: RequestHandlerContext, request: KibanaRequest): Promise<KibanaSide>;
  /** Hands a submitted run to Task Manager with the request's credentials (server/runs/run_task.ts). */
  scheduleRun(request: KibanaRequest, params: RunTaskParams): Promise<void>;
  /** The live mode's task of a namespace (server/live/live_task.ts), through Task Manager. */
  liveTask: {
    /** Schedules it with the request's credentials; a 409 error when it exists. */
    schedule(request: KibanaRequest, params: LiveTaskParams): Promise<void>;
    get(namespace: string): Promise<ConcreteTaskInstance | undefined>;
    /** Removes it if it exists; whether there was one. */
    remove(namespace: string): Promise<boolean>;
  };
  /** The plugin's clock (tests move it). */
  now(): number;
}

/**
 * Kibana-side authorization (src/core/packages/http/server/src/router/route.ts `RouteSecurity`):
 * the plugin's own feature privilege (server/feature.ts), so a role or a space can grant or hide
 * it, and the ML capability the work needs, as ML's own routes declare it
 * (x-pack/platform/plugins/shared/ml/server/routes/anomaly_detectors.ts: `ml:canCreateJob` on
 * PUT anomaly_detectors, `ml:canGetJobs` on the reads). Elasticsearch, the ML plugin and the
 * alerting rules client still check the user's own privileges on every call.
 */
export const READ_AUTHZ: RouteSecurity = { authz: { requiredPrivileges: [API_PRIVILEGES.read, 'ml:canGetJobs'] } };
export const RUN_AUTHZ: RouteSecurity = { authz: { requiredPrivileges: [API_PRIVILEGES.run, 'ml:canCreateJob'] } };
export const CLEANUP_AUTHZ: RouteSecurity = { authz: { requiredPrivileges: [API_PRIVILEGES.run, 'ml:canDeleteJob'] } };

// common/api.ts strict() tests unknown keys with `in`, which also finds Object.prototype's names.
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * No request of this API nests deeper or carries more than this (the page sends ~10 values, and
 * at most a few of the user's own jobs, whose datafeed queries nest a dozen levels).
 */
export const MAX_DEPTH = 16;
export const MAX_NODES = 2_000;
export const MAX_STRING_CHARS = 64 * 1024;

/**
 * Walks the parsed input without recursion and names where it is too deep or too big, so a
 * hostile body gets a 400 naming the field rather than a stack overflow or a megabyte echo.
 */
export function boundProblem(data: unknown): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: data, path: '', depth: 0 }];
  let nodes = 0;
  let chars = 0;
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    const where = path || '(body)';
    if (++nodes > MAX_NODES) return `${where}: too many values (more than ${MAX_NODES} in the request)`;
    if (typeof value === 'string' && (chars += value.length) > MAX_STRING_CHARS)
      return `${where}: too long (the request's text exceeds ${MAX_STRING_CHARS} characters)`;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return `${where}: nested too deeply (more than ${MAX_DEPTH} levels)`;
    for (const [k, v] of Object.entries(value)) {
      const key = k.length > 40 ? `${k.slice(0, 40)}…` : k;
      chars += k.length;
      stack.push({ value: v, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A route validation function (src/core/packages/http/server/src/router/route_validator.ts) over an io-ts codec. */
export function ioTsValidation<A>(codec: t.Type<A, unknown, unknown>): RouteValidationFunction<A> {
  return (data, { ok, badRequest }) => {
    const inherited = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data).find((k) => PROTOTYPE_KEYS.has(k)) : undefined;
    if (inherited !== undefined) return badRequest(`${inherited}: unknown key "${inherited}"`);
    const bound = boundProblem(data);
    if (bound) return badRequest(bound);
    const result = decode(codec, data);
    return result.ok ? ok(result.value) : badRequest(result.errors.join('; '));
  };
}

export const variantFor = (kibanaVersion: string): 'classic' | 'ea' => {
  const [major, minor] = kibanaVersion.split('.').map(Number);
  return major > 9 || (major === 9 && minor >= 4) ? 'ea' : 'classic';
};

/** Privileges named in an installer message (preflight's or Elasticsearch's 403 wording). */
function missingPrivileges(message: string): string[] {
  const named = [...message.matchAll(/(cluster|index) privilege "([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  const granted = /granted by the (cluster|index) privileges \[([^\]]+)\]/.exec(message);
  return named.length ? named : granted ? [`${granted[1]}: one of ${granted[2]}`] : [];
}

/**
 * Installer and Elasticsearch errors → their status (403 names the privilege, licence/ML problems
 * are 4xx, an unreachable or failing stack 502). Anything else is a bug: rethrown, so Kibana
 * answers 500 and logs it.
 */
export function errorResponse(response: KibanaResponseFactory, error: unknown, action: string, log: Logger): IKibanaResponse {
  // An option set the plan cannot honour is the request's fault: one sentence, 400.
  if (error instanceof OptionsError)
    return response.badRequest({ body: { message: `[request body]: ${error.message}`, attributes: { reason: 'bad_request' } } });
  const hasStatus =
    error instanceof InstallError ||
    typeof (error as { meta?: { statusCode?: unknown } })?.meta?.statusCode === 'number' ||
    typeof (error as { statusCode?: unknown })?.statusCode === 'number';
  const e = toInstallError(error, action);
  if (!hasStatus && e.reason !== 'connection') throw error;
  const attributes: Record<string, unknown> = { reason: e.reason };
  if (e.statusCode === 403) {
    const missing = missingPrivileges(e.message);
    if (missing.length) attributes.missingPrivileges = missing;
  }
  if (e.statusCode >= 500) log.warn(`ml-demo-data: ${e.message}`);
  const statusCode = e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  return response.customError({ statusCode, body: { message: e.message, attributes } });
}

export async function currentUserClient(context: RequestHandlerContext) {
  return (await context.core).elasticsearch.client.asCurrentUser;
}

/** The request's own jobs as the generator takes them (server/custom_jobs: a CustomJobError names the field). */
export function requestCustomJobs(inputs: CustomJobInput[] | undefined, kibanaVersion: string): CatalogueJob[] | undefined {
  if (!inputs?.length) return undefined;
  return parseCustomJobs(
    inputs.map((c, i) => ({ job: c.job, datafeed: c.datafeed, source: `customJobs[${i}]`, datafeedSource: `customJobs[${i}].datafeed` })),
    variantFor(kibanaVersion),
  );
}
