/**
 * Browser side of the plugin: registers the "Generate ML demo data" app. The page itself is loaded
 * lazily on first mount (as Kibana's examples/routing_example does), so the plugin adds almost
 * nothing to Kibana's initial bundle.
 */
import { PLUGIN_ID, PLUGIN_NAME } from '../common/constants';
import type { AppMountParameters, CoreSetup, CoreStart, MlDemoDataStartDeps, Plugin } from './kibana_shim';

/** Kibana's DEFAULT_APP_CATEGORIES.security (src/core/packages/application/common/src/default_app_categories.ts). */
const SECURITY_CATEGORY = { id: 'securitySolution', label: 'Security', order: 3000, euiIconType: 'logoSecurity' };

export class MlDemoDataPlugin implements Plugin<void, void, object, MlDemoDataStartDeps> {
  public setup(core: CoreSetup<MlDemoDataStartDeps>, _plugins: object = {}): void {
    core.application.register({
      id: PLUGIN_ID,
      title: PLUGIN_NAME,
      euiIconType: 'machineLearningApp',
      category: SECURITY_CATEGORY,
      async mount(params: AppMountParameters) {
        const [coreStart, plugins] = await core.getStartServices();
        const { renderApp } = await import('./application');
        return renderApp(coreStart, plugins, params);
      },
    });
  }

  public start(_core: CoreStart, _plugins: MlDemoDataStartDeps): void {}

  public stop(): void {}
}
