/**
 * Mounts the page into the element Kibana gives the app, with EUI in Kibana's colour mode (light
 * or dark, following core's theme$), and returns the unmount function.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { EuiProvider } from '@elastic/eui';
import { PLUGIN_NAME } from '../common/constants';
import { createApiClient } from './api';
import { MlDemoDataApp } from './components/app';
import type { AppMountParameters, AppUnmount, CoreStart, CoreTheme, MlDemoDataStartDeps, Subscribable } from './kibana_shim';
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

/** Follows the theme observable (it replays the current theme on subscribe). */
function useColorMode(theme$: Subscribable<CoreTheme>, initial: CoreTheme): 'light' | 'dark' {
  const [dark, setDark] = useState(initial.darkMode);
  useEffect(() => {
    const sub = theme$.subscribe((t) => setDark(t.darkMode));
    return () => sub.unsubscribe();
  }, [theme$]);
  return dark ? 'dark' : 'light';
}

export const AppRoot: React.FC<{ services: Services; theme$: Subscribable<CoreTheme>; initialTheme: CoreTheme }> = ({ services, theme$, initialTheme }) => {
  const colorMode = useColorMode(theme$, initialTheme);
  return (
    // Kibana's core renders the global styles and utility classes once for the whole page (as
    // KibanaRenderContextProvider does for app mounts); this provider only sets the colour mode.
    <EuiProvider colorMode={colorMode} globalStyles={false} utilityClasses={false}>
      <ServicesProvider services={services}>
        <MlDemoDataApp />
      </ServicesProvider>
    </EuiProvider>
  );
};

export function renderApp(core: CoreStart, plugins: MlDemoDataStartDeps, params: AppMountParameters): AppUnmount {
  core.chrome?.docTitle.change(PLUGIN_NAME);
  core.chrome?.setBreadcrumbs([{ text: 'Security' }, { text: PLUGIN_NAME }]);
  const root = createRoot(params.element);
  root.render(<AppRoot services={createServices(core, plugins)} theme$={params.theme$ ?? core.theme.theme$} initialTheme={core.theme.getTheme()} />);
  return () => root.unmount();
}
