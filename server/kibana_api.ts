/**
 * KibanaApi inside Kibana. Kibana's own HTTP API cannot be called from the server, so the
 * installer's Kibana side goes through plugin contracts scoped to the user's request:
 * - ML module setup through the ML plugin's `modulesProvider(request, savedObjectsClient)`;
 * - rules through the alerting plugin's rules client for the request (`siem.mlRule` rules);
 * - ML saved objects for jobs made through the ES API with the request's saved-objects client.
 * Both apply the user's own Kibana privileges. What is missing is reported, never faked.
 */
import { datafeedId } from '../common/requests';
import {
  backfillParam,
  backfillShapeFor,
  isBackfillError,
  isBackfillShapeError,
  MAX_SCHEDULE_BACKFILL_BULK_SIZE,
  type BackfillShape,
  type ScheduleBackfillParams,
  type ScheduleBackfillResults,
} from './alerting_backfill_shim';
import type { KibanaRequest, SavedObjectsClientContract } from './kibana_shim';
import type { KibanaApi, ModuleSetupResult, PrebuiltInstallResult, PrebuiltRuleRef, RuleSummary } from './installers/types';

/**
 * x-pack/platform/plugins/shared/ml/server/shared_services/providers/modules.ts (`ModulesProvider`):
 * the part of the ML plugin's setup contract used here. `getModule` is DataRecognizer.getModule,
 * `setup` takes `{ moduleId, ...setupModuleBodySchema }` and answers DataRecognizerConfigResponse.
 */
export interface MlModulesProvider {
  modulesProvider(
    request: KibanaRequest,
    savedObjectsClient: SavedObjectsClientContract,
  ): {
    getModule(moduleId: string): Promise<{ jobs: { id: string; config: unknown }[] }>;
    setup(payload: { moduleId: string } & Record<string, unknown>): Promise<{
      jobs: { id: string; success: boolean; error?: unknown }[];
      datafeeds: { id: string; success: boolean; started: boolean; error?: unknown }[];
    }>;
  };
}

/** x-pack/platform/plugins/shared/alerting/server/rules_client/rules_client.ts (`RulesClient`), subset. */
export interface RulesClientLike {
  find(params: { options: { filter?: string; page?: number; perPage?: number } }): Promise<{ total: number; data: AlertingRule[] }>;
  create(params: { data: Record<string, unknown> }): Promise<AlertingRule>;
  bulkEnableRules(params: { ids: string[] }): Promise<{ errors: { message: string; rule: { id: string } }[] }>;
  bulkDeleteRules(params: { ids: string[] }): Promise<{ errors: { message: string; rule: { id: string } }[] }>;
  /** Manual rule run (8.15+; alerting_backfill_shim.ts): throws a Boom 400 on invalid params or when no rule matches. */
  scheduleBackfill?(params: ScheduleBackfillParams): Promise<ScheduleBackfillResults>;
}
/** Same plugin, `SanitizedRule`: the fields read here. */
export interface AlertingRule {
  id: string;
  name: string;
  enabled: boolean;
  tags: string[];
  params: Record<string, unknown>;
}
/** x-pack/platform/plugins/shared/alerting/server/plugin.ts (`AlertingServerStart`), subset. */
export interface AlertingStart {
  getRulesClientWithRequest(request: KibanaRequest): RulesClientLike | Promise<RulesClientLike>;
}

export interface PluginKibanaApiSources {
  kibanaVersion: string;
  request: KibanaRequest;
  /** The run's space: where the jobs' ML saved objects are created. */
  space: string;
  savedObjectsClient: SavedObjectsClientContract;
  ml?: MlModulesProvider;
  rulesClient?: RulesClientLike;
  /** Security's prebuilt-rules installation when the Security Solution is there (installers/prebuilt_rules.ts over kibana_self_http.ts). */
  installPrebuiltRules?: (rules: PrebuiltRuleRef[]) => Promise<PrebuiltInstallResult>;
}

/**
 * The ML saved object of an anomaly detection job, as x-pack/platform/plugins/shared/ml/server/saved_objects/service.ts
 * (`_createJob`) makes it: type `ml-job` (registered in saved_objects.ts: not hidden, namespaceType
 * 'multiple'), id `anomaly-detector-<jobId>`, attributes `{ job_id, datafeed_id, type }`. ML's
 * jobIdsCheck only shows a job in the spaces of this object.
 */
export function mlJobSavedObject(jobId: string) {
  return {
    type: 'ml-job',
    id: `anomaly-detector-${jobId}`,
    attributes: { job_id: jobId, datafeed_id: datafeedId(jobId), type: 'anomaly-detector' as const },
  };
}

/** An Error the installer's toInstallError understands (statusCode), keeping the original message. */
function withStatus(error: unknown, fallbackStatus: number): Error {
  const e = error as { statusCode?: number; output?: { statusCode?: number }; message?: string; constructor?: { name?: string } };
  const kind = e?.constructor?.name ?? '';
  // ML's guards throw these classes without a status (x-pack/.../ml/server/shared_services/errors.ts, license errors).
  const guardStatus = /Insufficient.*License|InsufficientMLCapabilities/.test(kind) ? 403 : /MLPrivilegesUninitialized|UnknownMLCapabilities/.test(kind) ? 503 : undefined;
  const statusCode = e?.statusCode ?? e?.output?.statusCode ?? guardStatus ?? fallbackStatus;
  const message = e?.message || kind || String(error);
  return Object.assign(new Error(guardStatus === 403 ? `${message} (${kind})` : message), { statusCode });
}

function setupError(error: unknown): ModuleSetupResult['jobs'][number]['error'] {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  const e = error as { msg?: string; message?: string; reason?: string; statusCode?: number; body?: { error?: { reason?: string } }; meta?: { statusCode?: number; body?: { error?: { reason?: string } } } };
  return { msg: e.msg ?? e.message, reason: e.reason ?? e.body?.error?.reason ?? e.meta?.body?.error?.reason, statusCode: e.statusCode ?? e.meta?.statusCode };
}

const quote = (v: string) => JSON.stringify(v);

function summary(rule: AlertingRule): RuleSummary {
  return { id: rule.id, rule_id: String(rule.params.ruleId), name: rule.name, enabled: rule.enabled, tags: rule.tags ?? [], immutable: Boolean(rule.params.immutable) };
}

/**
 * A Detection Engine API body (common/requests.ts ruleCreateBody) as the alerting rule the
 * Security Solution stores for it: rule type `siem.mlRule`, camelCase params as in
 * x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_schema/model/rule_schemas.ts
 * (BaseRuleParams & MachineLearningSpecificRuleParams). Only machine_learning rules are needed.
 */
export function toAlertingMlRule(body: Record<string, unknown>): Record<string, unknown> {
  if (body.type !== 'machine_learning') throw Object.assign(new Error(`Only machine_learning rules can be created here (got type ${String(body.type)})`), { statusCode: 400 });
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
  const params: Record<string, unknown> = {
    type: 'machine_learning',
    ruleId: body.rule_id,
    anomalyThreshold: body.anomaly_threshold,
    machineLearningJobId: list(body.machine_learning_job_id).map(String),
    author: list(body.author),
    description: body.description,
    falsePositives: list(body.false_positives),
    from: body.from ?? 'now-6m',
    to: body.to ?? 'now',
    immutable: false,
    ruleSource: { type: 'internal' },
    outputIndex: '',
    maxSignals: body.max_signals ?? 100,
    riskScore: body.risk_score,
    riskScoreMapping: [],
    severity: body.severity,
    severityMapping: [],
    threat: list(body.threat),
    references: list(body.references),
    version: body.version ?? 1,
    exceptionsList: [],
    relatedIntegrations: [],
    requiredFields: [],
    setup: '',
    ...(body.license ? { license: body.license } : {}),
    ...(body.note ? { note: body.note } : {}),
  };
  return {
    name: body.name,
    alertTypeId: 'siem.mlRule',
    consumer: 'siem',
    enabled: body.enabled ?? true,
    tags: list(body.tags),
    schedule: { interval: body.interval ?? '5m' },
    actions: [],
    params,
  };
}

export function createPluginKibanaApi(src: PluginKibanaApiSources): KibanaApi {
  const modules = src.ml?.modulesProvider(src.request, src.savedObjectsClient);
  const rules = () => {
    if (!src.rulesClient) throw Object.assign(new Error('Rules cannot be managed from this Kibana: the alerting plugin is not available.'), { statusCode: 501 });
    return src.rulesClient;
  };
  const find = async (filter: string): Promise<RuleSummary[]> => {
    const out: RuleSummary[] = [];
    for (let page = 1; ; page++) {
      const res = await rules().find({ options: { filter, page, perPage: 100 } }).catch((e) => Promise.reject(withStatus(e, 500)));
      out.push(...res.data.map(summary));
      if (out.length >= res.total || res.data.length === 0) return out;
    }
  };
  const failOnErrors = (what: string, res: { errors: { message: string; rule: { id: string } }[] }) => {
    if (res.errors.length) throw Object.assign(new Error(`${what}: ${res.errors.map((e) => `${e.rule.id}: ${e.message}`).join('; ')}`), { statusCode: 500 });
  };

  return {
    version: async () => src.kibanaVersion,
    async getModule(moduleId) {
      if (!modules) return undefined;
      try {
        const m = await modules.getModule(moduleId);
        return { jobs: m.jobs.map((j) => ({ id: j.id, config: j.config })) };
      } catch (error) {
        const e = withStatus(error, 500) as Error & { statusCode: number };
        if (e.statusCode === 404) return undefined;
        throw e;
      }
    },
    async setupModule(moduleId, body) {
      if (!modules) throw Object.assign(new Error('The ML plugin is not available in this Kibana.'), { statusCode: 501 });
      const res = await modules.setup({ ...body, moduleId }).catch((e) => Promise.reject(withStatus(e, 500)));
      return {
        jobs: res.jobs.map((j) => ({ id: j.id, success: j.success, error: setupError(j.error) })),
        datafeeds: res.datafeeds.map((d) => ({ id: d.id, success: d.success, started: d.started, error: setupError(d.error) })),
      };
    },
    // Module setup creates the saved objects itself. Jobs made through the ES API get the one
    // ML's own job creation makes (mlSavedObjectService.createAnomalyDetectionJob, see
    // mlJobSavedObject), in the run's space, as the user: the ML plugin exposes no sync contract.
    async syncMlSavedObjects(jobIds = []) {
      const failed: string[] = [];
      for (const jobId of jobIds) {
        const { type, id, attributes } = mlJobSavedObject(jobId);
        await src.savedObjectsClient.create(type, attributes, { id, overwrite: true, initialNamespaces: [src.space] }).catch((e) => failed.push(`${jobId}: ${withStatus(e, 500).message}`));
      }
      if (failed.length) throw Object.assign(new Error(failed.join('; ')), { statusCode: 500 });
    },
    async findRules({ ruleIds, tag }) {
      if (ruleIds) return ruleIds.length ? find(`alert.attributes.params.ruleId: (${ruleIds.map(quote).join(' OR ')})`) : [];
      return find(tag ? `alert.attributes.tags: ${quote(tag)}` : 'alert.attributes.alertTypeId: "siem.mlRule"');
    },
    async createRule(body) {
      // The alerting client does not know rule_id; Security Solution keeps it unique, so do we.
      if ((await find(`alert.attributes.params.ruleId: ${quote(String(body.rule_id))}`)).length) return { conflict: true };
      const created = await rules().create({ data: toAlertingMlRule(body) }).catch((e) => Promise.reject(withStatus(e, 500)));
      return summary(created);
    },
    async enableRules(ids) {
      if (ids.length) failOnErrors('Enabling rules', await rules().bulkEnableRules({ ids }).catch((e) => Promise.reject(withStatus(e, 500))));
    },
    async deleteRules(ids) {
      if (ids.length) failOnErrors('Deleting rules', await rules().bulkDeleteRules({ ids }).catch((e) => Promise.reject(withStatus(e, 500))));
    },
    ...(src.installPrebuiltRules ? { installPrebuiltRules: src.installPrebuiltRules } : {}),
    // The manual rule run as the Security Solution schedules it (bulk_schedule_rule_run.ts): the
    // rules client's scheduleBackfill with the rules' saved-object ids, one param per rule, results
    // in the same order. The shape is this Kibana version's; if the client refuses it as another
    // version's, the other shapes are tried once each.
    async runRules(ids, start, end) {
      if (!ids.length) return { errors: [] };
      const client = rules();
      if (!client.scheduleBackfill) throw Object.assign(new Error('This Kibana cannot run rules manually (the rules client has no scheduleBackfill; Kibana 8.15+).'), { statusCode: 501 });
      const first = backfillShapeFor(src.kibanaVersion);
      const shapes: BackfillShape[] = [first, ...(['ranges', 'ranges_initiator', 'start_end'] as const).filter((s) => s !== first)];
      const errors: string[] = [];
      for (let i = 0; i < ids.length; i += MAX_SCHEDULE_BACKFILL_BULK_SIZE) {
        const chunk = ids.slice(i, i + MAX_SCHEDULE_BACKFILL_BULK_SIZE);
        let results: ScheduleBackfillResults | undefined;
        for (const shape of shapes) {
          const params: ScheduleBackfillParams = chunk.map((id) => backfillParam(shape, id, start, end));
          try {
            results = await client.scheduleBackfill(params);
            break;
          } catch (error) {
            if (!isBackfillShapeError(error) || shape === shapes[shapes.length - 1]) throw withStatus(error, 500);
          }
        }
        for (const r of results ?? []) if (isBackfillError(r)) errors.push(`${r.error.rule.name ?? r.error.rule.id}: ${r.error.message}`);
      }
      return { errors };
    },
  };
}
