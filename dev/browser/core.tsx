/**
 * A tiny Kibana core for the dev host's browser page: the CoreSetup/CoreStart subset the plugin
 * uses (public/kibana_shim.ts), behaving as Kibana's does where the page can tell:
 * - http: fetch to `<basePath><path>` with the headers Kibana's browser client sends
 *   (`kbn-version`, `x-elastic-internal-origin`, `elastic-api-version` from `version`); non-2xx
 *   rejects with an error carrying the parsed `body` and the `response`, as IHttpFetchError does;
 * - notifications: toasts shown by an EuiGlobalToastList in the "chrome";
 * - application: `getUrlForApp` under the space's base path, `navigateToUrl`;
 * - theme: `theme$` replaying the current theme, switched from the header (or `?theme=dark`);
 * - chrome: document title and breadcrumbs in a small header.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  EuiBadge,
  EuiGlobalToastList,
  EuiHeader,
  EuiHeaderBreadcrumbs,
  EuiHeaderLogo,
  EuiHeaderSection,
  EuiHeaderSectionItem,
  EuiHeaderSectionItemButton,
  EuiIcon,
  EuiProvider,
  type EuiGlobalToastListToast,
} from '@elastic/eui';
import { APP_ROUTES, spaceFromBasePath } from '../../common/links';
import type { App, CoreSetup, CoreStart, CoreTheme, HttpFetchOptions, HttpHandler, IHttpFetchError, Subscribable, ToastInput } from '../../public/kibana_shim';

export interface DevHostConfig {
  kibanaVersion: string;
}

/** A value with subscribers that replays the current value on subscribe (like rxjs BehaviorSubject). */
export class Store<T> implements Subscribable<T> {
  private listeners = new Set<(v: T) => void>();
  constructor(private current: T) {}
  get value(): T {
    return this.current;
  }
  next(value: T) {
    this.current = value;
    for (const l of [...this.listeners]) l(value);
  }
  subscribe(next: (value: T) => void) {
    this.listeners.add(next);
    next(this.current);
    return { unsubscribe: () => void this.listeners.delete(next) };
  }
}

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.value);
  useEffect(() => store.subscribe(setValue).unsubscribe, [store]);
  return value;
}

class HttpFetchError extends Error implements IHttpFetchError {
  constructor(
    message: string,
    readonly request: Request,
    readonly response?: Response,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'HttpFetchError';
  }
}

function createHttp(basePath: string, config: DevHostConfig): CoreStart['http'] {
  const handler =
    (method: string): HttpHandler =>
    async <T,>(path: string, options: HttpFetchOptions = {}) => {
      const url = new URL(`${basePath}${path}`, window.location.origin);
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = {
        'kbn-version': config.kibanaVersion,
        'x-elastic-internal-origin': 'Kibana',
        'content-type': 'application/json',
        ...(options.version ? { 'elastic-api-version': options.version } : {}),
        ...options.headers,
      };
      const request = new Request(url, { method, headers, body: options.body ?? undefined, signal: options.signal ?? undefined });
      const response = await fetch(request.clone());
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      if (!response.ok) {
        const message = (body as { message?: string } | undefined)?.message ?? response.statusText;
        throw new HttpFetchError(message, request, response, body);
      }
      return body as T;
    };
  return {
    basePath: { get: () => basePath, prepend: (p) => `${basePath}${p}`, serverBasePath: '' },
    fetch: handler('GET'),
    get: handler('GET'),
    post: handler('POST'),
  };
}

let toastId = 0;

export function createDevCore(config: DevHostConfig) {
  const spaceMatch = /^\/s\/([^/]+)/.exec(window.location.pathname);
  const basePath = spaceMatch ? `/s/${spaceMatch[1]}` : '';
  const params = new URLSearchParams(window.location.search);
  const storedTheme = window.localStorage.getItem('mlDemoDevTheme');
  const dark = (params.get('theme') ?? storedTheme) === 'dark';
  const theme = new Store<CoreTheme>({ darkMode: dark, name: 'borealis' });
  const toasts = new Store<EuiGlobalToastListToast[]>([]);
  const breadcrumbs = new Store<{ text: string; href?: string }[]>([]);
  const apps: App[] = [];

  const addToast = (color: EuiGlobalToastListToast['color'], iconType: string) => (input: ToastInput) => {
    const fields = typeof input === 'string' ? { title: input } : input;
    const toast: EuiGlobalToastListToast = { id: `toast-${++toastId}`, color, iconType, ...fields };
    toasts.next([...toasts.value, toast]);
    return toast;
  };

  const application: CoreStart['application'] = {
    getUrlForApp: (appId, options = {}) => {
      const path = `${basePath}/app/${APP_ROUTES[appId] ?? appId}${options.path ?? ''}`;
      return options.absolute ? new URL(path, window.location.origin).href : path;
    },
    navigateToUrl: async (url) => window.location.assign(url),
    navigateToApp: async (appId, options = {}) => window.location.assign(application.getUrlForApp(appId, options)),
  };

  const coreStart: CoreStart = {
    // Kibana's I18nProvider with the default (English) messages; the marker lets the browser test
    // see that the page is mounted inside core's render context.
    i18n: { Context: ({ children }) => <div data-test-subj="devHostI18nContext" style={{ display: 'contents' }}>{children}</div> },
    http: createHttp(basePath, config),
    notifications: {
      toasts: {
        addSuccess: addToast('success', 'check'),
        addWarning: addToast('warning', 'warning'),
        addDanger: addToast('danger', 'error'),
        addError: (error, options) => addToast('danger', 'error')({ title: options.title, text: options.toastMessage ?? error.message }),
      },
    },
    application,
    theme: { theme$: theme, getTheme: () => theme.value },
    chrome: { docTitle: { change: (t) => void (document.title = `${[t].flat().join(' - ')} - Elastic`) }, setBreadcrumbs: (b) => breadcrumbs.next(b) },
  };
  const coreSetup: CoreSetup<object> = {
    application: { register: (app) => void apps.push(app) },
    getStartServices: async () => [coreStart, {}, undefined],
  };

  const setDark = (on: boolean) => {
    window.localStorage.setItem('mlDemoDevTheme', on ? 'dark' : 'light');
    theme.next({ darkMode: on, name: 'borealis' });
  };

  const Chrome: React.FC = () => {
    const { darkMode } = useStore(theme);
    const list = useStore(toasts);
    const crumbs = useStore(breadcrumbs);
    const space = spaceFromBasePath(basePath);
    return (
      <EuiProvider colorMode={darkMode ? 'dark' : 'light'}>
        <EuiHeader position="static" theme="dark">
          <EuiHeaderSection>
            <EuiHeaderSectionItem>
              <EuiHeaderLogo href="#" logoType="horizontal" iconTitle="Elastic (dev host)" />
            </EuiHeaderSectionItem>
          </EuiHeaderSection>
          <EuiHeaderBreadcrumbs aria-label="Breadcrumbs" breadcrumbs={crumbs} />
          <EuiHeaderSection side="right">
            <EuiHeaderSectionItem>
              <EuiBadge color="hollow" data-test-subj="devHostSpace">
                Space: {space}
              </EuiBadge>
            </EuiHeaderSectionItem>
            <EuiHeaderSectionItem>
              <EuiBadge color="accent" title="A standalone page with the plugin's real routes; not Kibana">
                dev host · Kibana {config.kibanaVersion}
              </EuiBadge>
            </EuiHeaderSectionItem>
            <EuiHeaderSectionItem>
              <EuiHeaderSectionItemButton
                aria-label={darkMode ? 'Switch to the light theme' : 'Switch to the dark theme'}
                aria-pressed={darkMode}
                onClick={() => setDark(!darkMode)}
                data-test-subj="themeToggle"
              >
                <EuiIcon type={darkMode ? 'sun' : 'moon'} />
              </EuiHeaderSectionItemButton>
            </EuiHeaderSectionItem>
          </EuiHeaderSection>
        </EuiHeader>
        <EuiGlobalToastList toasts={list} dismissToast={(t) => toasts.next(toasts.value.filter((x) => x.id !== t.id))} toastLifeTimeMs={8000} />
      </EuiProvider>
    );
  };

  const renderChrome = (element: HTMLElement) => createRoot(element).render(<Chrome />);

  return { coreSetup, coreStart, apps, theme, renderChrome, basePath };
}
