/**
 * Malformed requests, generated systematically for every field of StartRunRequest and
 * CleanupRequest (wrong types, out-of-range numbers, bad patterns, unknown keys, nested garbage,
 * non-object bodies), bad run ids and bad query strings. Every one must be a 4xx whose message
 * names the field; none may reach the installer or produce a 5xx.
 */
import { API_VERSION, ROUTES } from '../../common/constants';
import { startStandin, type Standin } from '../../test/standin';
import { createRouteHarness, type HarnessCall, type RouteHarness } from '../../test/router_harness';
import { MAX_DEPTH } from './route_deps';

interface Case {
  name: string;
  call: HarnessCall;
  /** Text the message must contain (the field path), case-insensitive. */
  names: string;
}

const V = { 'elastic-api-version': API_VERSION };
const VALID_START = { modules: ['security_auth'], historyDays: 3, end: '2026-11-20T10:07:00Z' };

/** Values of every JSON type; each field gets those not of its own type. */
const GENERIC: Record<string, unknown[]> = {
  null: [null],
  boolean: [true, false],
  number: [0, -1, 1.5, 1e308],
  string: ['', 'x', 'true', '1'],
  array: [[], [1], [[]], ['a', 2]],
  object: [{}, { a: 1 }, { value: 3 }, { $gt: '' }],
};

/** Per field: its JSON type and values of that type it must refuse. */
const START_FIELDS: Record<string, { type: string; bad: unknown[] }> = {
  modules: {
    type: 'array',
    bad: [[], ['UPPER'], ['has space'], ['a'.repeat(81)], [''], [['nested']], [{}], [null], ['security_auth', 7], ['-x'], ['x;rm -rf'], ['unknown_module'], ['security_auth', 'no_such_job'], [true], ['é']],
  },
  historyDays: { type: 'number', bad: [2, 91, 3.5, 0, -3, 1000, 1e308, 2.999, -0.5] },
  end: {
    type: 'string',
    bad: [
      '2026-11-20', 'yesterday', '2026-11-20T10:00:00', '2026-13-45T99:99:99Z', ' 2026-11-20T10:00:00Z', '2026-11-20T10:00:00+01:00', 'now', '0',
      '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2026', '1700000000000', '2026-11-20T24:00:00Z',
    ],
  },
  seed: { type: 'string', bad: ['', 'a'.repeat(65), 'has space', 'semi;colon', '../etc', 'ü', 'a/b', 'x\ny'] },
  scale: { type: 'number', bad: [0, -1, 100.5, 101, 1e9, -0.0001, 1e-9, 0.5, 0.99] },
  anomaliesPerJob: { type: 'number', bad: [0, 11, 1.5, -3, 100] },
  namespace: { type: 'string', bad: ['Default', 'has-dash', '', 'a'.repeat(101), 'a b', 'ns*', '../x', 'ü', 'ns.dot'] },
  theme: { type: 'string', bad: ['initech', '', 'ACME', 'acme ', 'globex2', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] },
  enableJobs: { type: 'boolean', bad: [] },
  installRules: { type: 'boolean', bad: [] },
  // Issue 9: the user's own jobs, refused by shape (codec) or by what cannot be generated (parse.ts).
  customJobs: {
    type: 'array',
    bad: [
      [1], [[]], [{}], [{ job: 'x' }], [{ job: {}, extra: 1 }], [{ job: {}, datafeed: [] }], Array.from({ length: 21 }, () => ({ job: {} })),
      [{ job: { job_id: 'c', analysis_config: { categorization_field_name: 'message', detectors: [{ function: 'count' }] } } }],
      [{ job: { job_id: 'a', analysis_config: { detectors: [{ function: 'count' }] } }, datafeed: { aggregations: {} } }],
      [{ job: { job_id: 'f', analysis_config: { detectors: [{ function: 'frobnicate' }] } } }],
    ],
  },
};
const CLEANUP_FIELDS: Record<string, { type: string; bad: unknown[] }> = { namespace: START_FIELDS.namespace };

function fieldCases(route: string, base: Record<string, unknown>, fields: Record<string, { type: string; bad: unknown[] }>): Case[] {
  const out: Case[] = [];
  for (const [field, spec] of Object.entries(fields)) {
    const values = [...Object.entries(GENERIC).filter(([type]) => type !== spec.type).flatMap(([, vs]) => vs), ...spec.bad];
    values.forEach((value, i) => {
      out.push({ name: `${route} ${field} #${i} ${JSON.stringify(value)?.slice(0, 40)}`, call: { method: 'POST', path: route, body: { ...base, [field]: value } }, names: field });
    });
  }
  return out;
}

function bodyCases(route: string, base: Record<string, unknown>): Case[] {
  const unknownKeys: Record<string, unknown>[] = [
    { foo: 1 }, { ...base, extra: true }, { ...base, variant: 'ea' }, { ...base, constructor: 1 }, { ...base, 'namespace ': 'x' },
    { ...base, '': 1 }, { ...base, toString: 'x' }, { ...base, runId: 'abc' }, { ...base, modules_: [] },
  ];
  let deep: unknown = 'leaf';
  for (let i = 0; i < 60; i++) deep = { nested: deep };
  const out: Case[] = unknownKeys.map((body, i) => ({ name: `${route} unknown key #${i}`, call: { method: 'POST', path: route, body }, names: Object.keys(body).find((k) => !(k in base) || k === 'constructor' || k === 'toString') ?? '' }));
  out.push({ name: `${route} deep nesting`, call: { method: 'POST', path: route, body: { ...base, deep } }, names: 'deep' });
  const notObjects: unknown[] = [[], [base], 'string', 42, true, null, [[[]]]];
  notObjects.forEach((body, i) => out.push({ name: `${route} body not an object #${i}`, call: { method: 'POST', path: route, body }, names: '(body)' }));
  out.push({ name: `${route} no body`, call: { method: 'POST', path: route }, names: '(body)' });
  out.push({ name: `${route} JSON string body`, call: { method: 'POST', path: route, rawBody: JSON.stringify(JSON.stringify({ ...base, zzz: 1 })) }, names: 'zzz' });
  out.push({ name: `${route} text body`, call: { method: 'POST', path: route, rawBody: 'hello', headers: { 'content-type': 'text/plain' } }, names: '(body)' });
  out.push({ name: `${route} __proto__ key`, call: { method: 'POST', path: route, rawBody: `{"__proto__": {"polluted": true}, ${JSON.stringify(base).slice(1)}` }, names: '__proto__' });
  // Built as text: JSON.stringify itself overflows the stack on 5000 levels.
  const veryDeep = `${'{"nested":'.repeat(5000)}"leaf"${'}'.repeat(5000)}`;
  out.push({ name: `${route} 5000-level nesting`, call: { method: 'POST', path: route, rawBody: `{"deep":${veryDeep}}` }, names: 'deep' });
  out.push({ name: `${route} 5000-level array nesting`, call: { method: 'POST', path: route, rawBody: `{"modules":${'['.repeat(5000)}${']'.repeat(5000)}}` }, names: 'modules' });
  out.push({ name: `${route} many keys`, call: { method: 'POST', path: route, body: { ...base, ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])) } }, names: 'k' });
  out.push({ name: `${route} broken JSON`, call: { method: 'POST', path: route, rawBody: '{"namespace": ' }, names: 'JSON' });
  out.push({ name: `${route} JSON with trailing garbage`, call: { method: 'POST', path: route, rawBody: `${JSON.stringify(base)}}` }, names: 'JSON' });
  return out;
}

const BAD_RUN_IDS = ['a'.repeat(5000), 'has space', 'a'.repeat(65), 'semi;colon', 'dot.dot', '..', 'ü', '<script>', "x'y", 'a/b', 'a%b', '\u0000', 'a+b', 'a=b', '@x'];
function runIdCases(): Case[] {
  return BAD_RUN_IDS.flatMap((runId, i) => [
    { name: `GET run bad runId #${i}`, call: { method: 'GET', path: ROUTES.run, params: { runId } }, names: 'runId' },
    { name: `POST cancel bad runId #${i}`, call: { method: 'POST', path: ROUTES.cancel, params: { runId } }, names: 'runId' },
  ]);
}

function queryCases(): Case[] {
  const bad = ['Default', 'has-dash', '', 'a'.repeat(101), 'a b', '*'];
  return [
    ...bad.map((namespace, i) => ({ name: `GET modules namespace #${i}`, call: { method: 'GET', path: ROUTES.modules, query: { namespace } }, names: 'namespace' })),
    { name: 'GET modules repeated namespace', call: { method: 'GET', path: ROUTES.modules, query: { namespace: ['a', 'b'] } }, names: 'namespace' },
    { name: 'GET modules unknown query key', call: { method: 'GET', path: ROUTES.modules, query: { foo: 'bar' } }, names: 'foo' },
  ];
}

const CASES: Case[] = [
  ...fieldCases(ROUTES.runs, VALID_START, START_FIELDS),
  ...bodyCases(ROUTES.runs, VALID_START),
  ...fieldCases(ROUTES.cleanup, {}, CLEANUP_FIELDS),
  ...bodyCases(ROUTES.cleanup, { namespace: 'default' }),
  ...bodyCases(ROUTES.validateJob, { job: { job_id: 'j', analysis_config: { detectors: [{ function: 'count' }] } } }),
  ...runIdCases(),
  ...queryCases(),
];

let standin: Standin;
let harness: RouteHarness;
let installerCalls = 0;

beforeAll(async () => {
  standin = await startStandin();
  harness = await createRouteHarness({
    esUrl: standin.esUrl,
    run: {
      runInstall: async () => {
        installerCalls++;
        throw new Error('the installer must not be reached by a malformed request');
      },
    },
  });
});
afterAll(async () => {
  await harness.close();
  await standin.close();
});

describe('malformed requests', () => {
  it(`generates at least 200 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it('answers every one with a 4xx naming the field, never a 5xx, never reaching the installer', async () => {
    const wrong: string[] = [];
    for (const c of CASES) {
      const res = await harness.call({ ...c.call, headers: { ...V, ...c.call.headers } });
      const message = String((res.body as { message?: unknown })?.message ?? '');
      if (res.status < 400 || res.status >= 500) wrong.push(`${c.name}: status ${res.status} ${message}`);
      else if (!message.toLowerCase().includes(c.names.toLowerCase())) wrong.push(`${c.name}: message does not name "${c.names}": ${message}`);
    }
    expect(wrong).toEqual([]);
    expect(installerCalls).toBe(0);
    expect(harness.handlerErrors).toEqual([]);
    // Nothing touched Elasticsearch: validation happens before any call.
    expect(standin.requests).toEqual([]);
  });

  it('field errors are 400 and carry the request part and field path', async () => {
    const res = await harness.call({ method: 'POST', path: ROUTES.runs, body: { ...VALID_START, historyDays: 2, modules: ['security_auth', 7] }, headers: V });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: '[request body]: modules: entry 1 must be a module or job id (a-z, 0-9, _); got 7; historyDays: must be between 3 and 90 days, a whole number (ML models need at least 3 days to learn a baseline); got 2',
    });
  });

  // Issue 10, defect 10: what the messages say about hostile values.
  it('names the field and the real value of an out-of-range number (1e400 is Infinity, not null)', async () => {
    const res = await harness.call({ method: 'POST', path: ROUTES.runs, rawBody: `{"modules":["security_auth"],"historyDays":1e400}`, headers: V });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toBe(
      '[request body]: historyDays: must be between 3 and 90 days, a whole number (ML models need at least 3 days to learn a baseline); got Infinity',
    );
  });

  it('does not echo a huge value: a 5 MB seed gets a short 400', async () => {
    const res = await harness.call({ method: 'POST', path: ROUTES.runs, body: { ...VALID_START, seed: 's'.repeat(5 * 1024 * 1024) }, headers: V });
    expect(res.status).toBe(400);
    const message = (res.body as { message: string }).message;
    expect(message).toMatch(/^\[request body\]: seed: too long/);
    expect(JSON.stringify(res.body).length).toBeLessThan(500);
  });

  it('a 5000-level nested body is a 400 naming the field, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await harness.call({ method: 'POST', path: ROUTES.cleanup, rawBody: `{"namespace":"default","deep":${deep}}`, headers: V });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(new RegExp(`^\\[request body\\]: deep(\\.a)+: nested too deeply \\(more than ${MAX_DEPTH} levels\\)$`));
  });

  it('a run id that does not decode gets what Kibana (hapi) answers: 400 Invalid request path', async () => {
    const res = await harness.call({ method: 'GET', path: `${ROUTES.runs}/%ZZ`, headers: V });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toBe('Invalid request path');
  });
});
