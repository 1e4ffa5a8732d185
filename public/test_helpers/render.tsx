/** A fake Kibana core (http answered by a route table, toasts recorded) and a render helper. */
import React from 'react';
import { render } from '@testing-library/react';
import { EuiProvider } from '@elastic/eui';
import { APP_ROUTES, spacePrefix } from '../../common/links';
import { createServices } from '../application';
import type { CoreStart, HttpFetchOptions, MlDemoDataStartDeps } from '../kibana_shim';
import { ServicesProvider } from '../services';

export class FakeHttpError extends Error {
  constructor(
    readonly body: { statusCode: number; error?: string; message: string; attributes?: Record<string, unknown> },
  ) {
    super(body.message);
  }
  get response() {
    return { status: this.body.statusCode } as Response;
  }
}

export type Handler = (path: string, options: HttpFetchOptions & { method: string }) => unknown | Promise<unknown>;

export interface FakeCore {
  core: CoreStart;
  calls: { method: string; path: string; options: HttpFetchOptions }[];
  toasts: Record<'addSuccess' | 'addWarning' | 'addDanger' | 'addError', jest.Mock>;
}

/** `routes` maps 'GET /path' (or 'POST /path') to an answer, a function, or a FakeHttpError to throw. */
export function fakeCore(routes: Record<string, unknown>, space = 'default'): FakeCore {
  const calls: FakeCore['calls'] = [];
  const call = (method: string) =>
    (async (path: string, options: HttpFetchOptions = {}) => {
      calls.push({ method, path, options });
      const key = `${method} ${path}`;
      if (!(key in routes)) throw new FakeHttpError({ statusCode: 404, error: 'Not Found', message: `no route ${key}` });
      const answer = routes[key];
      const value = typeof answer === 'function' ? await (answer as Handler)(path, { ...options, method }) : answer;
      if (value instanceof FakeHttpError) throw value;
      return structuredCloneSafe(value);
    }) as CoreStart['http']['get'];
  const toasts = { addSuccess: jest.fn(), addWarning: jest.fn(), addDanger: jest.fn(), addError: jest.fn() };
  const basePath = spacePrefix(space);
  const core: CoreStart = {
    i18n: { Context: ({ children }) => <>{children}</> },
    http: { basePath: { get: () => basePath, prepend: (p: string) => `${basePath}${p}`, serverBasePath: '' }, fetch: call('GET'), get: call('GET'), post: call('POST') },
    notifications: { toasts },
    application: {
      getUrlForApp: (appId, options = {}) => `${basePath}/app/${APP_ROUTES[appId] ?? appId}${options.path ?? ''}`,
      navigateToUrl: jest.fn(async () => undefined),
      navigateToApp: jest.fn(async () => undefined),
    },
    theme: { theme$: { subscribe: () => ({ unsubscribe: () => undefined }) }, getTheme: () => ({ darkMode: false, name: 'borealis' }) },
  };
  return { core, calls, toasts };
}

function structuredCloneSafe<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function renderWithServices(ui: React.ReactElement, core: CoreStart, plugins: MlDemoDataStartDeps = {}) {
  const services = createServices(core, plugins);
  return render(
    <EuiProvider colorMode="light">
      <ServicesProvider services={services}>{ui}</ServicesProvider>
    </EuiProvider>,
  );
}
