/**
 * The index template for the demo data streams: ECS types for the fields the generator writes,
 * derived from the entity registry, so mappings are right on any stack version without depending
 * on the stack's own logs templates (dynamic templates are avoided: the official contract cannot
 * express them).
 *
 * It is also the record of ownership. Its `_meta.ml_demo_data` says it is the tool's
 * (`managed_by`), which data streams the tool creates in the namespace, the run's fingerprint
 * (how a later run knows what data is already there) and the rules the tool created. Its index
 * patterns are exactly those data stream names, not a wildcard, so a user's look-alike stream
 * (`logs-ml_demo.mine-default`) never gets this template and is never taken for the tool's.
 */
import { dataStreamPattern, indexTemplateName } from '../../common/constants';
import { ecsType } from '../../common/ecs';
import { kindFields } from '../generators/entities';
import type { Plan } from '../generators/plan';
import type { LiveState } from '../live/live';
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

/** ECS types the template takes as they are (scaled_float needs a factor: float). */
const ECS_AS_IS = new Set(['long', 'integer', 'short', 'byte', 'float', 'double', 'half_float', 'ip', 'boolean', 'date']);

/**
 * ECS type of a field the generator writes (everything else is keyword, as ECS says); a field a
 * metric detector reads (`numeric`, from the plan) is a double even where ECS does not know it.
 */
function fieldMapping(field: string, numeric: ReadonlySet<string> = new Set()): Record<string, unknown> {
  if (field === '@timestamp') return { type: 'date' };
  if (field.startsWith('data_stream.')) return { type: 'constant_keyword' };
  if (field === 'source.geo.location') return { type: 'geo_point' };
  if (IP_FIELDS.includes(field)) return { type: 'ip' };
  if (LONG_FIELDS.includes(field)) return { type: 'long' };
  if (TEXT_WITH_KEYWORD.includes(field)) return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 8191 } } };
  const ecs = ecsType(field);
  if (ecs && ECS_AS_IS.has(ecs)) return { type: ecs };
  if (ecs === 'scaled_float' || numeric.has(field)) return { type: ecs === 'scaled_float' ? 'float' : 'double' };
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

/** Fields metric detectors of the plan read as numbers (the custom module's, field_values.ts). */
export function planNumericFields(plan: Plan): Set<string> {
  return new Set(plan.modules.flatMap((m) => m.world.flavor.numeric ?? []));
}

export function templateBody(namespace: string, fields: string[], meta: TemplateMeta, numeric: ReadonlySet<string> = new Set()): Record<string, unknown> {
  return {
    index_patterns: meta.dataStreams?.length ? [...meta.dataStreams].sort() : [dataStreamPattern(namespace)],
    data_stream: {},
    priority: 250, // above the stack's logs-*-* (100) so these mappings win
    template: {
      settings: { 'index.number_of_replicas': 0 },
      mappings: { properties: nest(Object.fromEntries(fields.map((f) => [f, fieldMapping(f, numeric)]))) },
    },
    _meta: { [META_KEY]: { managed_by: MANAGED_BY, ...meta } },
  };
}

const META_KEY = 'ml_demo_data';
const MANAGED_BY = 'ml-demo-data';

/** What the template's _meta records about a namespace's demo. */
export interface TemplateMeta {
  fingerprint?: string;
  /** Data streams this tool creates in the namespace (recorded before the first document is sent). */
  dataStreams?: string[];
  /** Rules this tool created (rule_id), deleted by cleanup. */
  createdRules?: string[];
  /** The live session when `live` runs (server/live/live.ts): resumable, removed with the template by cleanup. */
  live?: LiveState;
}

export async function putTemplate(es: EsClient, plan: Plan, meta: TemplateMeta): Promise<string> {
  const name = indexTemplateName(plan.options.namespace);
  await es.indices.putIndexTemplate({ name, ...(templateBody(plan.options.namespace, planFields(plan), meta, planNumericFields(plan)) as object) });
  return name;
}

export type TemplateState = { kind: 'absent' } | { kind: 'ours'; meta: TemplateMeta } | { kind: 'foreign' };

/** Whether the namespace's template exists and is the tool's (its _meta says so), with the record. */
export async function templateState(es: EsClient, namespace: string): Promise<TemplateState> {
  try {
    const res = await es.indices.getIndexTemplate({ name: indexTemplateName(namespace) });
    const template = res.index_templates.find((t) => t.name === indexTemplateName(namespace));
    if (!template) return { kind: 'absent' };
    const meta = (template.index_template._meta as Record<string, (TemplateMeta & { managed_by?: string }) | undefined> | undefined)?.[META_KEY];
    if (meta?.managed_by !== MANAGED_BY) return { kind: 'foreign' };
    const { managed_by: _m, ...rest } = meta;
    return { kind: 'ours', meta: rest };
  } catch (error) {
    if (statusOf(error) === 404) return { kind: 'absent' };
    throw error;
  }
}

/** The template's record, if the tool made the template of this namespace (undefined otherwise). */
export async function readTemplateMeta(es: EsClient, namespace: string): Promise<TemplateMeta | undefined> {
  const state = await templateState(es, namespace);
  return state.kind === 'ours' ? state.meta : undefined;
}
