/**
 * The few Kibana server types the plugin uses, typed here because no @kbn/* package is on npm.
 * Each mirrors (a subset of) the Kibana source named beside it, so the plugin compiles unchanged
 * against the real types inside Kibana (swap this import for '@kbn/core/server').
 * Nothing here has runtime code: Kibana (or test/router_harness) provides the implementations.
 */
import type { ObjectTypeLike } from './config_schema_shim';
import type { EsClient } from './installers/types';

// ---- logging --------------------------------------------------------------------------------

/** src/platform/packages/shared/kbn-logging/src/logger.ts (`Logger`), the methods we call. */
export interface Logger {
  debug(message: string, meta?: object): void;
  info(message: string, meta?: object): void;
  warn(message: string | Error, meta?: object): void;
  error(message: string | Error, meta?: object): void;
  get(...childContextPaths: string[]): Logger;
}

// ---- plugin lifecycle -----------------------------------------------------------------------

/** src/core/packages/plugins/server/src/types.ts (`PluginInitializerContext`), subset. */
export interface PluginInitializerContext {
  logger: { get(...contextParts: string[]): Logger };
  /** `packageInfo.version` is Kibana's version; Kibana refuses to start against an Elasticsearch of another major.minor. */
  env: { mode: { dev: boolean; prod: boolean }; packageInfo: { version: string } };
}

/**
 * src/core/packages/http/server/src/http_contract.ts (`HttpServerInfo`): where this Kibana process
 * listens (not necessarily the URL users open).
 */
export interface HttpServerInfo {
  name: string;
  hostname: string;
  port: number;
  protocol: 'http' | 'https' | 'socket';
}

/**
 * src/core/packages/lifecycle/server/src/core_setup.ts (`CoreSetup`), subset; `http` is
 * `HttpServiceSetup` (http_contract.ts: createRouter, getServerInfo, basePath `IBasePath`).
 */
export interface CoreSetup<TPluginsStart extends object = object> {
  http: {
    createRouter<Ctx extends RequestHandlerContext = RequestHandlerContext>(): IRouter<Ctx>;
    getServerInfo(): HttpServerInfo;
    basePath: { readonly serverBasePath: string };
  };
  getStartServices(): Promise<[CoreStart, TPluginsStart, unknown]>;
}

/**
 * src/core/packages/lifecycle/server/src/core_start.ts (`CoreStart`), subset: what the Task
 * Manager runner needs to act for the user outside a request handler, from the task's fakeRequest
 * (src/core/packages/elasticsearch/server/src/client/cluster_client.ts `IClusterClient.asScoped`,
 * src/core/packages/saved-objects/server/src/contracts.ts `SavedObjectsServiceStart.getScopedClient`).
 */
export interface CoreStart {
  elasticsearch: { client: { asScoped(request: KibanaRequest): IScopedClusterClient } };
  savedObjects: { getScopedClient(request: KibanaRequest): SavedObjectsClientContract };
}

/** src/core/packages/plugins/server/src/types.ts (`Plugin`). */
export interface Plugin<TSetup = void, TStart = void, TPluginsSetup extends object = object, TPluginsStart extends object = object> {
  setup(core: CoreSetup<TPluginsStart>, plugins: TPluginsSetup): TSetup;
  start(core: CoreStart, plugins: TPluginsStart): TStart;
  stop?(): void;
}

// ---- request handler context -----------------------------------------------------------------

/**
 * src/core/packages/saved-objects/api-server/src/saved_objects_client.ts (`SavedObjectsClientContract`),
 * the one method used here (`create`, options from .../apis/create.ts `SavedObjectsCreateOptions`);
 * the client is also handed on to the ML plugin.
 */
export interface SavedObjectsClientContract {
  create<T = unknown>(
    type: string,
    attributes: T,
    options?: { id?: string; overwrite?: boolean; initialNamespaces?: string[] },
  ): Promise<{ id: string; type: string; attributes: T; namespaces?: string[] }>;
}

/** src/core/packages/elasticsearch/server/src/client/scoped_cluster_client.ts (`IScopedClusterClient`). */
export interface IScopedClusterClient {
  /** Acts as Kibana's own user: never for work done on behalf of the user. */
  readonly asInternalUser: EsClient;
  /** Acts with the credentials of the request: what the user may do decides. */
  readonly asCurrentUser: EsClient;
}

/** src/core/packages/http/request-handler-context-server/src/request_handler_context.ts (`CoreRequestHandlerContext`), subset. */
export interface CoreRequestHandlerContext {
  elasticsearch: { client: IScopedClusterClient };
  savedObjects: { client: SavedObjectsClientContract };
}

/** Same file (`RequestHandlerContext`): `core` is a promise since 8.3. */
export interface RequestHandlerContext {
  core: Promise<CoreRequestHandlerContext>;
}

// ---- request and response --------------------------------------------------------------------

/** src/core/packages/http/server/src/router/request.ts (`KibanaRequest`), subset. */
export interface KibanaRequest<P = unknown, Q = unknown, B = unknown> {
  readonly id: string;
  readonly url: URL;
  readonly route: { path: string; method: RouteMethod; options: { access?: RouteAccess } };
  readonly headers: Record<string, string | string[] | undefined>;
  readonly isInternalApiRequest: boolean;
  readonly apiVersion?: string;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** src/core/packages/http/server/src/router/response.ts (`ResponseError`, `ResponseErrorAttributes`). */
export type ResponseErrorAttributes = Record<string, unknown>;
export type ResponseError = string | Error | { message: string | Error; attributes?: ResponseErrorAttributes };

/** Same file (`IKibanaResponse`). */
export interface IKibanaResponse<T = unknown> {
  readonly status: number;
  readonly payload?: T;
  readonly options: { body?: T; headers?: Record<string, string | string[]> };
}

/** Same file (`HttpResponseOptions`, `ErrorHttpResponseOptions`, `CustomHttpResponseOptions`). */
export interface HttpResponseOptions<T = unknown> {
  body?: T;
  headers?: Record<string, string | string[]>;
}
export interface ErrorHttpResponseOptions {
  body?: ResponseError;
  headers?: Record<string, string | string[]>;
}
export interface CustomHttpResponseOptions<T> {
  body?: T;
  headers?: Record<string, string | string[]>;
  statusCode: number;
}

/** src/core/packages/http/server/src/router/response_factory.ts (`KibanaResponseFactory`), subset. */
export interface KibanaResponseFactory {
  ok<T = unknown>(options?: HttpResponseOptions<T>): IKibanaResponse<T>;
  accepted<T = unknown>(options?: HttpResponseOptions<T>): IKibanaResponse<T>;
  badRequest(options?: ErrorHttpResponseOptions): IKibanaResponse;
  unauthorized(options?: ErrorHttpResponseOptions): IKibanaResponse;
  forbidden(options?: ErrorHttpResponseOptions): IKibanaResponse;
  notFound(options?: ErrorHttpResponseOptions): IKibanaResponse;
  conflict(options?: ErrorHttpResponseOptions): IKibanaResponse;
  unprocessableContent(options?: ErrorHttpResponseOptions): IKibanaResponse;
  customError(options: CustomHttpResponseOptions<ResponseError>): IKibanaResponse;
}

// ---- routes, validation, security -------------------------------------------------------------

/** src/core/packages/http/server/src/router/route.ts (`RouteMethod`, `RouteAccess`). */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
export type RouteAccess = 'public' | 'internal';

/** Same file (`PrivilegeSet`, `AuthzEnabled`, `AuthzDisabled`, `RouteAuthz`, `RouteSecurity`). */
export interface PrivilegeSet {
  anyRequired?: string[];
  allRequired?: string[];
}
export interface AuthzEnabled {
  requiredPrivileges: Array<string | PrivilegeSet>;
}
export interface AuthzDisabled {
  enabled: false;
  /** Why Kibana-side authorization is not needed; reviewed by Kibana's security team. */
  reason: string;
}
export type RouteAuthz = AuthzEnabled | AuthzDisabled;
export interface RouteSecurity {
  authz: RouteAuthz;
  authc?: { enabled: true | 'optional' } | { enabled: false; reason: string };
}

/** src/core/packages/http/server/src/router/route_validator.ts (`RouteValidationError` is a class there). */
export interface RouteValidationError extends Error {
  readonly path?: string[];
}
/** Same file (`RouteValidationResultFactory`). */
export interface RouteValidationResultFactory {
  ok: <T>(value: T) => { value: T };
  badRequest: (error: Error | string, path?: string[]) => { error: RouteValidationError };
}
/** Same file (`RouteValidationFunction`): the non-@kbn/config-schema form of a validation. */
export type RouteValidationFunction<T> = (
  data: unknown,
  validationResult: RouteValidationResultFactory,
) => { value: T; error?: never } | { value?: never; error: RouteValidationError };
/** Same file (`RouteValidatorFullConfigRequest`), with validation functions only. */
export interface RouteValidatorFullConfigRequest<P, Q, B> {
  params?: RouteValidationFunction<P>;
  query?: RouteValidationFunction<Q>;
  body?: RouteValidationFunction<B>;
}

/** src/core/packages/http/server/src/router/request_handler.ts (`RequestHandler`). */
export type RequestHandler<P, Q, B, Ctx extends RequestHandlerContext = RequestHandlerContext> = (
  context: Ctx,
  request: KibanaRequest<P, Q, B>,
  response: KibanaResponseFactory,
) => Promise<IKibanaResponse> | IKibanaResponse;

/** src/core/packages/http/server/src/versioning/types.ts (`VersionedRouteConfig`), subset. */
export interface VersionedRouteConfig {
  path: string;
  access: RouteAccess;
  security?: RouteSecurity;
  summary?: string;
  description?: string;
  enableQueryVersion?: boolean;
  options?: { tags?: readonly string[]; timeout?: { idleSocket?: number } };
}

/** Same file (`AddVersionOpts`, `VersionedRouteValidation`), request validation only. */
export interface AddVersionOpts<P, Q, B> {
  version: string;
  validate: false | { request?: RouteValidatorFullConfigRequest<P, Q, B> };
  security?: Pick<RouteSecurity, 'authz'>;
}

/** Same file (`VersionedRoute`). */
export interface VersionedRoute<Ctx extends RequestHandlerContext = RequestHandlerContext> {
  addVersion<P = unknown, Q = unknown, B = unknown>(options: AddVersionOpts<P, Q, B>, handler: RequestHandler<P, Q, B, Ctx>): VersionedRoute<Ctx>;
}

/** Same file (`VersionedRouter`). */
export interface VersionedRouter<Ctx extends RequestHandlerContext = RequestHandlerContext> {
  get(config: VersionedRouteConfig): VersionedRoute<Ctx>;
  post(config: VersionedRouteConfig): VersionedRoute<Ctx>;
  put(config: VersionedRouteConfig): VersionedRoute<Ctx>;
  patch(config: VersionedRouteConfig): VersionedRoute<Ctx>;
  delete(config: VersionedRouteConfig): VersionedRoute<Ctx>;
}

/** src/core/packages/http/server/src/router/router.ts (`IRouter`): the versioned router only. */
export interface IRouter<Ctx extends RequestHandlerContext = RequestHandlerContext> {
  readonly routerPath: string;
  readonly versioned: VersionedRouter<Ctx>;
}

// ---- other plugins' contracts (optional plugins) ---------------------------------------------

/** x-pack/platform/plugins/shared/spaces/server/spaces_service/spaces_service.ts (`SpacesServiceStart`), subset. */
export interface SpacesPluginStart {
  spacesService: { getSpaceId(request: KibanaRequest): string };
}

// ---- licensing, features, task manager ---------------------------------------------------------

/** x-pack/platform/plugins/shared/licensing/common/types.ts (`ILicense`), the fields read here. */
export interface ILicense {
  isAvailable: boolean;
  isActive: boolean;
  type?: 'basic' | 'standard' | 'gold' | 'platinum' | 'enterprise' | 'trial';
  status?: 'active' | 'invalid' | 'expired';
  getUnavailableReason(): string | undefined;
}
/** x-pack/platform/plugins/shared/licensing/server/types.ts (`LicensingPluginStart`), subset. */
export interface LicensingPluginStart {
  getLicense(): Promise<ILicense>;
}

/** x-pack/platform/plugins/shared/features/common/feature_kibana_privileges.ts (`FeatureKibanaPrivileges`), subset. */
export interface FeatureKibanaPrivileges {
  app?: readonly string[];
  api?: readonly string[];
  catalogue?: readonly string[];
  savedObject: { all: readonly string[]; read: readonly string[] };
  ui: readonly string[];
}
/** x-pack/platform/plugins/shared/features/common/kibana_feature.ts (`KibanaFeatureConfig`), subset. */
export interface KibanaFeatureConfig {
  id: string;
  name: string;
  description?: string;
  category: { id: string; label: string; order?: number; euiIconType?: string };
  app: readonly string[];
  catalogue?: readonly string[];
  minimumLicense?: ILicense['type'];
  privileges: { all: FeatureKibanaPrivileges; read: FeatureKibanaPrivileges } | null;
}
/** x-pack/platform/plugins/shared/features/server/plugin.ts (`FeaturesPluginSetup`), subset. */
export interface FeaturesPluginSetup {
  registerKibanaFeature(feature: KibanaFeatureConfig): void;
}

/** x-pack/platform/plugins/shared/task_manager/server/task.ts (`TaskStatus`). */
export type TaskStatus = 'idle' | 'claiming' | 'running' | 'failed' | 'should_delete' | 'unrecognized' | 'dead_letter';

/** Same file (`IntervalSchedule`): a recurring task runs again `interval` after each run ('1m', '10s', '1h'). */
export interface IntervalSchedule {
  interval: string;
}

/** Same file (`ConcreteTaskInstance`), subset. */
export interface ConcreteTaskInstance {
  id: string;
  taskType: string;
  params: Record<string, unknown>;
  state: Record<string, unknown>;
  /** The version of `state` (TaskDefinition `stateSchemaByVersion`); none for a task stored before its type had versions. */
  stateVersion?: number;
  /** Recurring tasks only. */
  schedule?: IntervalSchedule;
  /** When the task is due next. */
  runAt?: Date;
  /** A disabled task stays stored but is not claimed (TaskScheduling.bulkDisable). */
  enabled?: boolean;
  /** Unsuccessful attempts since the last successful run: > 0 when a run is retried (e.g. after a restart). */
  attempts: number;
  status: TaskStatus;
}

/** Same file (`RunContext`): `fakeRequest` carries the API key Task Manager created at schedule time. */
export interface RunContext {
  taskInstance: ConcreteTaskInstance;
  fakeRequest?: KibanaRequest;
  signal?: AbortSignal;
}
/** Same file (`CancellableTask`, `TaskRunCreatorFunction`, `TaskDefinition`), subset. */
/**
 * Same file (`SuccessfulRunResult`), subset: `state` is handed to the next run of a recurring task;
 * `runAt` or `schedule` (not both) say when it runs next; `shouldDeleteTask` ends it.
 */
export type RunResult = { state: Record<string, unknown>; shouldDeleteTask?: boolean } & (
  { runAt?: Date; schedule?: never } | { schedule?: IntervalSchedule; runAt?: never }
);
export interface CancellableTask {
  run(): Promise<RunResult | void>;
  cancel?(): Promise<void>;
}
export interface TaskDefinition {
  title?: string;
  description?: string;
  /** e.g. '30m': past it Task Manager cancels the run and retries it. */
  timeout?: string;
  maxAttempts?: number;
  /**
   * The state's schema by version (a number as text) and the `up` that brings the previous
   * version's state to it. Task Manager (task_validator.ts) runs each `up` from the stored
   * `stateVersion` (1 when none) to the latest on read, validating after each, and writes the
   * latest version with the state. `schema` is @kbn/config-schema's ObjectType (config_schema_shim.ts).
   */
  stateSchemaByVersion?: Record<number, { schema: ObjectTypeLike; up: (state: Record<string, unknown>) => Record<string, unknown> }>;
  createTaskRunner(context: RunContext): CancellableTask;
}

/** x-pack/platform/plugins/shared/task_manager/server/plugin.ts (`TaskManagerSetupContract`), subset. */
export interface TaskManagerSetupContract {
  registerTaskDefinitions(definitions: Record<string, TaskDefinition>): void;
}
/**
 * Same file (`TaskManagerStartContract`), subset. `schedule(task, { request })` makes Task Manager
 * create an API key for the request's user and store it with the task (task_scheduling.ts,
 * task.ts `ScheduleOptions`/`ApiKeyOptions`); the runner then gets a `fakeRequest` with that key.
 */
export interface TaskManagerStartContract {
  schedule(
    task: {
      id?: string;
      taskType: string;
      params: Record<string, unknown>;
      state: Record<string, unknown>;
      scope?: string[];
      /** task.ts `TaskInstance`: recurring every interval; first run at `runAt` (default now). */
      schedule?: IntervalSchedule;
      runAt?: Date;
    },
    options?: { request?: KibanaRequest },
  ): Promise<ConcreteTaskInstance>;
  /** Throws a 404 error when the task does not exist. */
  get(id: string): Promise<ConcreteTaskInstance>;
  /** lib/remove_if_exists.ts: deletes the task (a 404 is fine); Task Manager invalidates its API key. */
  removeIfExists(id: string): Promise<void>;
}
