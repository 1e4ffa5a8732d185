/**
 * The same routes on a plain Node HTTP server, for the page's standalone dev host: requests go
 * through the router harness (Kibana's checks and validation), so the page meets the server it
 * will meet inside Kibana. Paths may carry the space prefix (`/s/<space>/internal/…`).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRouteHarness, type HarnessOptions, type RouteHarness } from './harness';

export interface RouteServerOptions extends HarnessOptions {
  /** Default 0: any free port. */
  port?: number;
  host?: string;
}

export interface RouteServer {
  url: string;
  harness: RouteHarness;
  close(): Promise<void>;
}

export async function startRouteServer(options: RouteServerOptions): Promise<RouteServer> {
  const harness = await createRouteHarness({ mode: 'prod', ...options });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      // Only what the caller sent counts: no browser defaults are added on the wire.
      for (const k of ['authorization', 'kbn-version', 'x-elastic-internal-origin', 'content-type']) if (!(k in req.headers)) headers[k] = undefined;
      if (!req.headers.authorization && options.authorization) headers.authorization = options.authorization;
      harness
        .call({ method: req.method ?? 'GET', path: req.url ?? '/', rawBody: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined, headers })
        .then((r) => {
          res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
          res.end(r.body === undefined ? '' : JSON.stringify(r.body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: String(error) }));
        });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    harness,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.close();
    },
  };
}
