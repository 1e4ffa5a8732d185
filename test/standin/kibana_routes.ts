/** Kibana face: header rules (xsrf, API versions, internal origin), status, detection rules. */
import { getContract } from './contracts';
import { handCheck } from './hand_checks';
import { buildRule, deErr, findRule, kqlFilter, multipartFile, notFound, rulesOf, sortRules } from './rules';
import type { Ctx, Reply, RouteDef, Shared } from './server';
import { kbnError, type RuleState } from './state';

export interface KibanaOptions {
  kibanaVersion: string;
  /** Prebuilt rules "in the package" (from the catalogue). */
  prebuilt: Record<string, unknown>[];
}

const DE = 'kibana-detections' as const;
const PUBLIC_VERSION = '2023-10-31';

/** Kibana's checks before routing. Returns the reply to send (and what to record) to stop. */
export function kibanaGate(ctx: Ctx, route: RouteDef | undefined): { reply: Reply; violation?: string } | undefined {
  const h = ctx.headers;
  if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method) && h['kbn-xsrf'] === undefined && h['kbn-version'] === undefined) {
    return { reply: kbnError(400, 'Request must contain a kbn-xsrf header.'), violation: `headers: ${ctx.method} ${ctx.path} without kbn-xsrf` };
  }
  const version = h['elastic-api-version'] as string | undefined;
  const template = route?.path ?? ctx.path;
  if (ctx.path.startsWith('/internal/')) {
    if (h['x-elastic-internal-origin'] === undefined) {
      return {
        reply: kbnError(400, `uri [${ctx.url}] with method [${ctx.method.toLowerCase()}] exists but is not available with the current configuration`),
        violation: `headers: internal route ${ctx.path} without x-elastic-internal-origin`,
      };
    }
    if (route && version === undefined) {
      return {
        reply: kbnError(400, 'Please specify a version via elastic-api-version header. Available versions: 1'),
        violation: `headers: internal route ${ctx.path} without elastic-api-version`,
      };
    }
    if (route && version !== '1') {
      return {
        reply: kbnError(400, `No version "${version}" available for [${ctx.method.toLowerCase()}] [${template}]. Available versions are: [1]`),
        violation: `headers: elastic-api-version ${version} on ${ctx.path} (only 1)`,
      };
    }
  } else if (ctx.path.startsWith('/api/') && ctx.path !== '/api/status' && version !== undefined && version !== PUBLIC_VERSION) {
    return {
      reply: kbnError(400, `No version "${version}" available for [${ctx.method.toLowerCase()}] [${template}]. Available versions are: [${PUBLIC_VERSION}]`),
      violation: `headers: elastic-api-version ${version} on ${ctx.path} (only ${PUBLIC_VERSION})`,
    };
  }
  return undefined;
}

export function kibanaRoutes(shared: Shared, opts: KibanaOptions): RouteDef[] {
  const s = shared.state;
  const user = () => shared.privileges.username;
  const body = (ctx: Ctx) => (ctx.body ?? {}) as Record<string, unknown>;
  const reply = (b: unknown, status = 200): Reply => ({ status, body: b });

  const status = (): Reply =>
    reply({
      name: 'standin-kibana',
      uuid: '5b2de169-2785-441b-ae8c-186a1936b17d',
      version: {
        number: opts.kibanaVersion,
        build_hash: 'st4nd1n',
        build_number: 1,
        build_snapshot: false,
        build_flavor: 'traditional',
        build_date: '2025-01-01T00:00:00.000Z',
      },
      status: {
        overall: { level: 'available', summary: 'All services and plugins are available' },
        core: {
          elasticsearch: { level: 'available', summary: 'Elasticsearch is available' },
          savedObjects: { level: 'available', summary: 'SavedObjects service has completed migrations and is available' },
        },
        plugins: {},
      },
      metrics: { last_updated: new Date().toISOString(), collection_interval_in_millis: 5000 },
    });

  const create = (ctx: Ctx): Reply => {
    const rules = rulesOf(s, ctx.space);
    const b = body(ctx);
    if (b.rule_id !== undefined && rules.has(String(b.rule_id))) return deErr(409, `rule_id: "${String(b.rule_id)}" already exists`);
    const rule = buildRule(b, user());
    rules.set(rule.rule_id, rule);
    return reply(rule);
  };
  const read = (ctx: Ctx): Reply => {
    const by = { id: ctx.q.id, rule_id: ctx.q.rule_id };
    if (by.id === undefined && by.rule_id === undefined) return deErr(400, 'either "id" or "rule_id" must be set');
    return ((r) => (r ? reply(r) : notFound(by)))(findRule(rulesOf(s, ctx.space), by));
  };
  const patch = (ctx: Ctx, replace: boolean): Reply => {
    const b = body(ctx);
    const rules = rulesOf(s, ctx.space);
    const by = { id: b.id, rule_id: b.rule_id };
    if (by.id === undefined && by.rule_id === undefined) return deErr(400, 'either "id" or "rule_id" must be set');
    const current = findRule(rules, by);
    if (!current) return notFound(by);
    if (replace && b.type !== current.type && current.immutable) return deErr(400, 'Cannot change the type of a prebuilt rule');
    const base = replace
      ? buildRule({}, user(), {
          id: current.id,
          rule_id: current.rule_id,
          created_at: current.created_at,
          created_by: current.created_by,
          immutable: current.immutable,
          rule_source: current.rule_source,
          version: current.version,
        })
      : current;
    const next = buildRule({ ...base, ...b, id: current.id, rule_id: current.rule_id }, user(), {
      revision: Number(current.revision ?? 0) + 1,
      updated_at: new Date().toISOString(),
      updated_by: user(),
    });
    rules.set(next.rule_id, next);
    return reply(next);
  };
  const remove = (ctx: Ctx): Reply => {
    const rules = rulesOf(s, ctx.space);
    const by = { id: ctx.q.id, rule_id: ctx.q.rule_id };
    if (by.id === undefined && by.rule_id === undefined) return deErr(400, 'either "id" or "rule_id" must be set');
    const r = findRule(rules, by);
    if (!r) return notFound(by);
    rules.delete(r.rule_id);
    return reply(r);
  };
  const find = (ctx: Ctx): Reply => {
    const all = sortRules([...rulesOf(s, ctx.space).values()].filter(kqlFilter(ctx.q.filter as string | undefined)), ctx.q.sort_field, ctx.q.sort_order);
    const page = Number(ctx.q.page ?? 1);
    const perPage = Number(ctx.q.per_page ?? 20);
    const fields = ctx.q.fields as string[] | undefined;
    const data = all
      .slice((page - 1) * perPage, page * perPage)
      .map((r) => (fields ? Object.fromEntries(Object.entries(r).filter(([k]) => ['id', 'rule_id', ...fields].includes(k))) : r));
    return reply({ page, perPage, total: all.length, data });
  };

  const bulk = (ctx: Ctx): Reply => {
    const b = body(ctx);
    const rules = rulesOf(s, ctx.space);
    const ids = b.ids as string[] | undefined;
    const targets: RuleState[] = ids ? [] : [...rules.values()].filter(kqlFilter(b.query as string | undefined));
    const errors: { message: string; status_code: number; rules: { id: string }[] }[] = [];
    for (const id of ids ?? []) {
      const r = findRule(rules, { id });
      if (r) targets.push(r);
      else errors.push({ message: 'Rule not found', status_code: 404, rules: [{ id }] });
    }
    const results = { updated: [] as RuleState[], created: [] as RuleState[], deleted: [] as RuleState[], skipped: [] as unknown[] };
    const now = new Date().toISOString();
    for (const r of targets) {
      if (b.action === 'delete') {
        rules.delete(r.rule_id);
        results.deleted.push(r);
      } else if (b.action === 'enable' || b.action === 'disable') {
        const enabled = b.action === 'enable';
        if (r.enabled === enabled) results.skipped.push({ id: r.id, name: r.name, skip_reason: 'RULE_NOT_MODIFIED' });
        else results.updated.push(Object.assign(r, { enabled, updated_at: now, revision: Number(r.revision ?? 0) + 1 }));
      } else if (b.action === 'duplicate') {
        const copy = buildRule(
          {
            ...r,
            id: undefined,
            rule_id: undefined,
            name: `${String(r.name)} [Duplicate]`,
            enabled: false,
            immutable: false,
            rule_source: { type: 'internal' },
          },
          user(),
        );
        rules.set(copy.rule_id, copy);
        results.created.push(copy);
      } else if (b.action === 'edit') {
        for (const e of (b.edit as { type: string; value: unknown }[]) ?? []) {
          const tags = new Set(r.tags as string[]);
          if (e.type === 'add_tags') (e.value as string[]).forEach((t) => tags.add(t));
          else if (e.type === 'delete_tags') (e.value as string[]).forEach((t) => tags.delete(t));
          else if (e.type === 'set_tags') {
            tags.clear();
            (e.value as string[]).forEach((t) => tags.add(t));
          } else return deErr(501, `stand-in: bulk edit type ${e.type} not implemented`);
          r.tags = [...tags];
        }
        results.updated.push(Object.assign(r, { updated_at: now, revision: Number(r.revision ?? 0) + 1 }));
      } else if (b.action === 'run') {
        // Manual rule run (8.16+), checked as alerting's validate_backfill_schedule.ts and the bulk
        // action's own checks: a start, an end after it, none older than 90 days or in the future,
        // an enabled rule.
        const run = (b.run ?? {}) as { start_date?: string; end_date?: string };
        const start = Date.parse(run.start_date ?? '');
        const end = run.end_date === undefined ? Date.now() : Date.parse(run.end_date);
        if (!Number.isFinite(start) || !Number.isFinite(end)) return deErr(400, 'run.start_date and run.end_date must be dates');
        if (end <= start) return deErr(400, 'Backfill end must be greater than backfill start');
        if (start < Date.now() - 90 * 24 * 3600_000) return deErr(400, 'Backfill cannot look back more than 90 days');
        if (end > Date.now()) return deErr(400, 'Backfill cannot be scheduled for the future');
        if (!r.enabled) {
          errors.push({ message: 'Cannot schedule manual rule run for a disabled rule', status_code: 400, rules: [{ id: String(r.id) }] });
          continue;
        }
        s.manualRuns.push({ space: ctx.space, ruleId: r.rule_id, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
        results.updated.push(r);
      } else {
        return deErr(501, `stand-in: bulk action ${String(b.action)} not implemented`);
      }
    }
    const summary = {
      failed: errors.length,
      skipped: results.skipped.length,
      succeeded: targets.length - results.skipped.length,
      total: targets.length + errors.length,
    };
    const attributes = { results, summary, ...(errors.length ? { errors } : {}) };
    if (errors.length) return reply({ message: 'Bulk edit partially failed', status_code: 500, attributes }, 500);
    return reply({ success: true, rules_count: summary.total, attributes });
  };

  const importRules = (ctx: Ctx): Reply => {
    const text = multipartFile(ctx.raw, ctx.headers['content-type']);
    if (text === undefined) return deErr(400, 'stand-in: expected multipart/form-data with a "file" part');
    const rules = rulesOf(s, ctx.space);
    const errors: { rule_id: string; error: { status_code: number; message: string } }[] = [];
    let ok = 0;
    const lines = text.split('\n').filter((l) => l.trim());
    const contract = getContract(DE);
    for (const line of lines) {
      const rule = JSON.parse(line) as Record<string, unknown>;
      const id = String(rule.rule_id ?? '(missing)');
      const problems = contract.validateAt('/components/schemas/RuleCreateProps', rule, `file rule ${id}`);
      if (problems.length) {
        shared.violations.push({
          at: new Date().toISOString(),
          server: 'kibana',
          method: ctx.method,
          url: ctx.url,
          contract: DE,
          operationId: 'ImportRules',
          errors: problems,
        });
        errors.push({ rule_id: id, error: { status_code: 400, message: problems.join('; ') } });
        continue;
      }
      if (rules.has(id) && ctx.q.overwrite !== true) {
        errors.push({ rule_id: id, error: { status_code: 409, message: `rule_id: "${id}" already exists` } });
        continue;
      }
      const built = buildRule(rule, user());
      rules.set(built.rule_id, built);
      ok += 1;
    }
    return reply({
      success: errors.length === 0,
      success_count: ok,
      rules_count: lines.length,
      errors,
      exceptions_success: true,
      exceptions_success_count: 0,
      exceptions_errors: [],
      action_connectors_success: true,
      action_connectors_success_count: 0,
      action_connectors_errors: [],
      action_connectors_warnings: [],
    });
  };

  const installed = (space: string) => [...rulesOf(s, space).values()].filter((r) => (r.rule_source as { type?: string } | undefined)?.type === 'external');
  const installPrebuilt = (space: string, ids?: Set<string>) => {
    const rules = rulesOf(s, space);
    const created: RuleState[] = [];
    const skipped: { rule_id: string; reason: string }[] = [];
    for (const p of opts.prebuilt) {
      const id = String(p.rule_id);
      if (ids && !ids.has(id)) continue;
      if (rules.has(id)) {
        skipped.push({ rule_id: id, reason: 'ALREADY_INSTALLED' });
        continue;
      }
      const rule = buildRule({ ...p, enabled: false }, user(), { immutable: true, rule_source: { type: 'external', is_customized: false } });
      rules.set(id, rule);
      created.push(rule);
    }
    return { created, skipped };
  };
  const prebuiltStatus = (ctx: Ctx): Reply => {
    const have = installed(ctx.space).length;
    return reply({
      stats: {
        num_prebuilt_rules_installed: have,
        num_prebuilt_rules_to_install: opts.prebuilt.length - have,
        num_prebuilt_rules_to_upgrade: 0,
        num_prebuilt_rules_total_in_package: opts.prebuilt.length,
      },
    });
  };
  const prebuiltInstall = (ctx: Ctx): Reply => {
    const b = body(ctx);
    const ids = b.mode === 'SPECIFIC_RULES' ? new Set(((b.rules as { rule_id: string }[]) ?? []).map((r) => r.rule_id)) : undefined;
    const { created, skipped } = installPrebuilt(ctx.space, ids);
    return reply({
      summary: { total: created.length + skipped.length, succeeded: created.length, skipped: skipped.length, failed: 0 },
      results: { created, skipped },
      errors: [],
    });
  };
  const prepackaged = (ctx: Ctx): Reply =>
    reply({ rules_installed: installPrebuilt(ctx.space).created.length, rules_updated: 0, timelines_installed: 0, timelines_updated: 0 });

  const base = '/api/detection_engine/rules';
  const de = (method: string, path: string, handler: (ctx: Ctx) => Reply, extra: Partial<RouteDef> = {}): RouteDef => ({
    method,
    path,
    contract: DE,
    handler,
    ...extra,
  });
  const internal = '/internal/detection_engine/prebuilt_rules';
  return [
    { method: 'GET', path: '/api/status', check: handCheck({ query: { v7format: 'boolean', v8format: 'boolean' }, body: 'none' }), handler: status },
    de('POST', base, create),
    de('GET', base, read),
    de('PATCH', base, (ctx) => patch(ctx, false)),
    de('PUT', base, (ctx) => patch(ctx, true)),
    de('DELETE', base, remove),
    de('GET', `${base}/_find`, find),
    de('POST', `${base}/_bulk_action`, bulk),
    de('POST', `${base}/_import`, importRules, { rawBody: true }),
    de('PUT', `${base}/prepackaged`, prepackaged),
    { method: 'GET', path: `${internal}/status`, check: handCheck({ body: 'none' }), handler: prebuiltStatus },
    {
      method: 'POST',
      path: `${internal}/installation/_perform`,
      check: handCheck({
        body: { mode: 'string', rules: 'array', pick_version: 'string' },
        bodyRequired: true,
        extra: (b) => (['ALL_RULES', 'SPECIFIC_RULES'].includes(String(b.mode)) ? [] : ['body.mode: must be ALL_RULES or SPECIFIC_RULES']),
      }),
      handler: prebuiltInstall,
    },
  ];
}
