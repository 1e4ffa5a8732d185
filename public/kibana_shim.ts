/**
 * The subset of Kibana's browser contracts this plugin uses, typed here because no @kbn/* package
 * is published to npm. Each interface mirrors (a subset of) the Kibana source named on it, so the
 * real objects Kibana passes satisfy these types structurally; swapping the imports for
 * `@kbn/core/public` and `@kbn/share-plugin/public` inside the Kibana repository needs no other change.
 */

import type React from 'react';

/** rxjs `Observable` as far as we use it (subscribe with a next function). */
export interface Subscribable<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void };
}

/** src/core/packages/theme/browser/src/types.ts `CoreTheme` / `ThemeServiceStart`. */
export interface CoreTheme {
  readonly darkMode: boolean;
  readonly name: string;
}
export interface ThemeServiceStart {
  theme$: Subscribable<CoreTheme>;
  getTheme(): CoreTheme;
}

/** src/core/packages/http/browser/src/types.ts `HttpFetchOptions` (subset). */
export interface HttpFetchOptions {
  body?: string | null;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal | null;
  /** Sets the `elastic-api-version` header. */
  version?: string;
}

/** src/core/packages/http/browser/src/types.ts `HttpHandler` (the `(path, options)` overload). */
export type HttpHandler = <TResponseBody = unknown>(path: string, options?: HttpFetchOptions) => Promise<TResponseBody>;

/** src/core/packages/http/browser/src/types.ts `IBasePath` (subset). */
export interface IBasePath {
  /** The base path including the space, e.g. '/s/demo'. */
  get(): string;
  prepend(url: string): string;
  readonly serverBasePath: string;
}

/** src/core/packages/http/browser/src/types.ts `HttpSetup` / `HttpStart` (subset). */
export interface HttpStart {
  basePath: IBasePath;
  fetch: HttpHandler;
  get: HttpHandler;
  post: HttpHandler;
}

/**
 * src/core/packages/http/browser/src/types.ts `IHttpFetchError`: what HttpHandler rejects with.
 * `body` is Kibana's error body `{ statusCode, error, message, attributes? }` (`ResponseErrorBody`).
 */
export interface IHttpFetchError<TBody = unknown> extends Error {
  readonly request?: Request;
  readonly response?: Response;
  readonly body?: TBody;
}
export interface ResponseErrorBody {
  statusCode: number;
  error?: string;
  message: string;
  attributes?: Record<string, unknown>;
}

/** src/core/packages/notifications/browser/src/types.ts `IToasts` (subset; string titles only). */
export interface ToastInputFields {
  title?: string;
  text?: string;
  color?: 'primary' | 'success' | 'warning' | 'danger';
  iconType?: string;
  toastLifeTimeMs?: number;
  'data-test-subj'?: string;
}
export type ToastInput = string | ToastInputFields;
export interface IToasts {
  addSuccess(toastOrTitle: ToastInput): unknown;
  addWarning(toastOrTitle: ToastInput): unknown;
  addDanger(toastOrTitle: ToastInput): unknown;
  addError(error: Error, options: { title: string; toastMessage?: string }): unknown;
}
/** src/core/packages/notifications/browser/src/contracts.ts `NotificationsStart` (subset). */
export interface NotificationsStart {
  toasts: IToasts;
}

/** src/core/packages/application/browser/src/contracts.ts `ApplicationStart` (subset). */
export interface ApplicationStart {
  /** Space-aware (the base path carries `/s/<space>`), relative unless `absolute`. */
  getUrlForApp(appId: string, options?: { path?: string; absolute?: boolean; deepLinkId?: string }): string;
  navigateToUrl(url: string, options?: { forceRedirect?: boolean }): Promise<void>;
  navigateToApp(appId: string, options?: { path?: string }): Promise<void>;
}

/** src/core/packages/chrome/browser/src/contracts.ts `ChromeStart` (subset). */
export interface ChromeStart {
  docTitle: { change(newTitle: string | string[]): void };
  setBreadcrumbs(breadcrumbs: { text: string; href?: string }[]): void;
}

/** src/core/packages/i18n/browser/src/types.ts `I18nStart`: the context provider of Kibana's translations. */
export interface I18nStart {
  Context: (props: { children: React.ReactNode }) => React.ReactElement;
}

/** src/core/packages/lifecycle/browser/src/core_start.ts `CoreStart` (subset). */
export interface CoreStart {
  i18n: I18nStart;
  http: HttpStart;
  notifications: NotificationsStart;
  application: ApplicationStart;
  theme: ThemeServiceStart;
  chrome?: ChromeStart;
}

/** src/core/packages/lifecycle/browser/src/core_setup.ts `CoreSetup` (subset). */
export interface CoreSetup<TStart = unknown> {
  application: { register(app: App): void };
  getStartServices(): Promise<[CoreStart, TStart, unknown]>;
}

/** src/core/packages/application/browser/src/app_mount.ts `AppMountParameters` (subset) / `AppUnmount`. */
export interface AppMountParameters {
  element: HTMLElement;
  appBasePath: string;
  theme$: Subscribable<CoreTheme>;
}
export type AppUnmount = () => void;

/** src/core/packages/application/browser/src/application.ts `App` (subset). */
export interface App {
  id: string;
  title: string;
  order?: number;
  euiIconType?: string;
  category?: { id: string; label: string; order?: number; euiIconType?: string };
  mount(params: AppMountParameters): AppUnmount | Promise<AppUnmount>;
}

/** src/core/packages/plugins/browser/src/plugin.ts `Plugin`. */
export interface Plugin<TSetup = void, TStart = void, TPluginsSetup = object, TPluginsStart = object> {
  setup(core: CoreSetup<TPluginsStart>, plugins: TPluginsSetup): TSetup;
  start(core: CoreStart, plugins: TPluginsStart): TStart;
  stop?(): void;
}

/**
 * src/platform/plugins/shared/share/common/url_service/locators/types.ts `LocatorPublic<P>` and
 * `ILocatorClient.get` (subset): `share.url.locators.get('ML_APP_LOCATOR')?.getUrl(params)`.
 */
export interface LocatorPublic<P> {
  readonly id: string;
  getUrl(params: P, getUrlParams?: { absolute?: boolean }): Promise<string>;
}
export interface SharePluginStart {
  url: { locators: { get<P = unknown>(id: string): LocatorPublic<P> | undefined } };
}

/** The optional plugins this plugin uses (kibana.jsonc `optionalPlugins`). */
export interface MlDemoDataStartDeps {
  share?: SharePluginStart;
}

/** `KibanaApp` services the page renders with. */
export type StartServices = CoreStart;
