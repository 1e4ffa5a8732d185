/**
 * The server side of the plugin, as thin as Kibana's examples/routing_example/server/plugin.ts:
 * it creates the router and registers the routes; runs live in the RunManager, the work in
 * server/installers. Optional plugins: ml (module setup), alerting (rules), spaces (space id).
 */
import { createPluginKibanaApi, type AlertingStart, type MlModulesProvider, type RulesClientLike } from './kibana_api';
import type { CoreSetup, CoreStart, Plugin, PluginInitializerContext, SpacesPluginStart } from './kibana_shim';
import { registerRoutes, type KibanaSide } from './routes';
import { RunManager, type RunManagerOptions } from './runs/run_manager';

export interface MlDemoDataSetupDeps {
  ml?: MlModulesProvider;
}
export interface MlDemoDataStartDeps {
  spaces?: SpacesPluginStart;
  alerting?: AlertingStart;
}

export class MlDemoDataPlugin implements Plugin<void, void, MlDemoDataSetupDeps, MlDemoDataStartDeps> {
  private readonly runs: RunManager;

  constructor(
    private readonly context: PluginInitializerContext,
    /** Tests only (router harness): installer defaults, a stand-in runInstall. */
    runOptions: Partial<RunManagerOptions> = {},
  ) {
    this.runs = new RunManager({ ...runOptions, logger: context.logger.get('runs') });
  }

  setup(core: CoreSetup<MlDemoDataStartDeps>, plugins: MlDemoDataSetupDeps): void {
    const kibanaVersion = this.context.env.packageInfo.version;
    const router = core.http.createRouter();
    registerRoutes(router, {
      logger: this.context.logger.get('routes'),
      runs: this.runs,
      kibanaVersion,
      async getSpaceId(request) {
        const [, start] = await core.getStartServices();
        return start.spaces?.spacesService.getSpaceId(request) ?? 'default';
      },
      async getKibanaSide(context, request): Promise<KibanaSide> {
        const [, start] = await core.getStartServices();
        const notices: string[] = [];
        let rulesClient: RulesClientLike | undefined;
        if (start.alerting) {
          try {
            rulesClient = await start.alerting.getRulesClientWithRequest(request);
          } catch (error) {
            notices.push(`Rules are skipped: no rules client for this user (${(error as Error).message}).`);
          }
        }
        if (!plugins.ml) notices.push('The ML plugin is not enabled: jobs are created through the Elasticsearch ML APIs and get their ML saved objects at the next ML sync.');
        if (!plugins.ml && !rulesClient) return { rulesAvailable: false, notices };
        const savedObjectsClient = (await context.core).savedObjects.client;
        return { api: createPluginKibanaApi({ kibanaVersion, request, savedObjectsClient, ml: plugins.ml, rulesClient }), rulesAvailable: Boolean(rulesClient), notices };
      },
    });
  }

  start(_core: CoreStart, _plugins: MlDemoDataStartDeps): void {}

  stop(): void {
    this.runs.stop();
  }
}
