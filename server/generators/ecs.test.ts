/**
 * ECS conformance of the generated documents, checked against the ECS definitions Elastic
 * publishes (@elastic/ecs, EcsFlat): every field is an ECS field of the right type with an allowed
 * value for categorisation fields, or belongs to the integration namespace its source really uses.
 */
import { isIP } from 'node:net';
import { EcsFlat } from '@elastic/ecs';
import { collect, testPlan } from '../../test/helpers/generate';

type EcsField = { type: string; normalize?: string[]; allowed_values?: { name: string }[] };
const ECS = EcsFlat as unknown as Record<string, EcsField>;

/** Fields outside ECS, from the integrations whose data each module imitates. */
const INTEGRATION_PREFIXES = ['winlog.', 'aws.cloudtrail.', 'powershell.file.'];

function flatten(value: unknown, prefix: string, out: Map<string, unknown[]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(prefix.endsWith('geo.location'))) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  const list = out.get(prefix) ?? [];
  list.push(value);
  out.set(prefix, list);
}

function typeProblem(field: EcsField, value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !field.normalize?.includes('array') && value.length > 1) return 'array for a non-array field';
  for (const v of values) {
    switch (field.type) {
      case 'ip':
        if (typeof v !== 'string' || !isIP(v)) return `not an IP: ${JSON.stringify(v)}`;
        break;
      case 'long':
      case 'integer':
        if (!Number.isInteger(v)) return `not an integer: ${JSON.stringify(v)}`;
        break;
      case 'date':
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return `not a date: ${JSON.stringify(v)}`;
        break;
      case 'geo_point':
        if (typeof (v as { lat?: unknown }).lat !== 'number' || typeof (v as { lon?: unknown }).lon !== 'number') return 'not a geo_point';
        break;
      default:
        if (typeof v !== 'string') return `not a string (${field.type}): ${JSON.stringify(v)}`;
    }
    if (field.allowed_values && !field.allowed_values.some((a) => a.name === v)) return `"${v}" is not an allowed value`;
  }
  return undefined;
}

describe('ECS conformance of every module (published ECS definitions)', () => {
  const plan = testPlan({ historyDays: 3 });

  it.each(plan.modules.map((m) => m.moduleId))('%s', (moduleId) => {
    const problems = new Set<string>();
    const checked = new Set<string>();
    const lines = collect(plan, moduleId).trimEnd().split('\n');
    // Every 7th document plus the anomaly events at the end of the stream.
    const sample = lines.filter((_, i) => i % 7 === 0 || i > lines.length - 400);
    for (const line of sample) {
      const fields = new Map<string, unknown[]>();
      flatten(JSON.parse(line), '', fields);
      for (const [name, values] of fields) {
        const ecs = ECS[name];
        if (!ecs) {
          if (!INTEGRATION_PREFIXES.some((p) => name.startsWith(p))) problems.add(`${name}: not an ECS field`);
          continue;
        }
        checked.add(name);
        for (const v of values) {
          const problem = typeProblem(ecs, v);
          if (problem) problems.add(`${name}: ${problem}`);
        }
      }
    }
    expect([...problems]).toEqual([]);
    expect(checked.size).toBeGreaterThan(20);
  });

  it('the checks catch wrong documents (negative control)', () => {
    expect(typeProblem(ECS['source.ip'], 'not-an-ip')).toMatch(/not an IP/);
    expect(typeProblem(ECS['event.category'], ['bogus'])).toMatch(/not an allowed value/);
    expect(typeProblem(ECS['destination.port'], '443')).toMatch(/not an integer/);
    expect(ECS['user.name.7']).toBeUndefined();
  });
});
