/**
 * Stand-in for `@kbn/react-kibana-context-render`, one of Kibana's shared UI externals
 * (src/platform/packages/private/kbn-ui-shared-deps-src/src/definitions.js maps it to
 * `__kbnSharedDeps__.KbnReactKibanaContextRender`). Inside Kibana the import resolves to Kibana's
 * own package; tsconfig `paths`, Jest's moduleNameMapper and the dev bundle (esbuild reads the same
 * tsconfig) resolve it here, because no @kbn/* package is on npm.
 *
 * It mirrors src/platform/packages/shared/react/kibana_context/render/render_provider.tsx:
 * KibanaRootContextProvider with `globalStyles={false}` (Kibana renders those once for the page)
 * — EUI in the colour mode of `theme.theme$`, wrapped in core's `i18n.Context` — around the
 * children. Kibana's error boundary and emotion cache set-up are not reproduced.
 */
import React, { useEffect, useState, type FC, type PropsWithChildren } from 'react';
import { EuiProvider } from '@elastic/eui';
import type { CoreTheme, I18nStart, Subscribable, ThemeServiceStart } from '../kibana_shim';

/** render_provider.tsx (`KibanaRenderContextProviderProps`), the props used here. */
export interface KibanaRenderContextProviderProps {
  i18n: I18nStart;
  theme: ThemeServiceStart;
  analytics?: unknown;
  executionContext?: unknown;
  userProfile?: unknown;
}

function useDarkMode(theme$: Subscribable<CoreTheme>, initial: CoreTheme): boolean {
  const [dark, setDark] = useState(initial.darkMode);
  useEffect(() => {
    const sub = theme$.subscribe((t) => setDark(t.darkMode));
    return () => sub.unsubscribe();
  }, [theme$]);
  return dark;
}

export const KibanaRenderContextProvider: FC<PropsWithChildren<KibanaRenderContextProviderProps>> = ({ children, i18n, theme }) => {
  const dark = useDarkMode(theme.theme$, theme.getTheme());
  return (
    <EuiProvider colorMode={dark ? 'dark' : 'light'} globalStyles={false} utilityClasses={false}>
      <i18n.Context>{children}</i18n.Context>
    </EuiProvider>
  );
};
