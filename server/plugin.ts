/**
 * The server side of the plugin, as thin as Kibana's examples/routing_example/server/plugin.ts:
 * it registers the feature, the run task and the routes; runs live in the RunManager, the work in
 * server/installers. Required plugins: features (server/feature.ts), licensing (the licence the
 * preflight checks), taskManager (runs, server/runs/run_task.ts; live mode, server/live/live_task.ts). Optional: ml (module setup),
 * alerting (rules, manual rule runs), securitySolution (Elastic's prebuilt rules, through its
 * HTTP API: kibana_self_http.ts), spaces (space id).
 */
import { createPluginKibanaApi, type AlertingStart, type MlModulesProvider, type RulesClientLike } from './kibana_api';
import { ML_DEMO_DATA_FEATURE } from './feature';
import { prebuiltRulesInstaller } from './installers/prebuilt_rules';
import { selfInternalCall } from './kibana_self_http';
import type { StackSource } from './installers/preflight';
import type {
  CoreSetup,
  CoreStart,
  FeaturesPluginSetup,
  KibanaRequest,
  LicensingPluginStart,
  Plugin,
  PluginInitializerContext,
  SavedObjectsClientContract,
  SpacesPluginStart,
  TaskManagerSetupContract,
  TaskManagerStartContract,
} from './kibana_shim';
import { registerRoutes, type KibanaSide } from './routes';
import { RunManager, type RunManagerOptions } from './runs/run_manager';
import { RUN_TASK_TYPE, runTaskAlive, runTaskDefinitions, runTaskId, type RunTaskParams } from './runs/run_task';
import { LIVE_TASK_INTERVAL, LIVE_TASK_TYPE, liveRound, liveTaskDefinitions, liveTaskId } from './live/live_task';

export interface MlDemoDataSetupDeps {
  features: FeaturesPluginSetup;
  taskManager: TaskManagerSetupContract;
  ml?: MlModulesProvider;
}
export interface MlDemoDataStartDeps {
  licensing: LicensingPluginStart;
  taskManager: TaskManagerStartContract;
  spaces?: SpacesPluginStart;
  alerting?: AlertingStart;
  /** Only its presence is used: its start contract is empty (security_solution/server/plugin_contract.ts). */
  securitySolution?: object;
}

export class MlDemoDataPlugin implements Plugin<void, void, MlDemoDataSetupDeps, MlDemoDataStartDeps> {
  private readonly runs: RunManager;
  private taskManager?: TaskManagerStartContract;
  /** The clock of runs and live rounds (tests move it). */
  private readonly now: () => number;

  constructor(
    private readonly context: PluginInitializerContext,
    /** Tests only (router harness): installer defaults, a stand-in runInstall. */
    runOptions: Partial<RunManagerOptions> = {},
  ) {
    this.now = runOptions.now ?? Date.now;
    this.runs = new RunManager({
      taskAlive: async (runId) => (this.taskManager ? runTaskAlive(this.taskManager, runId) : undefined),
      ...runOptions,
      logger: context.logger.get('runs'),
    });
  }

  setup(core: CoreSetup<MlDemoDataStartDeps>, plugins: MlDemoDataSetupDeps): void {
    const kibanaVersion = this.context.env.packageInfo.version;
    const logger = this.context.logger.get('routes');
    const startServices = core.getStartServices();

    plugins.features.registerKibanaFeature(ML_DEMO_DATA_FEATURE);

    // The licence as Kibana knows it (the licensing plugin polls it as kibana_system): the user
    // needs no `monitor` privilege, which `GET _license` would require.
    const stack: StackSource = {
      version: kibanaVersion,
      async license() {
        const [, { licensing }] = await startServices;
        const license = await licensing.getLicense();
        if (!license.isAvailable) return { type: 'unavailable', status: license.getUnavailableReason() ?? 'unavailable' };
        return { type: license.type ?? 'unknown', status: license.status ?? (license.isActive ? 'active' : 'invalid') };
      },
    };

    const kibanaSide = async (request: KibanaRequest, savedObjectsClient: SavedObjectsClientContract, space: string): Promise<KibanaSide> => {
      const [, start] = await startServices;
      const notices: string[] = [];
      let rulesClient: RulesClientLike | undefined;
      if (start.alerting) {
        try {
          rulesClient = await start.alerting.getRulesClientWithRequest(request);
        } catch (error) {
          notices.push(`Rules are skipped: no rules client for this user (${(error as Error).message}).`);
        }
      }
      if (!plugins.ml) notices.push('The ML plugin is not enabled: jobs are created through the Elasticsearch ML APIs.');
      // Elastic's prebuilt rules through Security's own API, as the user, when the Security Solution is there.
      const installPrebuiltRules = start.securitySolution
        ? prebuiltRulesInstaller(selfInternalCall({ server: core.http.getServerInfo(), serverBasePath: core.http.basePath.serverBasePath, request, space }))
        : undefined;
      const api = createPluginKibanaApi({ kibanaVersion, request, space, savedObjectsClient, ml: plugins.ml, rulesClient, installPrebuiltRules });
      return { api, rulesAvailable: Boolean(rulesClient), notices };
    };

    // The task runner: the run acts as the user through the task's API key (fakeRequest).
    plugins.taskManager.registerTaskDefinitions(
      runTaskDefinitions(async (params: RunTaskParams, fakeRequest, signal, attempt) => {
        const [coreStart] = await startServices;
        const es = coreStart.elasticsearch.client.asScoped(fakeRequest).asCurrentUser;
        const kibana = await kibanaSide(fakeRequest, coreStart.savedObjects.getScopedClient(fakeRequest), params.space);
        const log = (line: string) => logger.debug(line);
        return this.runs.execute({
          runId: params.runId,
          space: params.space,
          request: params.request,
          options: params.options,
          notices: params.notices,
          signal,
          attempt,
          deps: { es, kibana: kibana.api, space: params.space, stack, log },
        });
      }),
    );

    // Live mode: one round per task run, as the user through the task's API key.
    plugins.taskManager.registerTaskDefinitions(
      liveTaskDefinitions(async (params, state, fakeRequest, signal) => {
        const [coreStart] = await startServices;
        const es = coreStart.elasticsearch.client.asScoped(fakeRequest).asCurrentUser;
        return liveRound({ es, params, state, now: this.now(), signal, log: (line) => logger.debug(line) });
      }),
    );
    const taskManagerStart = async () => (await startServices)[1].taskManager;
    const notFound = (error: unknown) => {
      const e = error as { statusCode?: number; output?: { statusCode?: number } };
      return (e.statusCode ?? e.output?.statusCode) === 404;
    };

    const router = core.http.createRouter();
    registerRoutes(router, {
      logger,
      runs: this.runs,
      kibanaVersion,
      stack,
      async getSpaceId(request) {
        const [, start] = await startServices;
        return start.spaces?.spacesService.getSpaceId(request) ?? 'default';
      },
      async getKibanaSide(context, request) {
        const [, start] = await startServices;
        const space = start.spaces?.spacesService.getSpaceId(request) ?? 'default';
        return kibanaSide(request, (await context.core).savedObjects.client, space);
      },
      async scheduleRun(request, params) {
        const [, { taskManager }] = await startServices;
        await taskManager.schedule(
          { id: runTaskId(params.runId), taskType: RUN_TASK_TYPE, params: { ...params }, state: {}, scope: ['mlDemoData'] },
          { request },
        );
      },
      liveTask: {
        async schedule(request, params) {
          const taskManager = await taskManagerStart();
          await taskManager.schedule(
            {
              id: liveTaskId(params.namespace),
              taskType: LIVE_TASK_TYPE,
              params: { ...params },
              state: {},
              schedule: { interval: LIVE_TASK_INTERVAL },
              scope: ['mlDemoData'],
            },
            { request },
          );
        },
        async get(namespace) {
          try {
            return await (await taskManagerStart()).get(liveTaskId(namespace));
          } catch (error) {
            if (notFound(error)) return undefined;
            throw error;
          }
        },
        async remove(namespace) {
          const taskManager = await taskManagerStart();
          const exists = await this.get(namespace);
          await taskManager.removeIfExists(liveTaskId(namespace));
          return Boolean(exists);
        },
      },
      now: () => this.now(),
    });
  }

  start(_core: CoreStart, plugins: MlDemoDataStartDeps): void {
    this.taskManager = plugins.taskManager;
  }

  stop(): void {
    this.runs.stop();
  }
}
