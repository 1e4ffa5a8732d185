/**
 * Standalone dev host for the "Generate ML demo data" page (`npm run dev`):
 * - the plugin's real server routes on a plain HTTP server (test/router_harness startRouteServer:
 *   Kibana's header checks, versioning and validation), against ES_URL/KIBANA_URL when set, else
 *   against the contract-validated stand-in (test/standin) with an in-memory alerting plugin;
 * - the page bundled with esbuild and mounted through the plugin's own `mount`, with a small core
 *   shim (dev/browser/core.tsx);
 * - `/app/mlDemoData` and `/s/<space>/app/mlDemoData`; API calls under the same paths go to the
 *   routes; links into other Kibana apps open a page that shows where they lead.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PLUGIN_ID } from '../common/constants';
import catalogue from '../common/catalogue/catalogue.json';
import type { RunManagerOptions } from '../server/runs/run_manager';
import { startRouteServer, startRunsIndexFront, type RouteServer } from '../test/router_harness';
import { startStandin, type Standin, type StandinOptions } from '../test/standin';
import { buildBundle, type BundleFile } from './bundle';
import { memoryAlerting } from './memory_alerting';
import { appLinkPage, indexHtml } from './pages';

export interface DevHostOptions {
  port?: number;
  host?: string;
  /** A real Elasticsearch (default: process.env.ES_URL; none: the stand-in). */
  esUrl?: string;
  /** A real Kibana for ML module setup (default: process.env.KIBANA_URL). */
  kibanaUrl?: string;
  /** Authorization header for the stack (default from ELASTIC_API_KEY or ES_USERNAME/ES_PASSWORD). */
  authorization?: string;
  kibanaVersion?: string;
  standin?: StandinOptions;
  /** With the stand-in: anomaly records for every job, so the read-back shows scores (default true). */
  simulateScores?: boolean;
  /** Run manager overrides (tests: short intervals). */
  run?: Partial<RunManagerOptions>;
  minify?: boolean;
  log?: (line: string) => void;
}

export interface DevHost {
  url: string;
  standin?: Standin;
  routes: RouteServer;
  close(): Promise<void>;
}

function authorizationFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const apiKey = env.ELASTIC_API_KEY ?? env.ES_API_KEY;
  if (apiKey) return `ApiKey ${apiKey}`;
  const password = env.ES_PASSWORD ?? env.ELASTIC_PASSWORD;
  if (!password) return undefined;
  const username = env.ES_USERNAME ?? env.ELASTIC_USERNAME ?? 'elastic';
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

async function kibanaVersionOf(kibanaUrl: string, authorization?: string): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('/api/status', kibanaUrl), { headers: authorization ? { authorization } : {} });
    const body = (await res.json()) as { version?: { number?: string } };
    return body.version?.number;
  } catch {
    return undefined;
  }
}

/** A record per catalogue job, 80..98 by job id, as if its detector had scored the injected anomaly. */
function preloadScores(standin: Standin) {
  const jobs = (catalogue as unknown as { jobs: { id: string }[] }).jobs;
  for (const { id } of jobs) {
    let h = 0;
    for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    const score = 80 + (h % 19);
    standin.preloadRecords(id, [{ record_score: score, initial_record_score: score, timestamp: Date.now() - 15 * 60_000 }]);
  }
}

const API_PATH = /^(?:\/s\/[^/]+)?\/(?:internal|api)\//;
const APP_PATH = /^(?:\/s\/([^/]+))?\/app\/([^/?#]+)/;

function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: string, body: Buffer) {
  const headers = { ...req.headers, host: new URL(target).host };
  delete headers['content-length'];
  const upstream = http.request(
    new URL(req.url ?? '/', target),
    { method: req.method, headers: { ...headers, ...(body.length ? { 'content-length': String(body.length) } : {}) } },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 502, error: 'Bad Gateway', message: `dev host: routes unreachable (${e.message})` }));
  });
  upstream.end(body);
}

export async function startDevHost(options: DevHostOptions = {}): Promise<DevHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = process.env;
  let esUrl = options.esUrl ?? env.ES_URL;
  let kibanaUrl = options.kibanaUrl ?? env.KIBANA_URL;
  // Kibana authenticates the browser by its session; the dev host adds the credentials itself
  // (any well-formed key for the stand-in).
  let authorization = options.authorization ?? authorizationFromEnv(env);
  const closers: (() => Promise<void>)[] = [];
  let standin: Standin | undefined;
  let kibanaVersion = options.kibanaVersion ?? env.KIBANA_VERSION;
  let alerting;

  try {
    if (!esUrl) {
      const s = await startStandin({ kibanaVersion: kibanaVersion ?? '9.1.0', ...options.standin });
      standin = s;
      closers.push(() => s.close());
      // The stand-in lacks the document APIs the run store uses; this front adds them for its index.
      const front = await startRunsIndexFront(standin);
      closers.push(() => front.close());
      esUrl = front.url;
      kibanaUrl = s.kibanaUrl;
      kibanaVersion = kibanaVersion ?? options.standin?.kibanaVersion ?? '9.1.0';
      alerting = memoryAlerting();
      authorization = authorization ?? `ApiKey ${Buffer.from('dev-host:dev-host').toString('base64')}`;
      if (options.simulateScores ?? true) preloadScores(s);
      log(`dev host: stand-in Elasticsearch ${s.esUrl}, Kibana ${s.kibanaUrl}`);
    } else {
      kibanaVersion = kibanaVersion ?? (kibanaUrl ? await kibanaVersionOf(kibanaUrl, authorization) : undefined) ?? '9.1.0';
      log(
        `dev host: Elasticsearch ${esUrl}${kibanaUrl ? `, Kibana ${kibanaUrl}` : ' (no Kibana: ML jobs through the ES API)'}; rules need Kibana's alerting plugin and are skipped here`,
      );
    }

    // Task Manager polls every 3 s, as Kibana's does: the live task's rounds come due on their own.
    const routes = await startRouteServer({ esUrl, kibanaUrl, authorization, kibanaVersion, alerting, run: options.run, mode: 'dev', taskPollMs: 3000 });
    closers.push(() => routes.close());
    const started = Date.now();
    const bundle: Map<string, BundleFile> = await buildBundle({ minify: options.minify });
    log(`dev host: page bundled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const config = { kibanaVersion };

    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://dev-host');
        if (API_PATH.test(url.pathname)) return proxy(req, res, routes.url, Buffer.concat(chunks));
        if (url.pathname.startsWith('/bundle/')) {
          const file = bundle.get(url.pathname.slice('/bundle/'.length));
          if (!file) return void res.writeHead(404).end('not found');
          res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
          return void res.end(file.contents);
        }
        if (url.pathname === '/' || url.pathname === '/app' || /^\/s\/[^/]+\/?$/.test(url.pathname)) {
          const space = /^\/s\/([^/]+)/.exec(url.pathname)?.[1];
          res.writeHead(302, { location: `${space ? `/s/${space}` : ''}/app/${PLUGIN_ID}${url.search}` });
          return void res.end();
        }
        const app = APP_PATH.exec(url.pathname);
        if (app && app[2] === PLUGIN_ID) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return void res.end(indexHtml(config));
        }
        if (app) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return void res.end(appLinkPage(app[2], app[1] ?? 'default', url));
        }
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
    return {
      url,
      standin,
      routes,
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw error;
  }
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 5602);
  startDevHost({ port, host: process.env.HOST ?? '127.0.0.1', minify: process.env.DEV_MINIFY !== 'false' })
    .then((host) => {
      console.log(`dev host: open ${host.url}/app/${PLUGIN_ID} (a space: ${host.url}/s/<space>/app/${PLUGIN_ID}; dark theme: ?theme=dark)`);
      const stop = () => void host.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      console.error(`dev host: ${(error as Error)?.stack ?? String(error)}`);
      process.exit(1);
    });
}
