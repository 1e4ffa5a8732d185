/**
 * The other plugins' contracts the harness plugs into the plugin, each backed by something real:
 * - spaces: the space of the request path (`/s/<space>/…`), as the spaces plugin resolves it;
 * - ml: `modulesProvider(request, savedObjectsClient)` over the stand-in Kibana's internal ML
 *   module routes (contract-checked there), with the request's credentials and space;
 * - alerting: an in-memory rules client per space that refuses `siem.mlRule` params missing
 *   what the Security Solution requires (rule_schemas.ts BaseRuleParams & MachineLearningSpecificRuleParams);
 * - saved objects, licensing and features (below), and a logger that keeps what it is told.
 */
import { randomUUID } from 'node:crypto';
import type { AlertingRule, AlertingStart, MlModulesProvider, RulesClientLike } from '../../server/kibana_api';
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

export interface MemoryAlerting extends AlertingStart {
  /** Rules by space, then id. */
  readonly rules: Map<string, Map<string, AlertingRule & Record<string, unknown>>>;
}

/** KQL of the forms the plugin sends: `alert.attributes.<field>: "v"` or `: ("a" OR "b")`. */
function matches(rule: AlertingRule & Record<string, unknown>, filter: string | undefined): boolean {
  const m = filter ? /^alert\.attributes\.([\w.]+): (.+)$/.exec(filter) : null;
  if (!m) return true;
  const values = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => JSON.parse(`"${x[1]}"`) as string);
  const field = m[1].split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], rule);
  return ([] as unknown[]).concat(field).some((v) => values.includes(String(v)));
}

/**
 * `jobVisible(jobId, space)`: whether ML would show the job in the space (its ML saved object).
 * Each created ML rule records the jobs that were not (`jobsMissingInSpace`): ML's anomaly search
 * for the rule fails with "… missing" for those until ML's sync.
 */
export function memoryAlerting(spaceOf: (request: KibanaRequest) => string, jobVisible?: (jobId: string, space: string) => boolean): MemoryAlerting {
  const rules = new Map<string, Map<string, AlertingRule & Record<string, unknown>>>();
  return {
    rules,
    getRulesClientWithRequest(request): RulesClientLike {
      const space = spaceOf(request);
      const mine = () => rules.get(space) ?? rules.set(space, new Map()).get(space)!;
      const bulk = (ids: string[], fn: (r: AlertingRule) => void) => {
        const errors = ids.filter((id) => !mine().has(id)).map((id) => ({ message: 'Saved object not found', rule: { id } }));
        for (const rule of ids.map((id) => mine().get(id))) if (rule) fn(rule);
        return { errors };
      };
      return {
        async find({ options }) {
          const all = [...mine().values()].filter((r) => matches(r, options.filter));
          const page = options.page ?? 1;
          const per = options.perPage ?? 10;
          return { total: all.length, data: all.slice((page - 1) * per, page * per) };
        },
        async create({ data }) {
          const params = (data.params ?? {}) as Record<string, unknown>;
          const missing = data.alertTypeId === 'siem.mlRule' ? ML_RULE_REQUIRED.filter((k) => params[k] === undefined) : [];
          if (missing.length || !data.name || !data.consumer || !data.schedule) {
            throw Object.assign(new Error(`Error validating rule data - params invalid: missing ${missing.join(', ') || 'name/consumer/schedule'}`), { output: { statusCode: 400 } });
          }
          const jobIds = ([] as unknown[]).concat(params.machineLearningJobId ?? []).map(String);
          const jobsMissingInSpace = jobVisible ? jobIds.filter((id) => !jobVisible(id, space)) : [];
          const rule = { ...data, id: randomUUID(), name: String(data.name), enabled: Boolean(data.enabled), tags: (data.tags as string[]) ?? [], params, jobsMissingInSpace };
          mine().set(rule.id, rule);
          return rule;
        },
        async bulkEnableRules({ ids }) {
          return bulk(ids, (r) => (r.enabled = true));
        },
        async bulkDeleteRules({ ids }) {
          return bulk(ids, (r) => void mine().delete(r.id));
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
