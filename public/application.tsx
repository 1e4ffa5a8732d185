/**
 * Mounts the page into the element Kibana gives the app, as Kibana's apps do: `react-dom`'s
 * render/unmountComponentAtNode (a shared external; `react-dom/client` is not one) inside
 * KibanaRenderContextProvider from `@kbn/react-kibana-context-render` (Kibana's theme, colour
 * mode following core's theme$, i18n), and returns the unmount function.
 */
import React from 'react';
import { render, unmountComponentAtNode } from 'react-dom';
import { KibanaRenderContextProvider } from '@kbn/react-kibana-context-render';
import { PLUGIN_NAME } from '../common/constants';
import { createApiClient } from './api';
import { MlDemoDataApp } from './components/app';
import type { AppMountParameters, AppUnmount, CoreStart, MlDemoDataStartDeps } from './kibana_shim';
import { ServicesProvider, createLinkBuilders, spaceOf, type Services } from './services';

export function createServices(core: CoreStart, plugins: MlDemoDataStartDeps): Services {
  return {
    api: createApiClient(core.http),
    toasts: core.notifications.toasts,
    links: createLinkBuilders(core, plugins),
    navigateToUrl: core.application.navigateToUrl,
    space: spaceOf(core),
  };
}

export const AppRoot: React.FC<{ services: Services }> = ({ services }) => (
  <ServicesProvider services={services}>
    <MlDemoDataApp />
  </ServicesProvider>
);

export function renderApp(core: CoreStart, plugins: MlDemoDataStartDeps, params: AppMountParameters): AppUnmount {
  core.chrome?.docTitle.change(PLUGIN_NAME);
  core.chrome?.setBreadcrumbs([{ text: 'Security' }, { text: PLUGIN_NAME }]);
  render(
    <KibanaRenderContextProvider {...core}>
      <AppRoot services={createServices(core, plugins)} />
    </KibanaRenderContextProvider>,
    params.element,
  );
  return () => unmountComponentAtNode(params.element);
}
