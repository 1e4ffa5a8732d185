/**
 * An in-memory IRouter whose `versioned` registrars check and dispatch routes as Kibana does:
 * - registration: src/core/packages/http/router-server-internal/src/versioned_router/core_versioned_router.ts
 *   and core_versioned_route.ts (`addVersion`: version format, no duplicate version), and
 *   security_route_config_validator.ts (`security.authz` is required and well-formed);
 * - per request: CoreVersionedRoute.handle (version from the `elastic-api-version` header, the
 *   default for internal routes outside dev mode, `apiVersion` query refused, unknown version 400),
 *   then CoreKibanaRequest.from + RouteValidator (src/core/packages/http/router-server-internal/src/request.ts,
 *   validator.ts): params, query, body validated in that order, the first failure answered
 *   400 `[request <part>]: <message>`.
 */
import type {
  AddVersionOpts, IRouter, RequestHandler, RequestHandlerContext, RouteAuthz, RouteMethod, RouteSecurity, RouteValidationFunction,
  RouteValidationResultFactory, VersionedRoute, VersionedRouteConfig, VersionedRouter,
} from '../../server/kibana_shim';

export const ELASTIC_HTTP_VERSION_HEADER = 'elastic-api-version';
export const ELASTIC_HTTP_VERSION_QUERY_PARAM = 'apiVersion';

export interface RegisteredVersion {
  options: AddVersionOpts<unknown, unknown, unknown>;
  handler: RequestHandler<unknown, unknown, unknown, RequestHandlerContext>;
}

export interface RegisteredRoute {
  method: RouteMethod;
  config: VersionedRouteConfig;
  versions: Map<string, RegisteredVersion>;
  rx: RegExp;
  names: string[];
}

/** isValidRouteVersion (versioned_router/route_version_utils.ts). */
export function invalidVersionMessage(isPublic: boolean, version: string): string | undefined {
  if (isPublic) {
    return /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(version) && !Number.isNaN(Date.parse(version))
      ? undefined
      : `Invalid version. Received "${version}", expected a valid date string formatted as YYYY-MM-DD.`;
  }
  return /^[1-9][0-9]*$/.test(version) ? undefined : `Invalid version number. Received "${version}", expected a string containing _only_ a finite, whole number greater than 0.`;
}

/** The checks of security_route_config_validator.ts that a route declaration can fail. */
export function checkRouteSecurity(security: Partial<RouteSecurity> | undefined, where: string): void {
  const fail = (why: string) => {
    throw new Error(`${where}: invalid security config: ${why}`);
  };
  const authz = security?.authz as (Partial<RouteAuthz> & { enabled?: unknown; reason?: unknown; requiredPrivileges?: unknown }) | undefined;
  if (!authz) return fail('[authz]: expected value of type [object] but got [undefined]');
  if (authz.enabled === false) {
    if (authz.requiredPrivileges !== undefined) fail('[authz.requiredPrivileges]: a value wasn\'t expected to be present');
    if (typeof authz.reason !== 'string' || !authz.reason.trim()) fail('[authz.reason]: expected value of type [string]');
    return;
  }
  if (authz.enabled !== undefined) fail('[authz.enabled]: expected value to equal [false]');
  if (authz.reason !== undefined) fail('[authz.reason]: a value wasn\'t expected to be present');
  const privileges = authz.requiredPrivileges;
  if (!Array.isArray(privileges) || privileges.length === 0) fail('[authz.requiredPrivileges]: array size is [0], but cannot be smaller than [1]');
}

/** Required privileges of a route as flat lists (`anyRequired` sets become alternatives). */
export function requiredPrivileges(authz: RouteAuthz): { all: string[]; any: string[] } {
  if ('enabled' in authz) return { all: [], any: [] };
  const all: string[] = [];
  const any: string[] = [];
  for (const p of authz.requiredPrivileges) {
    if (typeof p === 'string') all.push(p);
    else {
      all.push(...(p.allRequired ?? []));
      any.push(...(p.anyRequired ?? []));
    }
  }
  return { all, any };
}

export class HarnessRouter implements IRouter {
  readonly routerPath = '';
  readonly routes: RegisteredRoute[] = [];
  readonly versioned: VersionedRouter = {
    get: (config) => this.register('get', config),
    post: (config) => this.register('post', config),
    put: (config) => this.register('put', config),
    patch: (config) => this.register('patch', config),
    delete: (config) => this.register('delete', config),
  };

  private register(method: RouteMethod, config: VersionedRouteConfig): VersionedRoute {
    const where = `[${method}] [${config.path}]`;
    if (config.access !== 'internal' && config.access !== 'public') throw new Error(`${where}: access must be 'internal' or 'public'`);
    checkRouteSecurity(config.security, where);
    if (this.routes.some((r) => r.method === method && r.config.path === config.path)) throw new Error(`Method [${method}] and path [${config.path}] is already registered`);
    const names = [...config.path.matchAll(/\{([^}?*]+)\}/g)].map((m) => m[1]);
    const rx = new RegExp(`^${config.path.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}/?$`);
    const route: RegisteredRoute = { method, config, versions: new Map(), rx, names };
    this.routes.push(route);
    const versioned: VersionedRoute = {
      addVersion: (options, handler) => {
        const message = invalidVersionMessage(config.access === 'public', options.version);
        if (message) throw new Error(message);
        if (route.versions.has(options.version)) throw new Error(`Version "${options.version}" handler has already been registered for the route ${where}"`);
        if (options.security) checkRouteSecurity({ authz: options.security.authz }, `${where} version ${options.version}`);
        if (options.validate !== false && (typeof options.validate !== 'object' || options.validate === null)) throw new Error(`${where}: validate must be false or an object`);
        for (const [part, fn] of Object.entries(options.validate ? options.validate.request ?? {} : {})) {
          if (typeof fn !== 'function') throw new Error(`${where}: validate.request.${part} must be a route validation function (config-schema types are not available outside Kibana)`);
        }
        route.versions.set(options.version, { options: options as AddVersionOpts<unknown, unknown, unknown>, handler: handler as RegisteredVersion['handler'] });
        return versioned;
      },
    };
    return versioned;
  }

  /** The route for a path (any method) and, if the method matches too, its decoded params. */
  match(method: string, path: string): { route?: RegisteredRoute; params: Record<string, string>; badEncoding?: boolean } {
    for (const route of this.routes) {
      if (route.method !== method.toLowerCase()) continue;
      const m = route.rx.exec(path);
      if (!m) continue;
      try {
        return { route, params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
      } catch {
        return { route, params: {}, badEncoding: true };
      }
    }
    return { params: {} };
  }
}

export type Resolved = { version: string; handler: RegisteredVersion } | { error: string };

/** CoreVersionedRoute.getVersion + the checks at the top of CoreVersionedRoute.handle. */
export function resolveVersion(route: RegisteredRoute, headers: Record<string, string>, query: Record<string, unknown>, devMode: boolean): Resolved {
  const isPublic = route.config.access === 'public';
  const available = route.versions.size ? `[${[...route.versions.keys()].join(', ')}]` : '<none>';
  let version: string | undefined = headers[ELASTIC_HTTP_VERSION_HEADER] || undefined;
  if (!version && route.config.enableQueryVersion && typeof query[ELASTIC_HTTP_VERSION_QUERY_PARAM] === 'string') version = query[ELASTIC_HTTP_VERSION_QUERY_PARAM] as string;
  if (!version) {
    // Public routes resolve to the oldest/newest version by strategy; internal ones default to '1' outside dev mode.
    if (isPublic) version = [...route.versions.keys()].sort()[0];
    else if (!devMode) version = '1';
  }
  if (!version) return { error: `Please specify a version via ${ELASTIC_HTTP_VERSION_HEADER} header. Available versions: ${available}` };
  if (ELASTIC_HTTP_VERSION_QUERY_PARAM in query) {
    if (!route.config.enableQueryVersion) {
      return { error: `Use of query parameter "${ELASTIC_HTTP_VERSION_QUERY_PARAM}" is not allowed. Please specify the API version using the "${ELASTIC_HTTP_VERSION_HEADER}" header.` };
    }
    delete query[ELASTIC_HTTP_VERSION_QUERY_PARAM];
  }
  const invalid = invalidVersionMessage(isPublic, version);
  if (invalid) return { error: invalid };
  const handler = route.versions.get(version);
  if (!handler) return { error: `No version "${version}" available for [${route.method}] [${route.config.path}]. Available versions are: ${available}` };
  return { version, handler };
}

const resultFactory: RouteValidationResultFactory = {
  ok: (value) => ({ value }),
  badRequest: (error, path = []) => ({ error: Object.assign(error instanceof Error ? error : new Error(String(error)), { path }) }),
};

/**
 * RouteValidator.getBody's JSON-string coercion (validator.ts `coerceJsonStringRequestBody`):
 * a body that arrived as a JSON string is parsed before validation functions see it.
 */
export function coerceJsonStringBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const text = data.trim();
  if (text === '') return undefined;
  if (text === 'null') return null;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return data;
    }
  }
  return data;
}

/**
 * RouteValidator.validate for a validation function: undefined spec → `{}`; a throwing function
 * is a validation error; the message is config-schema's ValidationError `[<namespace>.<path>]: <message>`.
 */
export function runValidation(fn: RouteValidationFunction<unknown> | undefined, data: unknown, namespace: string): { value: unknown } | { error: string } {
  if (!fn) return { value: {} };
  let result: ReturnType<RouteValidationFunction<unknown>>;
  try {
    result = fn(data, resultFactory);
  } catch (error) {
    result = { error: Object.assign(error instanceof Error ? error : new Error(String(error)), { path: [] as string[] }) };
  }
  if (result.error) return { error: `[${[namespace, ...(result.error.path ?? [])].join('.')}]: ${result.error.message}` };
  return { value: result.value };
}
