/**
 * Kibana's own internal HTTP API, called from the plugin's server as the user, for what no plugin
 * contract offers: Security's prebuilt-rules installation (installers/prebuilt_rules.ts; the
 * Security Solution's server start contract is empty, plugin_contract.ts). The address is where
 * this Kibana listens (`core.http.getServerInfo()`, src/core/packages/http/server/src/http_contract.ts
 * `HttpServiceSetup.getServerInfo`/`HttpServerInfo`; a wildcard bind address becomes loopback) under
 * `basePath.serverBasePath`, in the run's space (`/s/<space>`). The credentials are the request's
 * `authorization` header: inside a run that is the API key Task Manager made for the user
 * (its fakeRequest carries `authorization: ApiKey …`), so Kibana applies the user's privileges.
 * With TLS on loopback the certificate is not checked (it is Kibana's own, issued for its public
 * name); any other host is verified. A Kibana behind `server.rewriteBasePath: false` with a base
 * path answers 404: the installer then creates custom rules and says so.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { InternalKibanaCall } from './installers/prebuilt_rules';
import type { HttpServerInfo, KibanaRequest } from './kibana_shim';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const TIMEOUT_MS = 120_000;

export interface SelfHttpSources {
  server: HttpServerInfo;
  serverBasePath: string;
  request: KibanaRequest;
  space: string;
}

export function selfBaseUrl({ server, serverBasePath, space }: Omit<SelfHttpSources, 'request'>): URL {
  if (server.protocol === 'socket')
    throw Object.assign(new Error('Kibana listens on a socket, not a TCP port: its HTTP API cannot be called from the plugin.'), { statusCode: 501 });
  const host = server.hostname === '0.0.0.0' || server.hostname === '' ? '127.0.0.1' : server.hostname === '::' ? '::1' : server.hostname;
  const base = new URL(`${server.protocol}://${host.includes(':') ? `[${host}]` : host}:${server.port}`);
  base.pathname = `${serverBasePath.replace(/\/$/, '')}${space && space !== 'default' ? `/s/${encodeURIComponent(space)}` : ''}`;
  return base;
}

export function selfInternalCall(src: SelfHttpSources): InternalKibanaCall {
  const authorization = src.request.headers.authorization;
  return <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const url = new URL(selfBaseUrl(src).href.replace(/\/$/, '') + path);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = {
        'kbn-xsrf': 'ml-demo-data',
        'x-elastic-internal-origin': 'kibana',
        'elastic-api-version': '1',
        ...(typeof authorization === 'string' ? { authorization } : {}),
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
      };
      const loopback = LOOPBACK.has(url.hostname.replace(/^\[|\]$/g, ''));
      const options = { method, headers, timeout: TIMEOUT_MS, ...(url.protocol === 'https:' && loopback ? { rejectUnauthorized: false } : {}) };
      const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 500;
          if (status >= 200 && status < 300) return resolve(json as T);
          const message = (json as { message?: string } | undefined)?.message ?? text.slice(0, 200);
          reject(Object.assign(new Error(`Kibana ${method} ${path}: ${status} ${message}`), { statusCode: status }));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`Kibana ${method} ${path}: no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (e) => reject(Object.assign(new Error(`Kibana ${method} ${path}: ${e.message}`), { statusCode: 502 })));
      req.end(payload);
    });
}
