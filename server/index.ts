/** Server entry point (Kibana loads `plugin` from here; the plugin class is loaded lazily). */
import type { PluginInitializerContext } from './kibana_shim';

export async function plugin(initializerContext: PluginInitializerContext) {
  const { MlDemoDataPlugin } = await import('./plugin');
  return new MlDemoDataPlugin(initializerContext);
}

export type { MlDemoDataSetupDeps, MlDemoDataStartDeps } from './plugin';
