/**
 * The stand-in does not implement the document APIs the run store uses (index create, index a
 * document, get, search). This front answers those for the runs index only — validated against
 * the same Elasticsearch OpenAPI document, with the stand-in's credentials and index privileges —
 * and passes every other request through to the stand-in unchanged.
 * (Belongs in the stand-in itself; until then it lives here.)
 *
 * It also plays Elasticsearch's authentication for credentials that stop being valid: `expire(h)`
 * makes every later request with `Authorization: h` a 401 (a SAML/OIDC token that expired, an
 * invalidated API key); `seen` counts requests per Authorization value, `refused` lists the
 * expired ones that were still tried.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RUNS_INDEX } from '../../server/runs/run_store';
import type { Standin } from '../standin';
import { getContract } from '../standin';
import { forbidden, hasIndexPrivilege } from '../standin/state';

type Doc = Record<string, unknown>;
interface Reply {
  status: number;
  body: unknown;
}

const esError = (status: number, type: string, reason: string): Reply => ({ status, body: { error: { type, reason }, status } });

function termFilters(query: unknown): [string, unknown][] {
  const filter = (query as { bool?: { filter?: unknown[] } } | undefined)?.bool?.filter ?? [];
  return filter.flatMap((f) => {
    const term = (f as { term?: Record<string, unknown> }).term;
    if (!term) return [];
    return Object.entries(term).map(([field, v]) => [field, typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v] as [string, unknown]);
  });
}

export interface RunsIndexFront {
  url: string;
  docs: Map<string, Doc>;
  expire(authorization: string): void;
  seen: Map<string, number>;
  refused: { authorization: string; method: string; url: string }[];
  close(): Promise<void>;
}

export async function startRunsIndexFront(standin: Standin): Promise<RunsIndexFront> {
  const docs = new Map<string, Doc>();
  const expired = new Set<string>();
  const seen = new Map<string, number>();
  const refused: RunsIndexFront['refused'] = [];
  let created = false;
  const target = new URL(standin.esUrl);

  function handle(method: string, path: string, query: URLSearchParams, body: unknown, headers: http.IncomingHttpHeaders): Reply {
    if (!headers.authorization) return esError(401, 'security_exception', 'missing authentication credentials for REST request');
    const v = getContract('elasticsearch').validate({ method, path, query, contentType: 'application/json', body });
    if (!v.ok) {
      standin.violations.push({ at: new Date().toISOString(), server: 'es', method, url: path, contract: 'elasticsearch', operationId: v.op?.operationId, errors: v.errors });
      return esError(400, 'contract_violation', v.errors.join('; '));
    }
    const can = (privilege: string) => hasIndexPrivilege(standin.privileges, RUNS_INDEX, privilege);
    const deny = (action: string, granted: string[]) => {
      const r = forbidden(standin.privileges, action, granted, 'index', [RUNS_INDEX]);
      return { status: r.status, body: r.body };
    };
    const id = decodeURIComponent(path.split('/')[3] ?? '');
    if (method === 'PUT' && path === `/${RUNS_INDEX}`) {
      if (!can('create_index')) return deny('indices:admin/create', ['create_index', 'manage', 'all']);
      if (created) return esError(400, 'resource_already_exists_exception', `index [${RUNS_INDEX}/abc] already exists`);
      created = true;
      return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: RUNS_INDEX } };
    }
    if ((method === 'PUT' || method === 'POST') && path.startsWith(`/${RUNS_INDEX}/_doc/`)) {
      if (!can('index')) return deny('indices:data/write/index', ['index', 'write', 'all']);
      if (!created && !can('auto_configure')) return deny('indices:admin/auto_create', ['auto_configure', 'create_index', 'manage', 'all']);
      created = true;
      const existed = docs.has(id);
      docs.set(id, body as Doc);
      return { status: existed ? 200 : 201, body: { _index: RUNS_INDEX, _id: id, _version: 1, result: existed ? 'updated' : 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1 } };
    }
    if (method === 'GET' && path.startsWith(`/${RUNS_INDEX}/_doc/`)) {
      if (!can('read')) return deny('indices:data/read/get', ['read', 'all']);
      if (!created) return esError(404, 'index_not_found_exception', `no such index [${RUNS_INDEX}]`);
      const doc = docs.get(id);
      return doc ? { status: 200, body: { _index: RUNS_INDEX, _id: id, _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: doc } } : { status: 404, body: { _index: RUNS_INDEX, _id: id, found: false } };
    }
    if ((method === 'POST' || method === 'GET') && path === `/${RUNS_INDEX}/_search`) {
      if (!can('read')) return deny('indices:data/read/search', ['read', 'all']);
      const req = (body ?? {}) as { query?: unknown; size?: number };
      const filters = termFilters(req.query);
      const hits = [...docs.entries()]
        .filter(([, d]) => filters.every(([f, val]) => d[f] === val))
        .sort(([, a], [, b]) => String(b.startedAt).localeCompare(String(a.startedAt)))
        .slice(0, req.size ?? 10)
        .map(([_id, _source]) => ({ _index: RUNS_INDEX, _id, _score: null, _source }));
      return { status: 200, body: { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, max_score: null, hits } } };
    }
    return esError(400, 'illegal_argument_exception', `runs index front: ${method} ${path} is not supported`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const [path, qs = ''] = (req.url ?? '/').split('?', 2);
      const authorization = req.headers.authorization ?? '';
      seen.set(authorization, (seen.get(authorization) ?? 0) + 1);
      if (expired.has(authorization)) {
        refused.push({ authorization, method: req.method ?? 'GET', url: req.url ?? '/' });
        const reply = esError(401, 'security_exception', 'unable to authenticate with provided credentials and anonymous access is not allowed for this request');
        res.writeHead(401, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', 'www-authenticate': 'ApiKey, Bearer realm="security"' });
        res.end(JSON.stringify(reply.body));
        return;
      }
      if (path === `/${RUNS_INDEX}` || path.startsWith(`/${RUNS_INDEX}/`)) {
        let body: unknown;
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          body = undefined;
        }
        const reply = handle((req.method ?? 'GET').toUpperCase(), path, new URLSearchParams(qs), body, req.headers);
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(JSON.stringify(reply.body));
        return;
      }
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'front_error', reason: e.message } }));
      });
      upstream.end(raw);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    docs,
    expire: (authorization) => void expired.add(authorization),
    seen,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
