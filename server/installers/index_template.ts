/**
 * The index template for the demo data streams (logs-ml_demo.*-<namespace>): ECS types for the
 * fields the generator writes, derived from the entity registry, so mappings are right on any
 * stack version without depending on the stack's own logs templates (dynamic templates are
 * avoided: the official contract cannot express them). It carries the run's
 * fingerprint in `_meta`, which is how a later run knows what data is already there.
 */
import { dataStreamPattern, indexTemplateName } from '../../common/constants';
import { kindFields } from '../generators/entities';
import type { Plan } from '../generators/plan';
import { statusOf } from './errors';
import type { EsClient } from './types';

const IP_FIELDS = ['source.ip', 'destination.ip', 'host.ip', 'client.ip', 'server.ip'];
const LONG_FIELDS = ['destination.port', 'source.port', 'process.pid', 'http.response.status_code'];
const TEXT_WITH_KEYWORD = ['powershell.file.script_block_text', 'aws.cloudtrail.error_message'];

function nest(fields: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, mapping] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = (node[part] ??= { properties: {} }) as { properties: Record<string, unknown> };
      node = next.properties;
    }
    node[parts[parts.length - 1]] = mapping;
  }
  return root;
}

/** ECS type of a field the generator writes (everything else is keyword, as ECS says). */
function fieldMapping(field: string): Record<string, unknown> {
  if (field === '@timestamp') return { type: 'date' };
  if (field.startsWith('data_stream.')) return { type: 'constant_keyword' };
  if (field === 'source.geo.location') return { type: 'geo_point' };
  if (IP_FIELDS.includes(field)) return { type: 'ip' };
  if (LONG_FIELDS.includes(field)) return { type: 'long' };
  if (TEXT_WITH_KEYWORD.includes(field)) return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 8191 } } };
  return { type: 'keyword', ignore_above: 1024 };
}

/** Every field any document of the plan can carry: lane constants and entity fields. */
export function planFields(plan: Plan): string[] {
  const fields = new Set<string>(['@timestamp', 'process.pid', 'source.port']);
  for (const m of plan.modules) {
    for (const { lane } of m.jobs) {
      Object.keys(lane.constants).forEach((f) => fields.add(f));
      lane.kinds.forEach((k) => kindFields(k).forEach((f) => fields.add(f)));
    }
  }
  // Geo sub-fields live under the location object, not as separate leaves.
  return [...fields].filter((f) => !f.startsWith('source.geo.location.')).sort();
}

export function templateBody(namespace: string, fields: string[], meta: TemplateMeta): Record<string, unknown> {
  return {
    index_patterns: [dataStreamPattern(namespace)],
    data_stream: {},
    priority: 250, // above the stack's logs-*-* (100) so these mappings win
    template: {
      settings: { 'index.number_of_replicas': 0 },
      mappings: { properties: nest(Object.fromEntries(fields.map((f) => [f, fieldMapping(f)]))) },
    },
    _meta: { [META_KEY]: { managed_by: 'ml-demo-data', ...meta } },
  };
}

const META_KEY = 'ml_demo_data';

/** What the template's _meta records about a namespace's demo. */
export interface TemplateMeta {
  fingerprint?: string;
  /** Rules this tool created (rule_id), deleted by cleanup. */
  createdRules?: string[];
}

export async function putTemplate(es: EsClient, plan: Plan, meta: TemplateMeta): Promise<string> {
  const name = indexTemplateName(plan.options.namespace);
  await es.indices.putIndexTemplate({ name, ...(templateBody(plan.options.namespace, planFields(plan), meta) as object) });
  return name;
}

/** The template's _meta, if the tool wrote data in this namespace. */
export async function readTemplateMeta(es: EsClient, namespace: string): Promise<TemplateMeta | undefined> {
  try {
    const res = await es.indices.getIndexTemplate({ name: indexTemplateName(namespace) });
    const meta = res.index_templates[0]?.index_template._meta as Record<string, TemplateMeta> | undefined;
    return meta?.[META_KEY] ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
