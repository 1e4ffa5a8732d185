/** In-memory state of the stand-in stack, plus small helpers shared by the route modules. */

export interface Violation {
  at: string;
  server: 'es' | 'kibana';
  method: string;
  url: string;
  /** Which document judged the request, or 'hand-check' for routes no document covers. */
  contract: string;
  operationId?: string;
  errors: string[];
}

export interface RequestLogEntry {
  server: 'es' | 'kibana';
  method: string;
  url: string;
  status: number;
  operationId?: string;
  ms: number;
  /** The Authorization header sent (tests check whose credentials a call used). */
  authorization?: string;
}

export interface PrivilegeSet {
  username: string;
  roles: string[];
  /** Cluster privileges, e.g. ['monitor', 'manage_ml']; 'all' grants everything. */
  cluster: string[];
  /** Index privileges by name pattern (wildcards allowed). */
  index: { names: string[]; privileges: string[] }[];
}

export const SUPERUSER: PrivilegeSet = {
  username: 'elastic',
  roles: ['superuser'],
  cluster: ['all'],
  index: [{ names: ['*'], privileges: ['all'] }],
};

export interface DataStreamState {
  name: string;
  template: string;
  createdAt: number;
  generation: number;
  docCount: number;
  /** `_id`s given in bulk action lines (create with an explicit id); generated ids are not kept. */
  ids: Set<string>;
  /** `@timestamp` (epoch ms) of every document, in arrival order. */
  timestamps: number[];
  /** The first `keepDocs` documents (StandinOptions.keepDocs). */
  docs: Record<string, unknown>[];
}

export interface IndexTemplateState {
  name: string;
  body: Record<string, unknown>;
}

export type JobRunState = 'closed' | 'opening' | 'opened' | 'closing' | 'failed';

export interface JobState {
  id: string;
  config: Record<string, unknown>;
  state: JobRunState;
  openedAt?: number;
  processed: number;
  earliest?: number;
  latest?: number;
  lastDataTime?: number;
  /** Kibana `ml-job` saved object exists (module setup or sync creates it), per space. */
  savedObjectSpaces: Set<string>;
}

export interface DatafeedRun {
  start: number;
  end?: number;
  startedAt: number;
  runMs: number;
  total: number;
  lastTs?: number;
  done: boolean;
}

export interface DatafeedState {
  id: string;
  jobId: string;
  config: Record<string, unknown>;
  state: 'stopped' | 'starting' | 'started' | 'stopping';
  run?: DatafeedRun;
  searchCount: number;
}

export type RuleState = Record<string, unknown> & { id: string; rule_id: string };

export interface StandinState {
  dataStreams: Map<string, DataStreamState>;
  /** Plain indices auto-created by bulk writes to names no data-stream template matches. */
  indices: Map<string, DataStreamState>;
  indexTemplates: Map<string, IndexTemplateState>;
  jobs: Map<string, JobState>;
  datafeeds: Map<string, DatafeedState>;
  /** Detection rules per Kibana space ('default' for unprefixed URLs), keyed by rule_id. */
  rules: Map<string, Map<string, RuleState>>;
  /** Anomaly records served by results/records, by job id (standin.preloadRecords). */
  records: Map<string, Record<string, unknown>[]>;
  /** Ingest pipelines by id (ingest.ts). */
  pipelines: Map<string, Record<string, unknown>>;
  /** Manual rule runs the Detection Engine's bulk action `run` scheduled, in order (Kibana 8.16+). */
  manualRuns: { space: string; ruleId: string; start: string; end: string }[];
  requests: RequestLogEntry[];
}

export function newState(): StandinState {
  return {
    dataStreams: new Map(),
    indices: new Map(),
    indexTemplates: new Map(),
    jobs: new Map(),
    datafeeds: new Map(),
    rules: new Map(),
    records: new Map(),
    pipelines: new Map(),
    manualRuns: [],
    requests: [],
  };
}

export function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export function matchesPattern(name: string, pattern: string): boolean {
  return pattern === '_all' || wildcardToRegExp(pattern).test(name);
}

/** Expand an ES id expression (comma list, wildcards, `_all`, `*`, empty) against known ids. */
export function expandIds(expr: string | undefined, known: Iterable<string>): { ids: string[]; missing: string[] } {
  const all = [...known].sort();
  const parts = (expr ?? '_all')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length || parts.includes('_all')) return { ids: all, missing: [] };
  const out = new Set<string>();
  const missing: string[] = [];
  for (const p of parts) {
    const hits = all.filter((id) => matchesPattern(id, p));
    if (!hits.length && !p.includes('*')) missing.push(p);
    hits.forEach((h) => out.add(h));
  }
  return { ids: [...out].sort(), missing };
}

/** Elasticsearch error body: `{ error: { root_cause, type, reason, ... }, status }`. */
export function esError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
  const cause = { type, reason, ...extra };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}

/** Kibana HTTP error body (Boom): `{ statusCode, error, message }`. */
export function kbnError(status: number, message: string, extra: Record<string, unknown> = {}) {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
  };
  return { status, body: { statusCode: status, error: names[status] ?? 'Error', message, ...extra } };
}

const CLUSTER_IMPLIES: Record<string, string[]> = {
  all: ['*'],
  manage: ['monitor', 'manage_ml', 'monitor_ml', 'manage_index_templates', 'manage_ilm', 'manage_pipeline', 'manage_ingest_pipelines'],
  manage_ml: ['monitor_ml'],
  monitor: ['monitor_ml'],
};
const INDEX_IMPLIES: Record<string, string[]> = {
  all: ['*'],
  manage: ['monitor', 'view_index_metadata', 'create_index', 'delete_index', 'auto_configure', 'maintenance', 'manage_data_stream_lifecycle'],
  write: ['create_doc', 'create', 'index', 'delete', 'auto_configure'],
  index: ['create_doc', 'create'],
  create: ['create_doc'],
  read: ['read_cross_cluster'],
  create_index: ['auto_configure'],
};

function implies(table: Record<string, string[]>, held: string[], wanted: string): boolean {
  return held.some((h) => h === wanted || (table[h] ?? []).some((x) => x === '*' || x === wanted));
}

export function hasClusterPrivilege(p: PrivilegeSet, privilege: string): boolean {
  return implies(CLUSTER_IMPLIES, p.cluster, privilege);
}

export function hasIndexPrivilege(p: PrivilegeSet, index: string, privilege: string): boolean {
  return p.index.some((e) => e.names.some((n) => matchesPattern(index, n)) && implies(INDEX_IMPLIES, e.privileges, privilege));
}

/** ES-shaped 403 naming the action and the privileges that would grant it. */
export function forbidden(p: PrivilegeSet, action: string, granted: string[], kind: 'cluster' | 'index', indices?: string[]) {
  const on = indices?.length ? ` on indices [${indices.join(',')}]` : '';
  const reason = `action [${action}] is unauthorized for user [${p.username}] with effective roles [${p.roles.join(',')}]${on}, this action is granted by the ${kind} privileges [${granted.join(',')}]`;
  return esError(403, 'security_exception', reason);
}

export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
