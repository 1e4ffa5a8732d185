/**
 * The harness enforces what Kibana enforces around a versioned internal route, and declares the
 * plugin's routes as Kibana would accept them.
 */
import { API_VERSION, ROUTES } from '../../common/constants';
import type { RequestHandler } from '../../server/kibana_shim';
import { startStandin, type Standin } from '../standin';
import { createRouteHarness, startRouteServer, type RouteHarness } from '.';
import { HarnessRouter } from './router';

let standin: Standin;
let harness: RouteHarness;

beforeAll(async () => {
  standin = await startStandin();
  harness = await createRouteHarness({ esUrl: standin.esUrl });
});
afterAll(async () => {
  await harness.close();
  await standin.close();
});

const message = (body: unknown) => (body as { message: string }).message;
const v = { 'elastic-api-version': '1' };

describe('route declarations', () => {
  it('every route is internal, version 1, with an explicit authz decision', () => {
    const declared = harness.router.routes.map((r) => ({
      method: r.method, path: r.config.path, access: r.config.access, versions: [...r.versions.keys()],
      authz: r.config.security?.authz,
    }));
    expect(declared.map((d) => `${d.method} ${d.path}`).sort()).toEqual(
      [`get ${ROUTES.modules}`, `post ${ROUTES.runs}`, `get ${ROUTES.runs}`, `get ${ROUTES.run}`, `post ${ROUTES.cancel}`, `post ${ROUTES.cleanup}`, `post ${ROUTES.validateJob}`, `get ${ROUTES.live}`, `post ${ROUTES.live}`, `post ${ROUTES.liveStop}`].sort(),
    );
    // Kibana-side authorization: the plugin's feature privilege and ML's capability, as ML's own routes.
    const authz = Object.fromEntries(declared.map((d) => [`${d.method} ${d.path}`, d.authz]));
    expect(authz).toEqual({
      [`get ${ROUTES.modules}`]: { requiredPrivileges: ['mlDemoData:read', 'ml:canGetJobs'] },
      [`get ${ROUTES.runs}`]: { requiredPrivileges: ['mlDemoData:read', 'ml:canGetJobs'] },
      [`get ${ROUTES.run}`]: { requiredPrivileges: ['mlDemoData:read', 'ml:canGetJobs'] },
      [`post ${ROUTES.runs}`]: { requiredPrivileges: ['mlDemoData:run', 'ml:canCreateJob'] },
      [`post ${ROUTES.cancel}`]: { requiredPrivileges: ['mlDemoData:run', 'ml:canCreateJob'] },
      [`post ${ROUTES.cleanup}`]: { requiredPrivileges: ['mlDemoData:run', 'ml:canDeleteJob'] },
      // Checking a job the user pastes sends nothing to Elasticsearch: reading is enough.
      [`post ${ROUTES.validateJob}`]: { requiredPrivileges: ['mlDemoData:read', 'ml:canGetJobs'] },
      // Live mode opens jobs and starts datafeeds (as a run does); its status only reads.
      [`get ${ROUTES.live}`]: { requiredPrivileges: ['mlDemoData:read', 'ml:canGetJobs'] },
      [`post ${ROUTES.live}`]: { requiredPrivileges: ['mlDemoData:run', 'ml:canCreateJob'] },
      [`post ${ROUTES.liveStop}`]: { requiredPrivileges: ['mlDemoData:run', 'ml:canCreateJob'] },
    });
    for (const d of declared) {
      expect(d.access).toBe('internal');
      expect(d.versions).toEqual([API_VERSION]);
    }
  });

  it('registers a Kibana feature whose privileges grant exactly the routes', async () => {
    expect(harness.features).toHaveLength(1);
    const [feature] = harness.features;
    expect(feature).toMatchObject({ id: 'mlDemoData', app: ['mlDemoData'], category: { id: 'securitySolution' } });
    expect(feature.privileges!.all.api).toEqual(['mlDemoData:read', 'mlDemoData:run']);
    expect(feature.privileges!.read.api).toEqual(['mlDemoData:read']);
    const as = async (granted: string[], method: string, path: string, body?: unknown) => {
      const h = await createRouteHarness({ esUrl: standin.esUrl, grantedKibanaPrivileges: granted });
      try {
        return (await h.call({ method, path, body, headers: v })).status;
      } finally {
        await h.taskManager.idle();
        await h.close();
      }
    };
    // No feature privilege: refused before the handler, whatever ML allows.
    expect(await as(['ml:canGetJobs', 'ml:canCreateJob'], 'GET', ROUTES.modules)).toBe(403);
    // read: may look, may not run.
    expect(await as(['feature_mlDemoData.read', 'ml:canGetJobs', 'ml:canCreateJob'], 'GET', ROUTES.modules)).toBe(200);
    expect(await as(['feature_mlDemoData.read', 'ml:canGetJobs', 'ml:canCreateJob'], 'POST', ROUTES.cleanup, { namespace: 'default' })).toBe(403);
    // all, but without ML's canCreateJob (an ML viewer): may not start a run.
    expect(await as(['feature_mlDemoData.all', 'ml:canGetJobs'], 'POST', ROUTES.runs, { modules: ['security_auth'], historyDays: 3 })).toBe(403);
    expect(await as(['feature_mlDemoData.all', 'ml:canGetJobs', 'ml:canCreateJob'], 'POST', ROUTES.runs, { modules: ['security_auth'], historyDays: 3, enableJobs: false, installRules: false })).toBe(202);
  });

  it('refuses declarations Kibana refuses', () => {
    const router = new HarnessRouter();
    expect(() => router.versioned.get({ path: '/internal/x', access: 'internal' })).toThrow(/authz/);
    expect(() => router.versioned.get({ path: '/internal/y', access: 'internal', security: { authz: { enabled: false, reason: '' } } })).toThrow(/reason/);
    expect(() => router.versioned.get({ path: '/internal/z', access: 'internal', security: { authz: { requiredPrivileges: [] } } })).toThrow(/requiredPrivileges/);
    const route = router.versioned.get({ path: '/internal/ok', access: 'internal', security: { authz: { requiredPrivileges: ['p'] } } });
    const handler: RequestHandler<unknown, unknown, unknown> = async (_c, _r, res) => res.ok();
    route.addVersion({ version: '1', validate: false }, handler);
    expect(() => route.addVersion({ version: '1', validate: false }, handler)).toThrow(/already been registered/);
    expect(() => route.addVersion({ version: '2023-10-31', validate: false }, handler)).toThrow(/Invalid version number/);
    expect(() => router.versioned.get({ path: '/internal/ok', access: 'internal', security: { authz: { requiredPrivileges: ['p'] } } })).toThrow(/already registered/);
  });
});

describe("Kibana's request pipeline", () => {

  it('internal routes need the version header in dev mode; prod mode defaults to 1', async () => {
    const res = await harness.call({ method: 'GET', path: ROUTES.runs });
    expect(res.status).toBe(400);
    expect(message(res.body)).toBe('Please specify a version via elastic-api-version header. Available versions: [1]');
    const prod = await createRouteHarness({ esUrl: standin.esUrl, mode: 'prod' });
    try {
      const ok = await prod.call({ method: 'GET', path: ROUTES.runs });
      expect(ok.status).toBe(200);
      expect(ok.headers['elastic-api-version']).toBe('1');
    } finally {
      await prod.close();
    }
  });

  it('unknown or malformed versions and the apiVersion query parameter are 400', async () => {
    const unknown = await harness.call({ method: 'GET', path: ROUTES.runs, headers: { 'elastic-api-version': '2' } });
    expect(unknown.status).toBe(400);
    expect(message(unknown.body)).toBe(`No version "2" available for [get] [${ROUTES.runs}]. Available versions are: [1]`);
    const bad = await harness.call({ method: 'GET', path: ROUTES.runs, headers: { 'elastic-api-version': '2023-10-31' } });
    expect(message(bad.body)).toMatch(/Invalid version number/);
    const query = await harness.call({ method: 'GET', path: ROUTES.runs, query: { apiVersion: '1' }, headers: v });
    expect(query.status).toBe(400);
    expect(message(query.body)).toMatch(/query parameter "apiVersion" is not allowed/);
  });

  it('authentication, xsrf, internal origin and kbn-version are checked before the route', async () => {
    expect((await harness.call({ method: 'GET', path: ROUTES.runs, headers: { ...v, authorization: undefined } })).status).toBe(401);
    const xsrf = await harness.call({ method: 'POST', path: ROUTES.cleanup, body: {}, headers: { ...v, 'kbn-version': undefined } });
    expect(xsrf.status).toBe(400);
    expect(message(xsrf.body)).toBe('Request must contain a kbn-xsrf header.');
    const origin = await harness.call({ method: 'GET', path: ROUTES.runs, headers: { ...v, 'x-elastic-internal-origin': undefined } });
    expect(origin.status).toBe(400);
    expect(message(origin.body)).toBe(`uri [${ROUTES.runs}] with method [get] exists but is not available with the current configuration`);
    const stale = await harness.call({ method: 'GET', path: ROUTES.runs, headers: { ...v, 'kbn-version': '8.0.0' } });
    expect(message(stale.body)).toMatch(/Browser client is out of date/);
    expect((await harness.call({ method: 'GET', path: '/internal/ml_demo_data/nothing', headers: v })).status).toBe(404);
    expect((await harness.call({ method: 'DELETE', path: ROUTES.runs, headers: v })).status).toBe(404);
  });

  it('required Kibana privileges are enforced when a route declares them', async () => {
    const h = await createRouteHarness({ esUrl: standin.esUrl, grantedKibanaPrivileges: ['read'] });
    try {
      h.router.versioned
        .get({ path: '/internal/guarded', access: 'internal', security: { authz: { requiredPrivileges: ['admin'] } } })
        .addVersion({ version: '1', validate: false }, async (_c, _r, res) => res.ok({ body: { fine: true } }));
      const res = await h.call({ method: 'GET', path: '/internal/guarded', headers: v });
      expect(res.status).toBe(403);
      expect(message(res.body)).toBe('API [GET /internal/guarded] is unauthorized for user, this action is granted by the Kibana privileges [admin]');
    } finally {
      await h.close();
    }
  });

  it('a handler exception is a 500 with the generic message, and is kept for the test', async () => {
    const h = await createRouteHarness({ esUrl: standin.esUrl });
    try {
      h.router.versioned
        .get({ path: '/internal/buggy', access: 'internal', security: { authz: { enabled: false, reason: 'test route' } } })
        .addVersion({ version: '1', validate: false }, async () => {
          throw new TypeError('bug in the handler');
        });
      const res = await h.call({ method: 'GET', path: '/internal/buggy', headers: v });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'An internal server error occurred. Check Kibana server logs for details.' });
      expect(h.handlerErrors).toHaveLength(1);
      expect(h.logs.some((l) => l.level === 'error' && /bug in the handler/.test(l.message))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('a bug in the installer fails the run in its task, not the request, and frees the space', async () => {
    const h = await createRouteHarness({
      esUrl: standin.esUrl,
      run: { runInstall: () => { throw new TypeError('bug in the installer'); } },
    });
    try {
      const res = await h.call({ method: 'POST', path: ROUTES.runs, body: { modules: ['security_auth'], historyDays: 3 }, headers: v });
      expect(res.status).toBe(202);
      await h.taskManager.idle();
      expect(h.logs.some((l) => l.level === 'error' && /bug in the installer/.test(l.message))).toBe(true);
      const latest = await h.call({ method: 'GET', path: ROUTES.runs, headers: v });
      expect(latest.body).toMatchObject({ run: { state: 'failed' } });
      expect((await h.call({ method: 'POST', path: ROUTES.runs, body: { modules: ['security_auth'], historyDays: 3 }, headers: v })).status).toBe(202);
      await h.taskManager.idle();
      expect(h.handlerErrors).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('asInternalUser is not available to the routes', async () => {
    const h = await createRouteHarness({ esUrl: standin.esUrl });
    try {
      h.router.versioned
        .get({ path: '/internal/sneaky', access: 'internal', security: { authz: { enabled: false, reason: 'test' } } })
        .addVersion({ version: '1', validate: false }, async (ctx, _r, res) => res.ok({ body: await (await ctx.core).elasticsearch.client.asInternalUser.info() }));
      expect((await h.call({ method: 'GET', path: '/internal/sneaky', headers: v })).status).toBe(500);
      expect(String(h.handlerErrors[0])).toMatch(/asInternalUser/);
    } finally {
      await h.close();
    }
  });
});

describe('startRouteServer', () => {
  it('serves the routes over HTTP with the same checks', async () => {
    const server = await startRouteServer({ esUrl: standin.esUrl, authorization: 'ApiKey dGVzdDp0ZXN0' });
    try {
      const headers = { 'x-elastic-internal-origin': 'Kibana', 'elastic-api-version': '1' };
      const modules = await fetch(`${server.url}${ROUTES.modules}`, { headers });
      expect(modules.status).toBe(200);
      expect(((await modules.json()) as { modules: unknown[] }).modules).toHaveLength(7);
      const latest = await fetch(`${server.url}/s/team${ROUTES.runs}`, { headers });
      expect(await latest.json()).toEqual({ run: null });
      const bad = await fetch(`${server.url}${ROUTES.cleanup}`, { method: 'POST', headers: { ...headers, 'kbn-xsrf': 'x', 'content-type': 'application/json' }, body: '{"namespace":"Bad"}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/^\[request body\]: namespace:/);
      const noXsrf = await fetch(`${server.url}${ROUTES.cleanup}`, { method: 'POST', headers, body: '{}' });
      expect(noXsrf.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
