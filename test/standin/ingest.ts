/**
 * Ingest pipelines, as far as load.sh needs them: PUT/GET/DELETE `_ingest/pipeline/{id}` and a bulk
 * request's `?pipeline=`. The stand-in has no Painless: it runs the one script the tool sends
 * (server/bundle/load_script.ts REBASE_PAINLESS, `@timestamp` + `params.rebase.shift_ms`) and fails any
 * other processor per document, so a test cannot pass on a script that was not checked.
 */
import { REBASE_PAINLESS } from '../../server/bundle/load_script';
import { ok, type Ctx, type Reply, type RouteDef, type Shared } from './server';
import { esError } from './state';

const manage = (action: string) => ({
  action: `cluster:admin/ingest/pipeline/${action}`,
  cluster: ['manage_pipeline', 'manage_ingest_pipelines', 'manage', 'all'],
});

export function ingestRoutes(shared: Shared): RouteDef[] {
  const s = shared.state;
  const missing = (id: string) => esError(404, 'resource_not_found_exception', `pipeline [${id}] is missing`);
  return [
    {
      method: 'PUT',
      path: '/_ingest/pipeline/{id}',
      contract: 'elasticsearch',
      authz: manage('put'),
      handler: (ctx: Ctx): Reply => (s.pipelines.set(ctx.params.id, ctx.body as Record<string, unknown>), ok({ acknowledged: true })),
    },
    {
      method: 'GET',
      path: '/_ingest/pipeline/{id}',
      contract: 'elasticsearch',
      authz: manage('get'),
      handler: (ctx: Ctx): Reply => (s.pipelines.has(ctx.params.id) ? ok({ [ctx.params.id]: s.pipelines.get(ctx.params.id) }) : ok({}, 404)),
    },
    {
      method: 'DELETE',
      path: '/_ingest/pipeline/{id}',
      contract: 'elasticsearch',
      authz: manage('delete'),
      handler: (ctx: Ctx): Reply => (s.pipelines.delete(ctx.params.id) ? ok({ acknowledged: true }) : missing(ctx.params.id)),
    },
  ];
}

/** Runs a pipeline on one document; returns an error reason instead when it cannot. */
export function runPipeline(
  shared: Shared,
  id: string,
  doc: Record<string, unknown>,
): { doc: Record<string, unknown> } | { error: { type: string; reason: string } } {
  const pipeline = shared.state.pipelines.get(id);
  if (!pipeline) return { error: { type: 'illegal_argument_exception', reason: `pipeline with id [${id}] does not exist` } };
  let out = { ...doc };
  for (const p of (pipeline.processors as Record<string, Record<string, unknown>>[]) ?? []) {
    const script = p.script;
    if (!script || script.source !== REBASE_PAINLESS)
      return {
        error: { type: 'illegal_argument_exception', reason: `the stand-in runs only the re-base script processor; got ${JSON.stringify(p).slice(0, 120)}` },
      };
    const shift = Number((script.params as { rebase?: { shift_ms?: unknown } } | undefined)?.rebase?.shift_ms);
    const ts = Date.parse(String(out['@timestamp']));
    if (!Number.isFinite(shift) || Number.isNaN(ts)) return { error: { type: 'script_exception', reason: 'runtime error' } };
    // Instant.toString(): ISO-8601 in UTC, without a fraction when it is zero.
    out = { ...out, '@timestamp': new Date(ts + shift).toISOString().replace('.000Z', 'Z') };
  }
  return { doc: out };
}
