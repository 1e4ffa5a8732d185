/**
 * KibanaApi over Kibana's HTTP APIs, for the CLI: public Detection Engine routes (2023-10-31),
 * ML saved-object sync, and the internal ML module and prebuilt-rules routes (version 1).
 * Every path carries the space prefix; credentials go in headers and are never logged.
 */
import { assertOption } from '../../common/options';
import { prebuiltRulesInstaller } from './prebuilt_rules';
import type { KibanaApi, ModuleSetupResult, RuleSummary } from './types';

export interface KibanaHttpOptions {
  url: string;
  /** Authorization header value: `ApiKey …` or `Basic …`. */
  authorization?: string;
  space?: string;
  /** Accept self-signed certificates. */
  insecure?: boolean;
  fetch?: typeof fetch;
}

class KibanaHttpError extends Error {
  constructor(message: string, readonly statusCode: number, readonly body: unknown) {
    super(message);
  }
}

export function kibanaHttpApi(options: KibanaHttpOptions): KibanaApi {
  // The space id goes into the path: checked (no "../") and encoded.
  if (options.space !== undefined) assertOption('space', options.space, 'Kibana space');
  const base = options.url.replace(/\/$/, '') + (options.space && options.space !== 'default' ? `/s/${encodeURIComponent(options.space)}` : '');
  const doFetch = options.fetch ?? fetch;
  if (options.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

  async function call<T>(method: string, path: string, body?: unknown, internal = false): Promise<T> {
    const headers: Record<string, string> = { 'kbn-xsrf': 'ml-demo-data', 'elastic-api-version': internal ? '1' : '2023-10-31' };
    if (internal) headers['x-elastic-internal-origin'] = 'kibana';
    if (options.authorization) headers.authorization = options.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw Object.assign(new Error(`cannot connect to Kibana at ${options.url} (${(error as Error).cause ?? (error as Error).message})`), { code: 'ECONNREFUSED' });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      throw new KibanaHttpError(
        `Kibana ${method} ${path}: the server at ${options.url} answered ${res.status} with something that is not JSON; check that the Kibana URL points at Kibana (port 5601 by default).`,
        res.ok ? 502 : res.status,
        undefined,
      );
    }
    if (!res.ok) {
      const message = (json as { message?: string } | undefined)?.message ?? text.slice(0, 200);
      throw new KibanaHttpError(`Kibana ${method} ${path}: ${res.status} ${message}`, res.status, json);
    }
    return json as T;
  }

  const summary = (r: Record<string, unknown>): RuleSummary => ({
    id: String(r.id), rule_id: String(r.rule_id), name: String(r.name), enabled: Boolean(r.enabled), tags: (r.tags as string[]) ?? [], immutable: Boolean(r.immutable),
  });
  const kql = (field: string, values: string[]) => `alert.attributes.${field}: (${values.map((v) => JSON.stringify(v)).join(' OR ')})`;

  return {
    async version() {
      const status = await call<{ version?: { number?: unknown } } | undefined>('GET', '/api/status');
      const number = status?.version?.number;
      if (typeof number !== 'string') throw new KibanaHttpError(`Kibana GET /api/status: the server at ${options.url} did not answer with a Kibana version; check that the Kibana URL points at Kibana.`, 502, status);
      return number;
    },
    async getModule(moduleId) {
      try {
        const m = await call<{ jobs: { id: string; config: unknown }[] }>('GET', `/internal/ml/modules/get_module/${encodeURIComponent(moduleId)}`, undefined, true);
        return { jobs: m.jobs };
      } catch (error) {
        if ((error as KibanaHttpError).statusCode === 404) return undefined;
        throw error;
      }
    },
    setupModule: (moduleId, body) => call<ModuleSetupResult>('POST', `/internal/ml/modules/setup/${encodeURIComponent(moduleId)}`, body, true),
    async syncMlSavedObjects() {
      await call('GET', '/api/ml/saved_objects/sync');
    },
    async findRules({ ruleIds, tag }) {
      const filter = ruleIds?.length ? kql('params.ruleId', ruleIds) : tag ? kql('tags', [tag]) : undefined;
      if (ruleIds && ruleIds.length === 0) return [];
      const out: RuleSummary[] = [];
      for (let page = 1; ; page++) {
        const q = new URLSearchParams({ page: String(page), per_page: '100', ...(filter ? { filter } : {}) });
        const res = await call<{ data: Record<string, unknown>[]; total: number }>('GET', `/api/detection_engine/rules/_find?${q}`);
        out.push(...res.data.map(summary));
        if (out.length >= res.total || res.data.length === 0) return out;
      }
    },
    async createRule(body) {
      try {
        return summary(await call<Record<string, unknown>>('POST', '/api/detection_engine/rules', body));
      } catch (error) {
        if ((error as KibanaHttpError).statusCode === 409) return { conflict: true };
        throw error;
      }
    },
    installPrebuiltRules: prebuiltRulesInstaller(<T>(method: 'GET' | 'POST', path: string, body?: unknown) => call<T>(method, path, body, true)),
    async enableRules(ids) {
      if (ids.length) await call('POST', '/api/detection_engine/rules/_bulk_action', { action: 'enable', ids });
    },
    async deleteRules(ids) {
      if (ids.length) await call('POST', '/api/detection_engine/rules/_bulk_action', { action: 'delete', ids });
    },
    // The Security Solution's manual rule run (bulk action `run`); its per-rule failures come back
    // as a 500 with `attributes.errors` (rule_management/api/rules/bulk_actions/route.ts).
    async runRules(ids, start, end) {
      if (!ids.length) return { errors: [] };
      try {
        await call('POST', '/api/detection_engine/rules/_bulk_action', { action: 'run', ids, run: { start_date: start, end_date: end } });
        return { errors: [] };
      } catch (error) {
        const failed = ((error as KibanaHttpError).body as { attributes?: { errors?: { message: string; rules?: { id: string; name?: string }[] }[] } } | undefined)?.attributes?.errors;
        if (!failed?.length) throw error;
        return { errors: failed.map((e) => `${(e.rules ?? []).map((r) => r.name ?? r.id).join(', ')}: ${e.message}`) };
      }
    },
  };
}
