/** HTTP plumbing shared by the Elasticsearch and Kibana faces: parsing, auth, validation, faults. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getContract, type ContractName, type OperationMatch } from './contracts';
import type { Faults } from './faults';
import type { MlNode } from './ml_node';
import { esError, forbidden, hasClusterPrivilege, kbnError, type PrivilegeSet, type StandinState, type Violation } from './state';

export type ServerName = 'es' | 'kibana';

export interface Ctx {
  server: ServerName;
  method: string;
  url: string;
  /** Path without query string; on Kibana without the `/s/<space>` prefix. */
  path: string;
  space: string;
  query: URLSearchParams;
  /** Query parameters, coerced to the contract's types when a contract covers the route. */
  q: Record<string, unknown>;
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
  contentType: string;
  op?: OperationMatch;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: string;
  /** Template with `{param}` segments. */
  path: string;
  /** Document that covers the route; omitted = not covered by any document, `check` is used. */
  contract?: ContractName;
  /** Hand-written request checks; return problems (empty = fine). */
  check?: (ctx: Ctx) => string[];
  /** Elasticsearch action name and the cluster privileges that grant it. */
  authz?: { action: string; cluster: string[] };
  /** Keep the body as text (NDJSON, multipart) whatever the content type says. */
  rawBody?: boolean;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

export interface Credentials {
  /** Accepted `Authorization: ApiKey <value>` values; omitted = any non-empty key. */
  apiKeys?: string[];
  /** Accepted basic-auth users; omitted = any user. */
  users?: Record<string, string>;
}

export interface Shared {
  state: StandinState;
  faults: Faults;
  violations: Violation[];
  privileges: PrivilegeSet;
  credentials?: Credentials;
  unhandled: { server: ServerName; method: string; url: string; operationId?: string }[];
  /** Elasticsearch major version: requests asking for another REST compatibility version are refused, as ES does. */
  esMajor?: number;
  /** The simulated ML node (memory stats, open refused when a job does not fit). */
  mlNode?: MlNode;
}

interface CompiledRoute extends RouteDef {
  rx: RegExp;
  names: string[];
  statics: number;
}

export function compileRoutes(defs: RouteDef[]): CompiledRoute[] {
  return defs
    .map((d) => ({
      ...d,
      names: [...d.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
      rx: new RegExp(`^${d.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}/?$`),
      statics: d.path.split('/').filter((s) => s && !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.statics - a.statics);
}

function findRoute(routes: CompiledRoute[], method: string, path: string) {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.rx.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    return { route: r, params };
  }
  return { pathMatched };
}

function baseType(ct: string | undefined): string {
  const t = (ct ?? '').split(';')[0].trim().toLowerCase();
  return t.replace('application/vnd.elasticsearch+json', 'application/json').replace('application/vnd.elasticsearch+x-ndjson', 'application/x-ndjson');
}

function authenticate(headers: http.IncomingHttpHeaders, creds?: Credentials): 'missing' | 'invalid' | 'ok' {
  const h = headers.authorization;
  if (!h) return 'missing';
  const [scheme, value = ''] = h.split(/\s+/, 2);
  if (!value) return 'invalid';
  if (scheme.toLowerCase() === 'apikey') return !creds?.apiKeys || creds.apiKeys.includes(value) ? 'ok' : 'invalid';
  if (scheme.toLowerCase() === 'basic') {
    const [user, ...rest] = Buffer.from(value, 'base64').toString('utf8').split(':');
    if (!user) return 'invalid';
    return !creds?.users || creds.users[user] === rest.join(':') ? 'ok' : 'invalid';
  }
  return 'invalid';
}

const WWW_AUTH = 'Basic realm="security", charset="UTF-8", ApiKey';

function unauthorized(server: ServerName, why: 'missing' | 'invalid', path: string): Reply {
  const reason =
    why === 'missing'
      ? `missing authentication credentials for REST request [${path}]`
      : 'unable to authenticate with provided credentials and anonymous access is not allowed for this request';
  if (server === 'kibana') return { ...kbnError(401, `[security_exception\n\tRoot causes:\n\t\tsecurity_exception: ${reason}]: ${reason}`), headers: { 'www-authenticate': WWW_AUTH } };
  return { ...esError(401, 'security_exception', reason, { header: { 'WWW-Authenticate': [WWW_AUTH] } }), headers: { 'www-authenticate': WWW_AUTH } };
}

function faultReply(server: ServerName, status: number, privileges: PrivilegeSet, route?: RouteDef, f?: { body?: unknown; action?: string; privileges?: string[] }, path = ''): Reply {
  if (f?.body !== undefined) return { status, body: f.body };
  if (status === 401) return unauthorized(server, 'invalid', path);
  if (server === 'kibana') return kbnError(status, status === 403 ? 'Unauthorized to perform this action (injected by stand-in)' : `Injected failure (${status})`);
  if (status === 403) {
    const action = f?.action ?? route?.authz?.action ?? 'cluster:admin/unknown';
    return forbidden(privileges, action, f?.privileges ?? route?.authz?.cluster ?? ['all'], 'cluster');
  }
  if (status === 429) return esError(429, 'es_rejected_execution_exception', 'rejected execution (injected by stand-in)');
  const types: Record<number, string> = { 500: 'exception', 502: 'bad_gateway', 503: 'unavailable_shards_exception', 504: 'timeout_exception' };
  return esError(status, types[status] ?? 'exception', `injected failure (${status})`);
}

export interface ServerSpec {
  name: ServerName;
  routes: RouteDef[];
  /** Contracts to consult for requests no route handles (to tell "unknown" from "not implemented"). */
  contracts: ContractName[];
  /** Server-specific gate before validation (Kibana headers); returns a reply to stop. */
  gate?: (ctx: Ctx, route: RouteDef | undefined) => { reply: Reply; violation?: string } | undefined;
}

export async function startServer(spec: ServerSpec, shared: Shared): Promise<{ url: string; close: () => Promise<void> }> {
  const routes = compileRoutes(spec.routes);
  const handle = async (req: http.IncomingMessage, raw: Buffer): Promise<{ reply: Reply; op?: string }> => {
    const url = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const [fullPath, qs = ''] = url.split('?', 2);
    let path = fullPath;
    let space = 'default';
    const sm = spec.name === 'kibana' ? /^\/s\/([^/]+)(\/.*)$/.exec(fullPath) : null;
    if (sm) [, space, path] = sm;
    const contentType = baseType(req.headers['content-type']);
    const ctx: Ctx = { server: spec.name, method, url, path, space, query: new URLSearchParams(qs), q: {}, params: {}, headers: req.headers, raw, body: undefined, contentType };
    const violate = (contract: string, errors: string[], operationId?: string) =>
      shared.violations.push({ at: new Date().toISOString(), server: spec.name, method, url, contract, operationId, errors });
    const info = { server: spec.name, method, path: fullPath };

    const wait = shared.faults.takeDelay(info);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const auth = authenticate(req.headers, shared.credentials);
    if (auth !== 'ok') return { reply: unauthorized(spec.name, auth, fullPath) };

    // ES accepts `compatible-with` its own major or the one before (an 8.x cluster refuses the 9.x client's defaults).
    const compat = /compatible-with=(\d+)/.exec(`${req.headers.accept ?? ''} ${req.headers['content-type'] ?? ''}`);
    if (spec.name === 'es' && compat && shared.esMajor && ![shared.esMajor, shared.esMajor - 1].includes(Number(compat[1]))) {
      const reason = `Accept version must be either version ${shared.esMajor} or ${shared.esMajor - 1}, but found ${compat[1]}. Accept=${req.headers.accept}`;
      return { reply: { status: 400, body: { error: { root_cause: [{ type: 'media_type_header_exception', reason }], type: 'media_type_header_exception', reason }, status: 400 } } };
    }

    const found = findRoute(routes, method, path);
    const route = found.route;
    let jsonError: string | undefined;
    if (raw.length && contentType === 'application/json' && !route?.rawBody) {
      try {
        ctx.body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        jsonError = `body: not valid JSON (${(e as Error).message})`;
      }
    } else if (raw.length) {
      ctx.body = raw.toString('utf8');
    }

    const gated = spec.gate?.(ctx, route);
    if (gated) {
      if (gated.violation) violate('hand-check', [gated.violation]);
      return { reply: gated.reply };
    }

    const errors: string[] = jsonError ? [jsonError] : [];
    let contract: string = 'hand-check';
    if (route?.contract) {
      contract = route.contract;
      const v = getContract(route.contract).validate({
        method: method === 'HEAD' && route.method === 'GET' ? 'GET' : method,
        path,
        query: ctx.query,
        contentType,
        body: jsonError ? undefined : ctx.body,
        rawBody: route.rawBody,
      });
      ctx.op = v.op;
      if (v.op) ctx.q = v.op.query;
      if (!v.ok) errors.push(...v.errors);
    } else if (route) {
      ctx.q = Object.fromEntries(ctx.query.entries());
    } else {
      // No stand-in route: is the operation in a contract at all?
      const known = spec.contracts.map((c) => ({ c, r: getContract(c).validate({ method, path, query: ctx.query, contentType, body: ctx.body, rawBody: true }) }));
      const hit = known.find((k) => k.r.ok || !k.r.notFound);
      if (!hit) {
        const why = known.map((k) => (k.r.ok ? '' : k.r.errors[0])).join('; ');
        violate(spec.contracts.join('+'), [why]);
        return { reply: violationReply(spec.name, [why]) };
      }
      shared.unhandled.push({ server: spec.name, method, url, operationId: hit.r.op?.operationId });
      return { reply: { status: 501, body: { error: { type: 'standin_not_implemented', reason: `${method} ${path} is in ${hit.c} but the stand-in does not implement it` } } } };
    }
    ctx.params = ctx.op?.pathParams ?? found.params ?? {};
    if (route.check) errors.push(...route.check(ctx));
    if (errors.length) {
      violate(contract, errors, ctx.op?.operationId);
      return { reply: violationReply(spec.name, errors), op: ctx.op?.operationId };
    }

    const fault = shared.faults.takeStatus(info);
    if (fault) return { reply: faultReply(spec.name, fault.status, shared.privileges, route, fault, fullPath), op: ctx.op?.operationId };

    if (route.authz && !route.authz.cluster.some((p) => hasClusterPrivilege(shared.privileges, p))) {
      return { reply: forbidden(shared.privileges, route.authz.action, route.authz.cluster, 'cluster'), op: ctx.op?.operationId };
    }
    return { reply: await route.handler(ctx), op: ctx.op?.operationId };
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks))
        .catch((e: unknown) => ({ reply: { status: 500, body: { error: { type: 'standin_internal_error', reason: String((e as Error)?.stack ?? e) } } } as Reply, op: undefined }))
        .then(({ reply, op }) => {
          const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) };
          if (spec.name === 'es') headers['x-elastic-product'] = 'Elasticsearch';
          const payload = reply.body === undefined || req.method === 'HEAD' ? '' : JSON.stringify(reply.body);
          res.writeHead(reply.status, headers);
          res.end(payload);
          shared.state.requests.push({ server: spec.name, method: (req.method ?? '').toUpperCase(), url: req.url ?? '', status: reply.status, operationId: op, ms: Date.now() - started, authorization: req.headers.authorization });
        });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function violationReply(server: ServerName, errors: string[]): Reply {
  const reason = errors.join('; ');
  const error = { type: 'contract_violation', reason };
  return { status: 400, body: server === 'es' ? { error, status: 400 } : { error, statusCode: 400, message: reason } };
}

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}
