/** Elasticsearch face: cluster info, licence, privileges, index templates, data streams, bulk, count. */
import { getContract } from './contracts';
import { ok, type Ctx, type Reply, type RouteDef, type Shared } from './server';
import {
  esError,
  expandIds,
  forbidden,
  hasClusterPrivilege,
  hasIndexPrivilege,
  matchesPattern,
  parseTimestamp,
  type DataStreamState,
  type IndexTemplateState,
} from './state';

export interface EsOptions {
  esVersion: string;
  license: 'trial' | 'basic';
  keepDocs: number;
}

const ES = 'elasticsearch' as const;
const CLUSTER_UUID = 'st4nd1n-c1u5t3r-uu1d';

export const BUILTIN_LOGS_TEMPLATE: IndexTemplateState = {
  name: 'logs',
  body: {
    index_patterns: ['logs-*-*'],
    data_stream: { hidden: false, allow_custom_routing: false },
    priority: 100,
    composed_of: ['logs@mappings', 'logs@settings', 'logs@custom', 'ecs@mappings'],
    version: 15,
    allow_auto_create: true,
    _meta: { description: 'default logs template installed by x-pack', managed: true },
    ignore_missing_component_templates: ['logs@custom'],
  },
};

function day(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10).replace(/-/g, '.');
}

export function backingIndex(ds: DataStreamState): string {
  return `.ds-${ds.name}-${day(ds.createdAt)}-${String(ds.generation).padStart(6, '0')}`;
}

/** The highest-priority template whose patterns match `name` (what ES applies on auto-create). */
export function matchTemplate(shared: Shared, name: string): IndexTemplateState | undefined {
  const hits = [...shared.state.indexTemplates.values()].filter((t) => ((t.body.index_patterns as string[] | string) ?? []).toString().split(',').some((p) => matchesPattern(name, p)));
  return hits.sort((a, b) => Number(b.body.priority ?? 0) - Number(a.body.priority ?? 0))[0];
}

export function newDataStream(name: string, template: string): DataStreamState {
  return { name, template, createdAt: Date.now(), generation: 1, docCount: 0, ids: new Set(), timestamps: [], docs: [] };
}

/** Data streams (and auto-created plain indices) matching an index expression. */
export function resolveTargets(shared: Shared, expr: string): { streams: DataStreamState[]; missing: string[] } {
  const all = new Map([...shared.state.dataStreams, ...shared.state.indices]);
  const { ids, missing } = expandIds(expr, all.keys());
  return { streams: ids.map((i) => all.get(i)!), missing };
}

function timestampFilter(body: unknown): ((ts: number) => boolean) | undefined {
  const q = (body as { query?: Record<string, unknown> } | undefined)?.query;
  if (!q) return undefined;
  const ranges: Record<string, unknown>[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const r = (n.range as Record<string, unknown> | undefined)?.['@timestamp'];
    if (r) ranges.push(r as Record<string, unknown>);
    const b = n.bool as Record<string, unknown> | undefined;
    if (b) for (const k of ['filter', 'must']) [b[k]].flat().forEach(visit);
  };
  visit(q);
  if (!ranges.length) return undefined;
  return (ts) =>
    ranges.every((r) => {
      const v = (k: string) => parseTimestamp(r[k]);
      return (v('gte') === undefined || ts >= v('gte')!) && (v('gt') === undefined || ts > v('gt')!) && (v('lte') === undefined || ts <= v('lte')!) && (v('lt') === undefined || ts < v('lt')!);
    });
}

function dataStreamJson(shared: Shared, ds: DataStreamState) {
  const t = shared.state.indexTemplates.get(ds.template);
  return {
    name: ds.name,
    timestamp_field: { name: '@timestamp' },
    indices: [{ index_name: backingIndex(ds), index_uuid: `uuid-${ds.name}`, prefer_ilm: true, managed_by: 'Data stream lifecycle' }],
    generation: ds.generation,
    status: 'GREEN',
    template: ds.template,
    hidden: false,
    system: false,
    allow_custom_routing: false,
    replicated: false,
    rollover_on_write: false,
    prefer_ilm: true,
    next_generation_managed_by: 'Data stream lifecycle',
    lifecycle: { enabled: true },
    ...(t?.body._meta ? { _meta: t.body._meta } : {}),
  };
}

export function esRoutes(shared: Shared, opts: EsOptions): RouteDef[] {
  const s = shared.state;
  const version = opts.esVersion;
  const info = (): Reply =>
    ok({
      name: 'standin-node-0',
      cluster_name: 'standin',
      cluster_uuid: CLUSTER_UUID,
      version: {
        number: version,
        build_flavor: 'default',
        build_type: 'docker',
        build_hash: 'st4nd1n',
        build_date: '2025-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '10.2.2',
        minimum_wire_compatibility_version: '8.19.0',
        minimum_index_compatibility_version: '8.0.0',
      },
      tagline: 'You Know, for Search',
    });

  const templatePut = (ctx: Ctx): Reply => {
    const name = ctx.params.name;
    const body = ctx.body as Record<string, unknown>;
    const patterns = [body.index_patterns ?? []].flat() as string[];
    const prio = Number(body.priority ?? 0);
    if (ctx.q.create === true && s.indexTemplates.has(name)) return esError(400, 'illegal_argument_exception', `index template [${name}] already exists`);
    for (const other of s.indexTemplates.values()) {
      if (other.name === name || Number(other.body.priority ?? 0) !== prio) continue;
      const otherPatterns = [other.body.index_patterns ?? []].flat() as string[];
      const overlap = patterns.some((p) => otherPatterns.some((o) => matchesPattern(p.replace(/\*/g, 'x'), o) || matchesPattern(o.replace(/\*/g, 'x'), p)));
      if (overlap) {
        return esError(
          400,
          'illegal_argument_exception',
          `index template [${name}] has index patterns [${patterns.join(', ')}] matching patterns from existing templates [${other.name}] with patterns (${other.name} => [${otherPatterns.join(', ')}]) that have the same priority [${prio}], multiple index templates may not match during index creation, please use a different priority`,
        );
      }
    }
    s.indexTemplates.set(name, { name, body });
    return ok({ acknowledged: true });
  };

  const templateGet = (ctx: Ctx): Reply => {
    const { ids } = expandIds(ctx.params.name ?? '*', s.indexTemplates.keys());
    if (!ids.length && ctx.params.name) return esError(404, 'resource_not_found_exception', `index template matching [${ctx.params.name}] not found`);
    return ok({ index_templates: ids.map((n) => ({ name: n, index_template: { composed_of: [], ...s.indexTemplates.get(n)!.body } })) });
  };

  const templateDelete = (ctx: Ctx): Reply => {
    const { ids } = expandIds(ctx.params.name, s.indexTemplates.keys());
    if (!ids.length) return esError(404, 'index_template_missing_exception', `index_template [${ctx.params.name}] missing`);
    const users = [...s.dataStreams.values()].filter((d) => ids.includes(d.template));
    if (users.length) {
      return esError(400, 'illegal_argument_exception', `unable to remove composable templates [${ids.join(', ')}] as they are in use by a data streams [${users.map((u) => u.name).join(', ')}]`);
    }
    ids.forEach((i) => s.indexTemplates.delete(i));
    return ok({ acknowledged: true });
  };

  const dsPut = (ctx: Ctx): Reply => {
    const name = ctx.params.name;
    if (!hasIndexPrivilege(shared.privileges, name, 'create_index')) return forbidden(shared.privileges, 'indices:admin/data_stream/create', ['create_index', 'manage', 'all'], 'index', [name]);
    if (s.dataStreams.has(name)) return esError(400, 'resource_already_exists_exception', `data_stream [${name}] already exists`);
    const t = matchTemplate(shared, name);
    if (!t?.body.data_stream) return esError(400, 'illegal_argument_exception', `no matching index template found for data stream [${name}]`);
    s.dataStreams.set(name, newDataStream(name, t.name));
    return ok({ acknowledged: true });
  };

  const dsGet = (ctx: Ctx): Reply => {
    const { ids, missing } = expandIds(ctx.params.name ?? '*', s.dataStreams.keys());
    if (missing.length) return esError(404, 'index_not_found_exception', `no such index [${missing[0]}]`, { 'resource.type': 'index_or_alias', 'resource.id': missing[0], index: missing[0] });
    return ok({ data_streams: ids.map((n) => dataStreamJson(shared, s.dataStreams.get(n)!)) });
  };

  const dsDelete = (ctx: Ctx): Reply => {
    const { ids, missing } = expandIds(ctx.params.name, s.dataStreams.keys());
    if (missing.length) return esError(404, 'index_not_found_exception', `no such index [${missing[0]}]`);
    for (const id of ids) {
      if (!hasIndexPrivilege(shared.privileges, id, 'delete_index')) return forbidden(shared.privileges, 'indices:admin/data_stream/delete', ['delete_index', 'manage', 'all'], 'index', [id]);
    }
    ids.forEach((i) => s.dataStreams.delete(i));
    return ok({ acknowledged: true });
  };

  const count = (ctx: Ctx): Reply => {
    const { streams, missing } = resolveTargets(shared, ctx.params.index ?? '*');
    if (missing.length && ctx.q.ignore_unavailable !== true) return esError(404, 'index_not_found_exception', `no such index [${missing[0]}]`);
    const f = timestampFilter(ctx.body);
    const n = streams.reduce((acc, d) => acc + (f ? d.timestamps.filter(f).length : d.docCount), 0);
    return ok({ count: n, _shards: { total: streams.length, successful: streams.length, skipped: 0, failed: 0 } });
  };

  const refresh = (ctx: Ctx): Reply => {
    const { streams, missing } = resolveTargets(shared, ctx.params.index ?? '*');
    if (missing.length && ctx.q.ignore_unavailable !== true) return esError(404, 'index_not_found_exception', `no such index [${missing[0]}]`);
    return ok({ _shards: { total: streams.length * 2, successful: streams.length, failed: 0 } });
  };

  const hasPrivileges = (ctx: Ctx): Reply => {
    const body = (ctx.body ?? {}) as { cluster?: string[]; index?: { names: string[] | string; privileges: string[] }[]; application?: unknown[] };
    const p = shared.privileges;
    let all = true;
    const cluster: Record<string, boolean> = {};
    for (const c of body.cluster ?? []) all = (cluster[c] = hasClusterPrivilege(p, c)) && all;
    const index: Record<string, Record<string, boolean>> = {};
    for (const entry of body.index ?? []) {
      for (const name of [entry.names].flat()) {
        index[name] ??= {};
        for (const priv of entry.privileges) all = (index[name][priv] = hasIndexPrivilege(p, name, priv)) && all;
      }
    }
    return ok({ username: p.username, has_all_requested: all, cluster, index, application: {} });
  };

  const license = (): Reply => {
    const issued = Date.UTC(2025, 0, 1);
    const trial = opts.license === 'trial';
    return ok({
      license: {
        status: 'active',
        uid: '00000000-0000-4000-8000-000000000001',
        type: opts.license,
        issue_date: new Date(issued).toISOString(),
        issue_date_in_millis: issued,
        ...(trial ? { expiry_date: new Date(issued + 30 * 86400000).toISOString(), expiry_date_in_millis: issued + 30 * 86400000 } : {}),
        max_nodes: 1000,
        max_resource_units: null,
        issued_to: 'standin',
        issuer: 'elasticsearch',
        start_date_in_millis: -1,
      },
    });
  };

  const tpl = (method: string, handler: RouteDef['handler'], action: string, cluster = ['manage_index_templates', 'manage', 'all']): RouteDef => ({
    method,
    path: '/_index_template/{name}',
    contract: ES,
    authz: { action, cluster },
    handler,
  });

  return [
    { method: 'GET', path: '/', contract: ES, authz: { action: 'cluster:monitor/main', cluster: ['monitor', 'manage', 'all'] }, handler: info },
    // As in Elasticsearch (TransportGetLicenseAction is a monitor action): a user without monitor gets a 403.
    { method: 'GET', path: '/_license', contract: ES, authz: { action: 'cluster:monitor/xpack/license/get', cluster: ['monitor', 'manage', 'all'] }, handler: license },
    { method: 'GET', path: '/_security/user/_has_privileges', contract: ES, handler: hasPrivileges },
    { method: 'POST', path: '/_security/user/_has_privileges', contract: ES, handler: hasPrivileges },
    tpl('PUT', templatePut, 'indices:admin/index_template/put'),
    tpl('POST', templatePut, 'indices:admin/index_template/put'),
    tpl('GET', templateGet, 'indices:admin/index_template/get', ['manage_index_templates', 'monitor', 'manage', 'all']),
    tpl('DELETE', templateDelete, 'indices:admin/index_template/delete'),
    { method: 'GET', path: '/_index_template', contract: ES, authz: { action: 'indices:admin/index_template/get', cluster: ['manage_index_templates', 'monitor', 'manage', 'all'] }, handler: templateGet },
    { method: 'PUT', path: '/_data_stream/{name}', contract: ES, handler: dsPut },
    { method: 'GET', path: '/_data_stream/{name}', contract: ES, handler: dsGet },
    { method: 'GET', path: '/_data_stream', contract: ES, handler: dsGet },
    { method: 'DELETE', path: '/_data_stream/{name}', contract: ES, handler: dsDelete },
    { method: 'GET', path: '/{index}/_count', contract: ES, handler: count },
    { method: 'POST', path: '/{index}/_count', contract: ES, handler: count },
    { method: 'GET', path: '/_count', contract: ES, handler: count },
    { method: 'POST', path: '/_count', contract: ES, handler: count },
    { method: 'POST', path: '/{index}/_refresh', contract: ES, handler: refresh },
    { method: 'GET', path: '/{index}/_refresh', contract: ES, handler: refresh },
    { method: 'POST', path: '/_refresh', contract: ES, handler: refresh },
  ];
}

/** NDJSON `_bulk` bodies: each action line against the contract's OperationContainer, each source a JSON object. */
export function checkBulkBody(ctx: Ctx): string[] {
  const text = typeof ctx.body === 'string' ? ctx.body : '';
  if (!text) return ['body: a _bulk request needs an NDJSON body'];
  const errors: string[] = [];
  if (!text.endsWith('\n')) errors.push('body: The bulk request must be terminated by a newline [\\n]');
  const lines = text.split('\n').filter((l, i, a) => l.trim() !== '' || i < a.length - 1);
  const es = getContract('elasticsearch');
  for (let i = 0; i < lines.length && errors.length < 10; i++) {
    let action: unknown;
    try {
      action = JSON.parse(lines[i]);
    } catch {
      errors.push(`body line ${i + 1}: action line is not JSON`);
      continue;
    }
    errors.push(...es.validateAt('/components/schemas/_global.bulk.OperationContainer', action, `body line ${i + 1}`));
    const op = action && typeof action === 'object' ? Object.keys(action)[0] : undefined;
    if (op && !['create', 'index', 'update', 'delete'].includes(op)) {
      errors.push(`body line ${i + 1}: Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${op}]`);
      i += 1;
      continue;
    }
    if (op === 'delete' || !op) continue;
    i += 1;
    if (i >= lines.length) {
      errors.push(`body line ${i}: ${op} action has no source line`);
      break;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(lines[i]);
    } catch {
      errors.push(`body line ${i + 1}: source is not JSON`);
      continue;
    }
    if (op === 'update') errors.push(...es.validateAt('/components/schemas/_global.bulk.UpdateAction', doc, `body line ${i + 1}`));
    else if (!doc || typeof doc !== 'object' || Array.isArray(doc)) errors.push(`body line ${i + 1}: the source of a ${op} must be a JSON object`);
  }
  return errors;
}
