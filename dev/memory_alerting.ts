/**
 * The dev host's alerting plugin when it runs on the stand-in: an in-memory rules client per space
 * (the stand-in has Kibana's HTTP rule API, but the routes use the alerting plugin's RulesClient,
 * which no HTTP API exposes). It understands the filters server/kibana_api.ts sends
 * (`alert.attributes.params.ruleId`, `.tags`, `.alertTypeId`) and refuses any other.
 * Not used against a real stack: there the page reports that rules are skipped.
 */
import { randomUUID } from 'node:crypto';
import type { AlertingRule, AlertingStart, RulesClientLike } from '../server/kibana_api';
import type { KibanaRequest } from '../server/kibana_shim';

type Stored = AlertingRule & { alertTypeId: string };

function spaceOf(request: KibanaRequest): string {
  const m = /^\/s\/([^/]+)\//.exec(request.url.pathname);
  return m ? decodeURIComponent(m[1]) : 'default';
}

function values(expr: string): string[] {
  return [...expr.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
}

function matcher(filter: string | undefined): (rule: Stored) => boolean {
  if (!filter) return () => true;
  const m = /^alert\.attributes\.(params\.ruleId|tags|alertTypeId):\s*(.+)$/.exec(filter.trim());
  if (!m) throw Object.assign(new Error(`memory alerting: filter not understood: ${filter}`), { statusCode: 400 });
  const wanted = new Set(values(m[2]));
  if (m[1] === 'tags') return (r) => r.tags.some((t) => wanted.has(t));
  if (m[1] === 'alertTypeId') return (r) => wanted.has(r.alertTypeId);
  return (r) => wanted.has(String(r.params.ruleId));
}

export interface MemoryAlerting extends AlertingStart {
  /** space -> rule id -> rule */
  readonly rules: Map<string, Map<string, Stored>>;
}

export function memoryAlerting(): MemoryAlerting {
  const rules = new Map<string, Map<string, Stored>>();
  const spaceRules = (space: string) => {
    let m = rules.get(space);
    if (!m) rules.set(space, (m = new Map()));
    return m;
  };
  const client = (space: string): RulesClientLike => ({
    async find({ options }) {
      const all = [...spaceRules(space).values()].filter(matcher(options.filter));
      const perPage = options.perPage ?? 20;
      const page = options.page ?? 1;
      return { total: all.length, data: all.slice((page - 1) * perPage, page * perPage).map((r) => ({ ...r })) };
    },
    async create({ data }) {
      const rule: Stored = {
        id: randomUUID(),
        name: String(data.name),
        enabled: data.enabled !== false,
        tags: Array.isArray(data.tags) ? data.tags.map(String) : [],
        params: (data.params ?? {}) as Record<string, unknown>,
        alertTypeId: String(data.alertTypeId),
      };
      spaceRules(space).set(rule.id, rule);
      return { ...rule };
    },
    async bulkEnableRules({ ids }) {
      const errors: { message: string; rule: { id: string } }[] = [];
      for (const id of ids) {
        const r = spaceRules(space).get(id);
        if (r) r.enabled = true;
        else errors.push({ message: 'Saved object not found', rule: { id } });
      }
      return { errors };
    },
    async bulkDeleteRules({ ids }) {
      const errors: { message: string; rule: { id: string } }[] = [];
      for (const id of ids) if (!spaceRules(space).delete(id)) errors.push({ message: 'Saved object not found', rule: { id } });
      return { errors };
    },
  });
  return { rules, getRulesClientWithRequest: (request) => client(spaceOf(request)) };
}
