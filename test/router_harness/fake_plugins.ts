/**
 * The other plugins' contracts the harness plugs into the plugin, each backed by something real:
 * - spaces: the space of the request path (`/s/<space>/…`), as the spaces plugin resolves it;
 * - ml: `modulesProvider(request, savedObjectsClient)` over the stand-in Kibana's internal ML
 *   module routes (contract-checked there), with the request's credentials and space;
 * - alerting: a rules client per space that refuses `siem.mlRule` params missing what the
 *   Security Solution requires (rule_schemas.ts BaseRuleParams & MachineLearningSpecificRuleParams),
 *   schedules backfills as the alerting plugin validates them, and keeps its rules in memory or in
 *   the stand-in Kibana's detection rules (so Security's prebuilt-rules API and it share them);
 * - saved objects, licensing and features (below), and a logger that keeps what it is told.
 */
import { randomUUID } from 'node:crypto';
import { MAX_SCHEDULE_BACKFILL_BULK_SIZE, type Backfill, type BackfillShape, type ScheduleBackfillParam, type ScheduleBackfillResults } from '../../server/alerting_backfill_shim';
import type { AlertingRule, AlertingStart, MlModulesProvider, RulesClientLike } from '../../server/kibana_api';
import { buildRule } from '../standin/rules';
import type { RuleState } from '../standin/state';
import type { FeaturesPluginSetup, ILicense, KibanaFeatureConfig, KibanaRequest, LicensingPluginStart, Logger, SavedObjectsClientContract, SpacesPluginStart } from '../../server/kibana_shim';

export class RequestSpaces implements SpacesPluginStart {
  private readonly spaces = new WeakMap<object, string>();
  remember(request: KibanaRequest, space: string) {
    this.spaces.set(request, space);
  }
  readonly spacesService = { getSpaceId: (request: KibanaRequest) => this.spaces.get(request) ?? 'default' };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  context: string;
  message: string;
}

export function memoryLogger(lines: LogLine[], context = 'mlDemoData'): Logger {
  const log = (level: LogLine['level']) => (message: string | Error) => void lines.push({ level, context, message: message instanceof Error ? (message.stack ?? message.message) : message });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), get: (...parts) => memoryLogger(lines, [context, ...parts].join('.')) };
}

/** The ML plugin's setup contract over HTTP to a (stand-in) Kibana. */
export function httpMlPlugin(kibanaUrl: string, spaceOf: (request: KibanaRequest) => string): MlModulesProvider {
  return {
    modulesProvider(request) {
      const space = spaceOf(request);
      const base = kibanaUrl.replace(/\/$/, '') + (space === 'default' ? '' : `/s/${space}`);
      const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const auth = request.headers.authorization;
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            'kbn-xsrf': 'ml-demo-data',
            'x-elastic-internal-origin': 'Kibana',
            'elastic-api-version': '1',
            ...(typeof auth === 'string' ? { authorization: auth } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = (await res.json().catch(() => undefined)) as { message?: string } | undefined;
        if (!res.ok) throw Object.assign(new Error(json?.message ?? `HTTP ${res.status}`), { statusCode: res.status });
        return json as T;
      };
      return {
        getModule: (moduleId) => call('GET', `/internal/ml/modules/get_module/${encodeURIComponent(moduleId)}`),
        setup: ({ moduleId, ...body }) => call('POST', `/internal/ml/modules/setup/${encodeURIComponent(moduleId)}`, body),
      };
    },
  };
}

/** Required params of a `siem.mlRule` (x-pack/solutions/security/.../rule_schema/model/rule_schemas.ts). */
const ML_RULE_REQUIRED = ['author', 'description', 'falsePositives', 'from', 'ruleId', 'immutable', 'outputIndex', 'maxSignals', 'riskScore', 'riskScoreMapping', 'severity', 'severityMapping', 'threat', 'to', 'references', 'version', 'exceptionsList', 'type', 'anomalyThreshold', 'machineLearningJobId'];

type StoredRule = AlertingRule & Record<string, unknown> & { alertTypeId?: string; schedule?: { interval?: string } };

/** A backfill the fake rules client scheduled, with the params it was given. */
export interface ScheduledBackfill {
  space: string;
  param: ScheduleBackfillParam;
  backfill: Backfill;
}

export interface MemoryAlerting extends AlertingStart {
  /** Rules by space, then id (a snapshot when the rules live in the stand-in's store). */
  readonly rules: Map<string, Map<string, StoredRule>>;
  /** Every backfill scheduled (manual rule runs), in order. */
  readonly backfills: ScheduledBackfill[];
}

export interface MemoryAlertingOptions {
  /**
   * The stand-in Kibana's detection rules (`standin.state.rules`: space → rule_id → Detection
   * Engine rule). The rules client then reads and writes those, so a prebuilt rule installed
   * through Security's HTTP API is the rules client's too, as in Kibana (one `alert` saved object).
   */
  detectionRules?: Map<string, Map<string, RuleState>>;
  /** The scheduleBackfill parameter shape this "Kibana" validates (server/alerting_backfill_shim.ts); default 'ranges' (8.18–9.2). */
  backfillShape?: BackfillShape;
  now?: () => number;
}

/** KQL of the forms the plugin sends: `alert.attributes.<field>: "v"` or `: ("a" OR "b")`. */
function matches(rule: StoredRule, filter: string | undefined): boolean {
  const m = filter ? /^alert\.attributes\.([\w.]+): (.+)$/.exec(filter) : null;
  if (!m) return true;
  const values = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => JSON.parse(`"${x[1]}"`) as string);
  const field = m[1].split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], rule);
  return ([] as unknown[]).concat(field).some((v) => values.includes(String(v)));
}

interface RuleStore {
  all(space: string): StoredRule[];
  get(space: string, id: string): StoredRule | undefined;
  put(space: string, rule: StoredRule): void;
  enable(space: string, id: string): boolean;
  remove(space: string, id: string): boolean;
  snapshot(): Map<string, Map<string, StoredRule>>;
}

function memoryStore(): RuleStore {
  const rules = new Map<string, Map<string, StoredRule>>();
  const mine = (space: string) => rules.get(space) ?? rules.set(space, new Map()).get(space)!;
  return {
    all: (space) => [...mine(space).values()],
    get: (space, id) => mine(space).get(id),
    put: (space, rule) => void mine(space).set(rule.id, rule),
    enable: (space, id) => Boolean(mine(space).get(id) && (mine(space).get(id)!.enabled = true)),
    remove: (space, id) => mine(space).delete(id),
    snapshot: () => rules,
  };
}

/**
 * The same rules seen as the Detection Engine stores them in the stand-in (snake_case) and as the
 * alerting rules client returns them (camelCase params): the fields the plugin reads or writes.
 */
function detectionRulesStore(detection: Map<string, Map<string, RuleState>>): RuleStore {
  const extras = new Map<string, Record<string, unknown>>();
  const space = (s: string) => detection.get(s) ?? detection.set(s, new Map()).get(s)!;
  const toAlerting = (r: RuleState): StoredRule => ({
    id: r.id,
    name: String(r.name),
    enabled: Boolean(r.enabled),
    tags: (r.tags as string[]) ?? [],
    alertTypeId: r.type === 'machine_learning' ? 'siem.mlRule' : `siem.${String(r.type)}Rule`,
    consumer: 'siem',
    schedule: { interval: String(r.interval ?? '5m') },
    params: {
      ruleId: r.rule_id, type: r.type, immutable: Boolean(r.immutable), ruleSource: r.rule_source, from: r.from, to: r.to,
      machineLearningJobId: r.machine_learning_job_id, anomalyThreshold: r.anomaly_threshold, version: r.version,
    },
    ...extras.get(r.id),
  });
  const find = (s: string, id: string) => [...space(s).values()].find((r) => r.id === id);
  return {
    all: (s) => [...space(s).values()].map(toAlerting),
    get: (s, id) => ((r) => (r ? toAlerting(r) : undefined))(find(s, id)),
    put(s, rule) {
      const p = rule.params;
      extras.set(rule.id, { jobsMissingInSpace: rule.jobsMissingInSpace });
      space(s).set(String(p.ruleId), buildRule(
        {
          id: rule.id, rule_id: p.ruleId, name: rule.name, enabled: rule.enabled, tags: rule.tags, type: p.type, description: p.description,
          machine_learning_job_id: p.machineLearningJobId, anomaly_threshold: p.anomalyThreshold, risk_score: p.riskScore, severity: p.severity,
          from: p.from, to: p.to, interval: rule.schedule?.interval, version: p.version, immutable: p.immutable, rule_source: p.ruleSource,
        },
        'rules-client',
      ));
    },
    enable: (s, id) => Boolean(find(s, id) && (find(s, id)!.enabled = true)),
    remove(s, id) {
      const r = find(s, id);
      return Boolean(r && space(s).delete(r.rule_id));
    },
    snapshot: () => new Map([...detection.keys()].map((s) => [s, new Map([...space(s).values()].map((r) => [r.id, toAlerting(r)]))])),
  };
}

/** A Boom error as the alerting plugin throws it (output.statusCode). */
const boom = (statusCode: number, message: string) => Object.assign(new Error(message), { output: { statusCode } });

/** alerting/common/lib/validate_backfill_schedule.ts, with alerting/common/constants (90 days). */
function validateBackfillSchedule(start: string, end: string | undefined, now: number): string | undefined {
  const s = Date.parse(start);
  if (isNaN(s)) return 'Backfill start must be valid date';
  if (now - s > 90 * 24 * 3600_000) return 'Backfill cannot look back more than 90 days';
  if (now < s) return 'Backfill cannot be scheduled for the future';
  if (end !== undefined) {
    const e = Date.parse(end);
    if (isNaN(e)) return 'Backfill end must be valid date';
    if (e <= s) return 'Backfill end must be greater than backfill start';
    if (now < e) return 'Backfill cannot be scheduled for the future';
  }
  return undefined;
}

/** The keys each version's scheduleBackfillParamSchema defines (alerting_backfill_shim.ts), `?` optional. */
const BACKFILL_KEYS: Record<BackfillShape, string[]> = {
  start_end: ['ruleId', 'start', 'end?'],
  ranges: ['ruleId', 'ranges', 'runActions?'],
  ranges_initiator: ['ruleId', 'ranges', 'runActions?', 'initiator', 'initiatorId?'],
};

/** @kbn/config-schema's message for the first key problem of a param, or the range errors. */
function backfillParamProblem(shape: BackfillShape, p: Record<string, unknown>, i: number, now: number): string | undefined {
  const keys = BACKFILL_KEYS[shape];
  const defined = keys.map((k) => k.replace('?', ''));
  const unknown = Object.keys(p).find((k) => !defined.includes(k));
  if (unknown) return `[${i}.${unknown}]: definition for this key is missing`;
  for (const k of keys.filter((x) => !x.endsWith('?'))) {
    if (p[k] === undefined) return k === 'initiator' ? `[${i}.initiator]: expected at least one defined value but got [undefined]` : `[${i}.${k}]: expected value of type [${k === 'ranges' ? 'array' : 'string'}] but got [undefined]`;
  }
  if (p.initiator !== undefined && p.initiator !== 'user' && p.initiator !== 'system') return `[${i}.initiator]: types that failed validation`;
  const ranges = shape === 'start_end' ? [{ start: String(p.start), end: p.end as string | undefined }] : (p.ranges as { start: string; end: string }[]);
  const errors = ranges.map((r) => validateBackfillSchedule(r.start, r.end, now)).filter(Boolean);
  return errors.length ? errors.join('\n') : undefined;
}

const INTERVAL_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86400_000 };

/**
 * `jobVisible(jobId, space)`: whether ML would show the job in the space (its ML saved object).
 * Each created ML rule records the jobs that were not (`jobsMissingInSpace`): ML's anomaly search
 * for the rule fails with "… missing" for those until ML's sync.
 *
 * scheduleBackfill follows x-pack/platform/plugins/shared/alerting/server/application/backfill/methods/schedule/schedule_backfill.ts
 * and backfill_client/backfill_client.ts: params validated as the version's schema (a Boom 400
 * "Error validating backfill schedule parameters …"), no rule matching any id is a Boom 400, then per
 * param in order: not found, disabled, or a rule type that is not a Security (persistent) one is
 * an error result; otherwise a pending backfill with one run per rule interval.
 */
export function memoryAlerting(spaceOf: (request: KibanaRequest) => string, jobVisible?: (jobId: string, space: string) => boolean, options: MemoryAlertingOptions = {}): MemoryAlerting {
  const store = options.detectionRules ? detectionRulesStore(options.detectionRules) : memoryStore();
  const backfills: ScheduledBackfill[] = [];
  const shape = options.backfillShape ?? 'ranges';
  const now = options.now ?? Date.now;
  return {
    get rules() {
      return store.snapshot();
    },
    backfills,
    getRulesClientWithRequest(request): RulesClientLike {
      const space = spaceOf(request);
      const bulk = (ids: string[], fn: (id: string) => boolean) => ({ errors: ids.filter((id) => !fn(id)).map((id) => ({ message: 'Saved object not found', rule: { id } })) });
      return {
        async find({ options: o }) {
          const all = store.all(space).filter((r) => matches(r, o.filter));
          const page = o.page ?? 1;
          const per = o.perPage ?? 10;
          return { total: all.length, data: all.slice((page - 1) * per, page * per) };
        },
        async create({ data }) {
          const params = (data.params ?? {}) as Record<string, unknown>;
          const missing = data.alertTypeId === 'siem.mlRule' ? ML_RULE_REQUIRED.filter((k) => params[k] === undefined) : [];
          if (missing.length || !data.name || !data.consumer || !data.schedule) {
            throw boom(400, `Error validating rule data - params invalid: missing ${missing.join(', ') || 'name/consumer/schedule'}`);
          }
          const jobIds = ([] as unknown[]).concat(params.machineLearningJobId ?? []).map(String);
          const jobsMissingInSpace = jobVisible ? jobIds.filter((id) => !jobVisible(id, space)) : [];
          const rule: StoredRule = { ...data, id: randomUUID(), name: String(data.name), enabled: Boolean(data.enabled), tags: (data.tags as string[]) ?? [], params, jobsMissingInSpace };
          store.put(space, rule);
          return store.get(space, rule.id)!;
        },
        async bulkEnableRules({ ids }) {
          return bulk(ids, (id) => store.enable(space, id));
        },
        async bulkDeleteRules({ ids }) {
          return bulk(ids, (id) => store.remove(space, id));
        },
        async scheduleBackfill(params) {
          const list = params as unknown as Record<string, unknown>[];
          const invalid = (why: string) => boom(400, `Error validating backfill schedule parameters "${JSON.stringify(params)}" - ${why}`);
          if (!Array.isArray(list) || list.length < 1 || list.length > MAX_SCHEDULE_BACKFILL_BULK_SIZE) throw invalid(`array size is [${Array.isArray(list) ? list.length : 0}], but cannot be smaller than [1] or greater than [${MAX_SCHEDULE_BACKFILL_BULK_SIZE}]`);
          const problem = list.map((p, i) => backfillParamProblem(shape, p, i, now())).find(Boolean);
          if (problem) throw invalid(problem);
          const ids = list.map((p) => String(p.ruleId));
          if (!ids.some((id) => store.get(space, id))) throw boom(400, `No rules matching ids ${ids} found to schedule backfill`);
          return list.map((p): ScheduleBackfillResults[number] => {
            const id = String(p.ruleId);
            const rule = store.get(space, id);
            if (!rule) return { error: { message: `Saved object [alert/${id}] not found`, rule: { id } } };
            if (!rule.enabled) return { error: { message: `Rule ${id} is disabled`, rule: { id, name: rule.name } } };
            if (!String(rule.alertTypeId).startsWith('siem.')) return { error: { message: `Rule type "${String(rule.alertTypeId)}" for rule ${id} is not supported`, rule: { id, name: rule.name } } };
            const range = shape === 'start_end' ? { start: String(p.start), end: String(p.end ?? new Date(now()).toISOString()) } : (p.ranges as { start: string; end: string }[])[0];
            const interval = rule.schedule?.interval ?? '5m';
            const step = Number(interval.slice(0, -1)) * (INTERVAL_MS[interval.slice(-1)] ?? 60_000);
            const schedule = [];
            for (let t = Date.parse(range.start) + step; t <= Date.parse(range.end); t += step) schedule.push({ runAt: new Date(t).toISOString(), status: 'pending', interval });
            const backfill: Backfill = { id: randomUUID(), spaceId: space, start: range.start, end: range.end, status: 'pending', rule: { id, name: rule.name, alertTypeId: String(rule.alertTypeId) }, schedule };
            backfills.push({ space, param: p as unknown as ScheduleBackfillParam, backfill });
            return backfill;
          });
        },
      };
    },
  };
}

// ---- saved objects, licensing, features ---------------------------------------------------------

export interface MemorySavedObject {
  type: string;
  id: string;
  attributes: unknown;
  namespaces: string[];
}

/**
 * Saved objects as the request-scoped client sees them (one store for every space, like .kibana):
 * `create` in the request's space or `initialNamespaces`; an existing object is a 409 unless
 * `overwrite` and it is in the target space already (the repository's preflight check for
 * multi-namespace types). `onCreate` mirrors an object elsewhere (the stand-in's ML job spaces).
 */
export class MemorySavedObjects {
  readonly objects = new Map<string, MemorySavedObject>();
  onCreate?: (object: MemorySavedObject) => void;

  get(type: string, id: string): MemorySavedObject | undefined {
    return this.objects.get(`${type}:${id}`);
  }

  clientFor(space: string): SavedObjectsClientContract {
    return {
      create: async <T>(type: string, attributes: T, options: { id?: string; overwrite?: boolean; initialNamespaces?: string[] } = {}) => {
        const id = options.id ?? randomUUID();
        const namespaces = options.initialNamespaces ?? [space];
        const existing = this.get(type, id);
        if (existing && !(options.overwrite && namespaces.every((n) => existing.namespaces.includes(n)))) {
          throw Object.assign(new Error(`Saved object [${type}/${id}] conflict`), { output: { statusCode: 409 } });
        }
        const object = { type, id, attributes, namespaces };
        this.objects.set(`${type}:${id}`, object);
        this.onCreate?.(object);
        return { type, id, attributes, namespaces };
      },
    };
  }
}

/** The licensing plugin's start contract with a fixed licence (what Kibana's licence poller would have read). */
export function fixedLicensing(license: { type: NonNullable<ILicense['type']>; status: NonNullable<ILicense['status']> }): LicensingPluginStart & { calls: number } {
  const fake = {
    calls: 0,
    async getLicense(): Promise<ILicense> {
      fake.calls++;
      return { isAvailable: true, isActive: license.status === 'active', type: license.type, status: license.status, getUnavailableReason: () => undefined };
    },
  };
  return fake;
}

/** The features plugin's setup contract: keeps what is registered. */
export function memoryFeatures(): FeaturesPluginSetup & { features: KibanaFeatureConfig[] } {
  const features: KibanaFeatureConfig[] = [];
  return {
    features,
    registerKibanaFeature(feature) {
      if (features.some((f) => f.id === feature.id)) throw new Error(`Feature with id ${feature.id} is already registered.`);
      features.push(feature);
    },
  };
}

/**
 * Kibana role privileges as the security plugin turns them into API privileges for route authz:
 * `feature_<id>.<all|read>` grants that feature privilege's `api` list
 * (x-pack/platform/plugins/shared/security/server/authorization/privileges/feature_privilege_builder/api.ts);
 * anything else (e.g. ML's `ml:canCreateJob`) is taken as an API privilege as is.
 */
export function apiPrivilegesOf(granted: string[], features: KibanaFeatureConfig[]): string[] {
  return granted.flatMap((g) => {
    const m = /^feature_([^.]+)\.(all|read)$/.exec(g);
    if (!m) return [g];
    const feature = features.find((f) => f.id === m[1]);
    return [...(feature?.privileges?.[m[2] as 'all' | 'read'].api ?? [])];
  });
}
