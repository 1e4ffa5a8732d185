/**
 * Kibana ML: module setup / get_module (internal, hand-checked; body keys from Kibana's
 * `setupModuleBodySchema`, shared/reference/security-ml-modules.md section 4) and the
 * saved-objects sync (contract: ml_apis.yaml).
 */
import { getContract } from './contracts';
import { handCheck } from './hand_checks';
import { createDatafeed, createJob, openJob, startDatafeed } from './ml_routes';
import type { MlSim } from './ml_sim';
import type { Ctx, Reply, RouteDef, Shared } from './server';
import { kbnError } from './state';

export interface CatalogueLike {
  modules: { id: string; title?: string; description?: string; defaultIndexPattern?: string; query?: unknown; classicJobIds: string[]; eaJobIds: string[] }[];
  jobs: { id: string; moduleId?: string; job: Record<string, unknown>; datafeed: Record<string, unknown> }[];
  rules?: Record<string, unknown>[];
}

export interface KibanaMlOptions {
  catalogue: CatalogueLike;
  /** Which job ids a module installs: '9.4+' naming (`_ea`) or classic. */
  variant: 'classic' | 'ea';
}

type Override = Record<string, unknown> & { job_id?: string };

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

function overridesFor(list: unknown, jobId: string): Record<string, unknown> {
  let acc: Record<string, unknown> = {};
  for (const o of [list ?? []].flat() as Override[]) {
    if (o.job_id === undefined || o.job_id === jobId) {
      const { job_id: _j, ...rest } = o;
      acc = merge(acc, rest);
    }
  }
  return acc;
}

const SETUP_BODY = handCheck({
  body: {
    prefix: 'string',
    groups: 'array',
    indexPatternName: 'string',
    query: 'any',
    useDedicatedIndex: 'boolean',
    startDatafeed: 'boolean',
    start: 'number',
    end: 'number',
    jobOverrides: 'any',
    datafeedOverrides: 'any',
    estimateModelMemory: 'boolean',
    applyToAllSpaces: 'boolean',
  },
  extra: (b) => {
    const e: string[] = [];
    if (b.groups !== undefined && !(b.groups as unknown[]).every((g) => typeof g === 'string')) e.push('body.groups: must be string[]');
    for (const k of ['jobOverrides', 'datafeedOverrides']) {
      const v = b[k];
      if (v !== undefined && (typeof v !== 'object' || v === null)) e.push(`body.${k}: must be an object or an array of objects`);
    }
    return e;
  },
});

export function kibanaMlRoutes(shared: Shared, sim: MlSim, opts: KibanaMlOptions): RouteDef[] {
  const s = shared.state;
  const es = getContract('elasticsearch');
  const moduleOf = (id: string) => opts.catalogue.modules.find((m) => m.id === id);
  const jobIds = (m: CatalogueLike['modules'][number]) => (opts.variant === 'ea' ? m.eaJobIds : m.classicJobIds).filter((j) => opts.catalogue.jobs.some((c) => c.id === j));
  const notFound = (id: string) => kbnError(404, `Module with the id "${id}" not found`);
  const errOf = (r: Reply) => ({ status: r.status, ...(r.body as Record<string, unknown>) });

  const setup = (ctx: Ctx): Reply => {
    const m = moduleOf(ctx.params.moduleId);
    if (!m) return notFound(ctx.params.moduleId);
    const b = (ctx.body ?? {}) as Record<string, unknown>;
    const prefix = String(b.prefix ?? '');
    const indices = String(b.indexPatternName ?? m.defaultIndexPattern ?? '*').split(',').map((x) => x.trim()).filter(Boolean);
    const jobs: Record<string, unknown>[] = [];
    const datafeeds: Record<string, unknown>[] = [];
    for (const baseId of jobIds(m)) {
      const def = opts.catalogue.jobs.find((j) => j.id === baseId)!;
      const id = `${prefix}${baseId}`;
      let job = merge(def.job, overridesFor(b.jobOverrides, baseId));
      if (Array.isArray(b.groups)) job = { ...job, groups: b.groups };
      if (b.useDedicatedIndex === true) job = { ...job, results_index_name: id };
      const dfId = `datafeed-${id}`;
      let feed = merge({ ...def.datafeed, job_id: id, indices }, overridesFor(b.datafeedOverrides, baseId));
      if (b.query !== undefined) feed = { ...feed, query: b.query };
      // Kibana sends these to Elasticsearch: hold them to the ES contract too.
      const problems = [...es.validateAt(jobPointer(es), job, `job ${id}`), ...es.validateAt(feedPointer(es), feed, `datafeed ${dfId}`)];
      if (problems.length) {
        shared.violations.push({ at: new Date().toISOString(), server: 'kibana', method: ctx.method, url: ctx.url, contract: 'elasticsearch', operationId: 'ml-put-job/ml-put-datafeed (via module setup)', errors: problems });
        jobs.push({ id, success: false, error: { status: 400, error: { type: 'contract_violation', reason: problems.join('; ') } } });
        datafeeds.push({ id: dfId, success: false, started: false, awaitingNodeAssignment: false, error: { status: 400, error: { type: 'contract_violation', reason: 'job not created' } } });
        continue;
      }
      const jr = createJob(shared, id, job);
      if (jr.status !== 200) {
        jobs.push({ id, success: false, error: errOf(jr) });
        datafeeds.push({ id: dfId, success: false, started: false, awaitingNodeAssignment: false, error: errOf(jr) });
        continue;
      }
      const created = s.jobs.get(id)!;
      created.savedObjectSpaces.add(b.applyToAllSpaces === true ? '*' : ctx.space);
      jobs.push({ id, success: true });
      const dr = createDatafeed(shared, dfId, feed);
      if (dr.status !== 200) {
        datafeeds.push({ id: dfId, success: false, started: false, awaitingNodeAssignment: false, error: errOf(dr) });
        continue;
      }
      let started = false;
      let error: unknown;
      if (b.startDatafeed === true) {
        const o = openJob(shared, id);
        const st = o.status === 200 ? startDatafeed(shared, sim, dfId, b.start, b.end) : o;
        started = st.status === 200;
        if (!started) error = errOf(st);
      }
      datafeeds.push({ id: dfId, success: true, started, awaitingNodeAssignment: false, ...(error ? { error } : {}) });
    }
    return { status: 200, body: { jobs, datafeeds, kibana: {} } };
  };

  const getModule = (ctx: Ctx): Reply => {
    const m = moduleOf(ctx.params.moduleId);
    if (!m) return notFound(ctx.params.moduleId);
    const defs = jobIds(m).map((id) => opts.catalogue.jobs.find((j) => j.id === id)!);
    return {
      status: 200,
      body: {
        id: m.id,
        title: m.title ?? m.id,
        description: m.description ?? '',
        type: 'ECS',
        logoFile: 'logo.json',
        defaultIndexPattern: m.defaultIndexPattern,
        query: m.query,
        jobs: defs.map((d) => ({ id: d.id, config: d.job })),
        datafeeds: defs.map((d) => ({ id: `datafeed-${d.id}`, job_id: d.id, config: { ...d.datafeed, job_id: d.id } })),
        kibana: {},
      },
    };
  };

  const sync = (ctx: Ctx): Reply => {
    const simulate = ctx.q.simulate === true;
    const created: Record<string, { success: boolean }> = {};
    const datafeedsAdded: Record<string, { success: boolean }> = {};
    for (const job of s.jobs.values()) {
      if (job.savedObjectSpaces.has(ctx.space) || job.savedObjectSpaces.has('*')) continue;
      created[job.id] = { success: true };
      if ([...s.datafeeds.values()].some((d) => d.jobId === job.id)) datafeedsAdded[job.id] = { success: true };
      if (!simulate) job.savedObjectSpaces.add(ctx.space);
    }
    return {
      status: 200,
      body: {
        savedObjectsCreated: Object.keys(created).length ? { 'anomaly-detector': created } : {},
        savedObjectsDeleted: {},
        datafeedsAdded,
        datafeedsRemoved: {},
      },
    };
  };

  return [
    { method: 'POST', path: '/internal/ml/modules/setup/{moduleId}', check: SETUP_BODY, handler: setup },
    { method: 'GET', path: '/internal/ml/modules/get_module/{moduleId}', check: handCheck({ body: 'none' }), handler: getModule },
    { method: 'GET', path: '/api/ml/saved_objects/sync', contract: 'kibana-ml', handler: sync },
  ];
}

/** JSON pointers to the PUT job / PUT datafeed request-body schemas in the ES document. */
function bodyPointer(es: ReturnType<typeof getContract>, path: string): string {
  const op = (es.doc.paths as Record<string, Record<string, { requestBody?: { $ref?: string } }>>)[path].put;
  const ref = op.requestBody?.$ref;
  const base = ref ? ref.slice(1) : `/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/put/requestBody`;
  return `${base}/content/application~1json/schema`;
}
function jobPointer(es: ReturnType<typeof getContract>): string {
  return bodyPointer(es, '/_ml/anomaly_detectors/{job_id}');
}
function feedPointer(es: ReturnType<typeof getContract>): string {
  return bodyPointer(es, '/_ml/datafeeds/{datafeed_id}');
}
