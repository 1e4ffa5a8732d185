/**
 * The dev host's browser entry: starts the plugin as Kibana does (plugin() → setup → start), then
 * mounts the app it registered into the page, exactly through `mount(params)` (which lazy-loads
 * public/application.tsx).
 */
// Inter, the font EUI's theme uses (Kibana ships it too).
import '@fontsource/inter/400.css';
import '@fontsource/inter/500.css';
import '@fontsource/inter/600.css';
import '@fontsource/inter/700.css';
import { PLUGIN_ID } from '../../common/constants';
import { plugin } from '../../public';
import { createDevCore, type DevHostConfig } from './core';

declare global {
  interface Window {
    __ML_DEMO_DEV_HOST__: DevHostConfig;
  }
}

async function main() {
  const { coreSetup, coreStart, apps, theme, renderChrome, basePath } = createDevCore(window.__ML_DEMO_DEV_HOST__);
  renderChrome(document.getElementById('chrome') as HTMLElement);
  const p = plugin();
  p.setup(coreSetup, {});
  p.start(coreStart, {});
  const app = apps.find((a) => a.id === PLUGIN_ID);
  if (!app) throw new Error(`the plugin did not register app ${PLUGIN_ID}`);
  const element = document.getElementById('app') as HTMLElement;
  const unmount = await app.mount({ element, appBasePath: `${basePath}/app/${PLUGIN_ID}`, theme$: theme });
  window.addEventListener('beforeunload', () => unmount());
}

main().catch((error: unknown) => {
  document.getElementById('app')!.textContent = `The dev host failed to start the page: ${String((error as Error)?.stack ?? error)}`;
});
