/**
 * The page mounts as Kibana's apps do: react-dom's render into the app's element, inside
 * KibanaRenderContextProvider (`@kbn/react-kibana-context-render`) given core's theme and i18n;
 * the returned function unmounts it.
 */
import React from 'react';
import { act, screen, waitFor } from '@testing-library/react';
import * as renderContext from '@kbn/react-kibana-context-render';
import { ROUTES } from '../common/constants';
import { renderApp } from './application';
import type { CoreTheme } from './kibana_shim';
import { fakeCore } from './test_helpers/render';

describe('renderApp', () => {
  it('renders the page through the render context with core theme and i18n, and unmounts', async () => {
    const spy = jest.spyOn(renderContext, 'KibanaRenderContextProvider');
    const { core } = fakeCore({ [`GET ${ROUTES.modules}`]: { modules: [], variant: 'classic', stackVersion: '9.1.0' }, [`GET ${ROUTES.runs}`]: { run: null } });
    const listeners: ((t: CoreTheme) => void)[] = [];
    core.theme = { theme$: { subscribe: (next) => (listeners.push(next), { unsubscribe: () => undefined }) }, getTheme: () => ({ darkMode: false, name: 'borealis' }) };
    core.i18n = { Context: ({ children }) => <div data-test-subj="i18nContext">{children}</div> };
    const element = document.createElement('div');
    document.body.appendChild(element);

    let unmount!: () => void;
    act(() => {
      unmount = renderApp(core, {}, { element, appBasePath: '/app/mlDemoData', theme$: core.theme.theme$ });
    });
    await waitFor(() => expect(screen.getByTestId('mlDemoDataPage')).toBeTruthy());
    // Inside core's i18n context, given by the render context provider with core's services.
    expect(screen.getByTestId('i18nContext').contains(screen.getByTestId('mlDemoDataPage'))).toBe(true);
    expect(spy).toHaveBeenCalled();
    const props = spy.mock.calls[0][0];
    expect(props.theme).toBe(core.theme);
    expect(props.i18n).toBe(core.i18n);
    // The colour mode follows core's theme$ (the provider subscribes to it).
    expect(listeners.length).toBeGreaterThan(0);
    act(() => listeners.forEach((l) => l({ darkMode: true, name: 'borealis' })));

    act(() => unmount());
    expect(element.innerHTML).toBe('');
    element.remove();
  });
});
