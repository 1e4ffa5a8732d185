/**
 * The plugin's routes served by a stand-in of Kibana's HTTP pipeline, for tests and the page's
 * dev host. The plugin is created and set up as Kibana does it (server/index.ts → setup → start);
 * each call then goes through what Kibana does before and after a route handler:
 *
 *   authentication (401 without credentials) → xsrf (src/core/packages/http/server-internal/src/lifecycle_handlers.ts)
 *   → kbn-version check → internal-route restriction (x-elastic-internal-origin, same file)
 *   → route authz (`security.authz.requiredPrivileges` against `grantedKibanaPrivileges`, where
 *     `feature_<id>.<all|read>` grants the API privileges of the feature the plugin registered)
 *   → CoreVersionedRoute.handle (router.ts: version resolution, params/query/body validation)
 *   → handler with a RequestHandlerContext whose asCurrentUser is a real @elastic/elasticsearch
 *     Client carrying the caller's Authorization header (as ClusterClient.asScoped does)
 *   → exceptions 500 (logged), responses as HapiResponseAdapter sends them (response.ts).
 *
 * The plugin's setup/start get the fakes of fake_plugins.ts and fake_task_manager.ts: features,
 * licensing (a fixed licence), Task Manager (runs with an API key in a fakeRequest, over a
 * TaskStore a test can hand to a second harness to "restart Kibana"), saved objects, spaces, ML,
 * alerting. CoreStart's asScoped(fakeRequest) is a client with the task's API key.
 *
 * Not mirrored: sessions/cookies and real Kibana privileges (one list for all users), hapi's
 * payload limits and content negotiation beyond JSON, response validation, OAS, deprecations.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import type { AlertingStart } from '../../server/kibana_api';
import type { CoreRequestHandlerContext, CoreStart, HttpServerInfo, KibanaFeatureConfig, KibanaRequest, RequestHandlerContext } from '../../server/kibana_shim';
import { MlDemoDataPlugin } from '../../server/plugin';
import type { RunManagerOptions } from '../../server/runs/run_manager';
import { plugin as pluginInitializer } from '../../server';
import type { MlDemoDataStartDeps } from '../../server/plugin';
import {
  apiPrivilegesOf,
  fixedLicensing,
  httpMlPlugin,
  memoryAlerting,
  memoryFeatures,
  memoryLogger,
  MemorySavedObjects,
  RequestSpaces,
  type LogLine,
  type MemoryAlertingOptions,
} from './fake_plugins';
import { fakeTaskManager, TaskStore, type FakeTaskManager } from './fake_task_manager';
import { boom, kibanaResponseFactory, toWire, type WireResponse } from './response';
import { coerceJsonStringBody, HarnessRouter, requiredPrivileges, resolveVersion, runValidation } from './router';

export interface HarnessOptions {
  /** Elasticsearch for asCurrentUser (the stand-in's esUrl, or runs_index_front's url). */
  esUrl: string;
  /** Kibana for the ML plugin's module setup (the stand-in's kibanaUrl); without it there is no ML plugin. */
  kibanaUrl?: string;
  /** Authorization header of calls that do not send one (default `ApiKey dGVzdDp0ZXN0`). */
  authorization?: string;
  kibanaVersion?: string;
  /** 'dev' (default): internal routes need elastic-api-version; 'prod': they default to '1'. */
  mode?: 'dev' | 'prod';
  /** server.restrictInternalApis (default true, as on serverless and recommended). */
  restrictInternalApis?: boolean;
  /** Kibana privileges the caller has, for routes that require some (default: all). */
  grantedKibanaPrivileges?: string[] | 'all';
  /** The alerting plugin's start contract; 'memory': an in-memory rules client (fake_plugins.ts). Default: none. */
  alerting?: AlertingStart | 'memory';
  /** Options of the 'memory' rules client: its rules in the stand-in's detection rules, the backfill shape it validates. */
  memoryAlerting?: MemoryAlertingOptions;
  /**
   * Whether the Security Solution plugin is enabled (default false): the plugin then installs
   * Elastic's prebuilt rules through Kibana's own HTTP API, here the stand-in Kibana at `kibanaUrl`
   * (core.http.getServerInfo()).
   */
  securitySolution?: boolean;
  /** Run manager overrides (short polls, a fake runInstall, clocks). */
  run?: Partial<RunManagerOptions>;
  /** The licensing plugin's licence (default an active trial). */
  license?: { type: 'basic' | 'platinum' | 'enterprise' | 'trial'; status: 'active' | 'expired' | 'invalid' };
  /** Task Manager's stored tasks; pass the same store to a second harness to restart Kibana mid-run. */
  taskStore?: TaskStore;
  /** Saved objects (default: a new store). */
  savedObjects?: MemorySavedObjects;
  /**
   * The spaces of a job's ML saved object as the (stand-in) ML module setup made it, e.g.
   * `(id) => standin.state.jobs.get(id)?.savedObjectSpaces`: ml-job objects the plugin creates are
   * added there too, and the memory rules client checks ML rules' jobs against it.
   */
  mlJobSpaces?: (jobId: string) => Set<string> | undefined;
  /** Task Manager also polls on this timer (the dev host: recurring live rounds come due without a test moving them). */
  taskPollMs?: number;
  /** Told when Task Manager invalidates a task's API key (e.g. the runs-index front's `expire`). */
  onApiKeyInvalidated?: (authorization: string) => void;
}

export interface HarnessCall {
  method: string;
  /** A concrete path, or a template filled from `params` (`/internal/…/runs/{runId}`); may start with /s/<space>. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** Sent as JSON (undefined: no body). */
  body?: unknown;
  /** Sent as is instead of `body` (malformed JSON, other content types). */
  rawBody?: string;
  /** Added to the browser's default headers; `undefined` removes a default. */
  headers?: Record<string, string | undefined>;
}

export interface RouteHarness {
  call(request: HarnessCall): Promise<WireResponse>;
  readonly router: HarnessRouter;
  readonly plugin: MlDemoDataPlugin;
  readonly logs: LogLine[];
  readonly alerting?: AlertingStart;
  readonly taskManager: FakeTaskManager;
  readonly taskStore: TaskStore;
  readonly savedObjects: MemorySavedObjects;
  readonly features: KibanaFeatureConfig[];
  /** Whether ML shows the job in the space (its ML saved object there). */
  jobVisible(jobId: string, space: string): boolean;
  /** Exceptions that made a 500. */
  readonly handlerErrors: unknown[];
  close(): Promise<void>;
}

const INTERNAL_USER_FORBIDDEN = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new Error(`asInternalUser.${String(prop)} used: the plugin must act as the current user`);
    },
  },
);

function parseQuery(search: string, extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  };
  for (const [k, v] of new URLSearchParams(search)) add(k, v);
  for (const [k, v] of Object.entries(extra)) for (const x of ([] as string[]).concat(v)) add(k, x);
  return out;
}

export async function createRouteHarness(options: HarnessOptions): Promise<RouteHarness> {
  const kibanaVersion = options.kibanaVersion ?? '9.1.0';
  const devMode = (options.mode ?? 'dev') === 'dev';
  const logs: LogLine[] = [];
  const handlerErrors: unknown[] = [];
  const router = new HarnessRouter();
  const spaces = new RequestSpaces();
  const es = new Client({ node: options.esUrl });
  const taskStore = options.taskStore ?? new TaskStore();
  const savedObjects = options.savedObjects ?? new MemorySavedObjects();
  const mlJobSpaces = options.mlJobSpaces ?? (() => undefined);
  const onSavedObject = (o: { type: string; attributes: unknown; namespaces: string[] }) => {
    const jobId = o.type === 'ml-job' ? (o.attributes as { job_id?: string }).job_id : undefined;
    if (jobId) for (const n of o.namespaces) mlJobSpaces(jobId)?.add(n);
  };
  savedObjects.onCreate ??= onSavedObject;
  const jobVisible = (jobId: string, space: string) => {
    const inStandin = mlJobSpaces(jobId);
    const own = savedObjects.get('ml-job', `anomaly-detector-${jobId}`);
    return Boolean(inStandin?.has(space) || inStandin?.has('*') || own?.namespaces.includes(space) || own?.namespaces.includes('*'));
  };
  const features = memoryFeatures();
  const taskManager = fakeTaskManager({
    store: taskStore,
    spaceOf: (r) => spaces.spacesService.getSpaceId(r),
    placeInSpace: (r, space) => spaces.remember(r, space),
    onInvalidate: options.onApiKeyInvalidated,
    now: options.run?.now,
    pollIntervalMs: options.taskPollMs,
  });
  const scoped = (authorization: unknown) => ({
    asCurrentUser: es.child({ headers: { authorization: String(authorization ?? '') } }),
    asInternalUser: INTERNAL_USER_FORBIDDEN as never,
  });
  const coreStart: CoreStart = {
    elasticsearch: { client: { asScoped: (request) => scoped(request.headers.authorization) } },
    savedObjects: { getScopedClient: (request) => savedObjects.clientFor(spaces.spacesService.getSpaceId(request)) },
  };

  // Kibana's plugin lifecycle: initializer → setup (routes) → start (start contracts resolve).
  const initializerContext = {
    logger: { get: (...parts: string[]) => memoryLogger(logs, ['mlDemoData', ...parts].join('.')) },
    env: { mode: { dev: devMode, prod: !devMode }, packageInfo: { version: kibanaVersion } },
  };
  const loaded = await pluginInitializer(initializerContext);
  // With run options (a seam Kibana never uses) the same class is built with them.
  const plugin = options.run ? new MlDemoDataPlugin(initializerContext, options.run) : loaded;
  let started!: (value: [CoreStart, MlDemoDataStartDeps, unknown]) => void;
  const startServices = new Promise<[CoreStart, MlDemoDataStartDeps, unknown]>((resolve) => (started = resolve));
  const ml = options.kibanaUrl ? httpMlPlugin(options.kibanaUrl, (r) => spaces.spacesService.getSpaceId(r)) : undefined;
  // Where "this Kibana" listens, for the plugin's calls to Kibana's own HTTP API: the stand-in Kibana
  // (nothing listens on port 9 of loopback without one).
  const self = options.kibanaUrl ? new URL(options.kibanaUrl) : undefined;
  const serverInfo: HttpServerInfo = {
    name: 'harness',
    hostname: self?.hostname ?? '127.0.0.1',
    port: Number(self?.port || 9),
    protocol: self?.protocol === 'https:' ? 'https' : 'http',
  };
  const http = { createRouter: () => router as never, getServerInfo: () => serverInfo, basePath: { serverBasePath: '' } };
  plugin.setup({ http, getStartServices: () => startServices }, { ml, features, taskManager: taskManager.setup });
  const alerting =
    options.alerting === 'memory' ? memoryAlerting((r) => spaces.spacesService.getSpaceId(r), jobVisible, options.memoryAlerting) : options.alerting;
  const licensing = fixedLicensing(options.license ?? { type: 'trial', status: 'active' });
  const startDeps: MlDemoDataStartDeps = {
    spaces,
    alerting,
    licensing,
    taskManager: taskManager.start,
    ...(options.securitySolution ? { securitySolution: {} } : {}),
  };
  plugin.start(coreStart, startDeps);
  started([coreStart, startDeps, {}]);
  taskManager.begin();

  async function call(req: HarnessCall): Promise<WireResponse> {
    const method = req.method.toUpperCase();
    const filled = req.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(req.params?.[name] ?? `{${name}}`));
    const [rawPath, search = ''] = filled.split('?', 2);
    const sm = /^\/s\/([^/]+)(\/.*)$/.exec(rawPath);
    const space = sm ? sm[1] : 'default';
    const path = sm ? sm[2] : rawPath;
    const headers: Record<string, string> = {
      authorization: options.authorization ?? 'ApiKey dGVzdDp0ZXN0',
      'kbn-version': kibanaVersion,
      'x-elastic-internal-origin': 'Kibana',
      'content-type': 'application/json',
    };
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      if (v === undefined) delete headers[k.toLowerCase()];
      else headers[k.toLowerCase()] = v;
    }
    const query = parseQuery(search, req.query);
    const fail = (status: number, message: string, extra: Record<string, string> = {}): WireResponse => ({
      status,
      headers: extra,
      body: boom(status, message),
    });

    const { route, params, badEncoding } = router.match(method, path);
    if (!route) return fail(404, 'Not Found');
    // As @hapi/call's router answers a path segment that does not decode (lib/index.js internals.decode).
    if (badEncoding) return fail(400, 'Invalid request path');
    if (!headers.authorization) return fail(401, 'Unauthorized');
    if (method !== 'GET' && method !== 'OPTIONS' && !('kbn-version' in headers) && !('kbn-xsrf' in headers))
      return fail(400, 'Request must contain a kbn-xsrf header.');
    if (headers['kbn-version'] && headers['kbn-version'] !== kibanaVersion) {
      return fail(
        400,
        `Browser client is out of date, please refresh the page ("kbn-version" header was "${headers['kbn-version']}" but should be "${kibanaVersion}")`,
      );
    }
    const isInternalApiRequest = 'x-elastic-internal-origin' in headers;
    if (route.config.access === 'internal' && !isInternalApiRequest && (options.restrictInternalApis ?? true)) {
      return fail(400, `uri [${path}] with method [${method.toLowerCase()}] exists but is not available with the current configuration`);
    }
    const resolved = resolveVersion(route, headers, query, devMode);
    // Authorization runs before the handler, on the security of the version asked for.
    const security = ('handler' in resolved ? resolved.handler.options.security : undefined) ?? route.config.security!;
    const granted =
      options.grantedKibanaPrivileges === undefined || options.grantedKibanaPrivileges === 'all'
        ? 'all'
        : apiPrivilegesOf(options.grantedKibanaPrivileges, features.features);
    if (granted !== 'all') {
      const need = requiredPrivileges(security.authz);
      const missing = need.all.filter((p) => !granted.includes(p));
      if (need.any.length && !need.any.some((p) => granted.includes(p))) missing.push(...need.any);
      if (missing.length)
        return fail(
          403,
          `API [${method} ${path}${search ? `?${search}` : ''}] is unauthorized for user, this action is granted by the Kibana privileges [${missing}]`,
        );
    }
    if ('error' in resolved) return fail(400, resolved.error);
    const versionHeader = { 'elastic-api-version': resolved.version };

    // hapi parses JSON payloads; an empty one is null.
    let payload: unknown = null;
    if (req.rawBody !== undefined) {
      if (/json/.test(headers['content-type'] ?? 'application/json') && req.rawBody.trim() !== '') {
        try {
          payload = JSON.parse(req.rawBody) as unknown;
        } catch {
          return fail(400, 'Invalid request payload JSON format');
        }
      } else payload = req.rawBody === '' ? null : req.rawBody;
    } else if (req.body !== undefined) {
      payload = JSON.parse(JSON.stringify(req.body)) as unknown;
    }
    const validate = resolved.handler.options.validate ? (resolved.handler.options.validate.request ?? {}) : {};
    const p = runValidation(validate.params, params, 'request params');
    if ('error' in p) return fail(400, p.error, versionHeader);
    const q = runValidation(validate.query, query, 'request query');
    if ('error' in q) return fail(400, q.error, versionHeader);
    const b = runValidation(validate.body, coerceJsonStringBody(payload), 'request body');
    if ('error' in b) return fail(400, b.error, versionHeader);

    const url = new URL(`http://localhost:5601${rawPath}${search ? `?${search}` : ''}`);
    const request: KibanaRequest = {
      id: randomUUID(),
      url,
      headers,
      isInternalApiRequest,
      apiVersion: resolved.version,
      route: { path: route.config.path, method: route.method, options: { access: route.config.access } },
      params: p.value,
      query: q.value,
      body: b.value,
    };
    spaces.remember(request, space);
    const core: CoreRequestHandlerContext = {
      elasticsearch: { client: scoped(headers.authorization) },
      savedObjects: { client: savedObjects.clientFor(space) },
    };
    const context: RequestHandlerContext = { core: Promise.resolve(core) };
    try {
      return toWire(await resolved.handler.handler(context, request, kibanaResponseFactory), versionHeader);
    } catch (error) {
      handlerErrors.push(error);
      logs.push({ level: 'error', context: 'http', message: `500 ${method} ${path}: ${(error as Error)?.stack ?? String(error)}` });
      return fail(500, 'An internal server error occurred. Check Kibana server logs for details.', versionHeader);
    }
  }

  return {
    call,
    router,
    plugin,
    logs,
    alerting,
    taskManager,
    taskStore,
    savedObjects,
    features: features.features,
    jobVisible,
    handlerErrors,
    async close() {
      taskManager.stop();
      plugin.stop();
      await es.close();
    },
  };
}
