/**
 * Values for fields no entity kind of the generator knows — a custom job's `my.latency_ms`, an ECS
 * field such as `event.duration` or `service.name`. Each such field is an entity kind of its own,
 * `field:<name>`, whose entities carry that one field with a value of its ECS type (common/ecs):
 * names from a stable pool (or the values ECS allows), addresses, numbers around a baseline. The
 * lanes, the serializer and the anomaly shapers then treat it like any other entity, so a field
 * of a job the tool has never seen gets a population with a history and never-seen values alike.
 */
import { createHash } from 'node:crypto';
import { ecsAllowedValues, ecsType, isNumericType } from '../../common/ecs';

export type FieldKind = `field:${string}`;

export const isFieldKind = (kind: string): kind is FieldKind => kind.startsWith('field:');
export const fieldKindOf = (field: string): FieldKind => `field:${field}`;
export const fieldOfKind = (kind: FieldKind): string => kind.slice('field:'.length);

export type ValueType = 'keyword' | 'ip' | 'number' | 'boolean' | 'date' | 'geo_point';

/** Fields a job reads as numbers (metric detectors), whatever ECS says or does not say of them. */
export interface FieldFlavor {
  numeric?: readonly string[];
}

/** How a field's values look: its ECS type, or a number when a metric detector reads it, else a name. */
export function valueType(field: string, flavor: FieldFlavor = {}): ValueType {
  if (flavor.numeric?.includes(field)) return 'number';
  const type = ecsType(field);
  if (isNumericType(type)) return 'number';
  if (type === 'ip') return 'ip';
  if (type === 'boolean') return 'boolean';
  if (type === 'date') return 'date';
  if (type === 'geo_point') return 'geo_point';
  return 'keyword';
}

const WORDS = ['alpha', 'bravo', 'cedar', 'delta', 'ember', 'falcon', 'granite', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen', 'maple', 'nimbus', 'orchid', 'pioneer'];
const NOVEL_WORDS = ['zephyr', 'quasar', 'vortex', 'wraith', 'xenon', 'yonder', 'umbra', 'talon'];

function stableNumber(text: string, modulo: number): number {
  return parseInt(createHash('sha1').update(text).digest('hex').slice(0, 8), 16) % modulo;
}

/** A short word for the field's values: its last name, or the one before for generic ones (service.name: service). */
const leaf = (field: string) => {
  const parts = field.split('.');
  const last = parts.length > 1 && ['name', 'id', 'type', 'keyword', 'value'].includes(parts[parts.length - 1]) ? parts[parts.length - 2] : parts[parts.length - 1];
  return last.replace(/[^a-zA-Z0-9]/g, '').toLowerCase() || 'value';
};

/** Mean of a metric field's baseline values: stable per field, 100..1000. */
export function baselineLevel(field: string): number {
  return 100 * (1 + stableNumber(`level:${field}`, 10));
}

/** The baseline population of a field's values (the keys of its entities). */
export function fieldBaselineKeys(field: string, flavor: FieldFlavor = {}): { key: string }[] {
  const type = valueType(field, flavor);
  switch (type) {
    case 'number': {
      // 21 values within ±20 % of the level: a bucket's mean, min, max and sum stay near their
      // own history, so the injected value stands out and nothing else does.
      const level = baselineLevel(field);
      return Array.from({ length: 21 }, (_, i) => ({ key: String(Math.round(level * (0.8 + (0.4 * i) / 20))) }));
    }
    case 'ip':
      return Array.from({ length: 16 }, (_, i) => ({ key: `10.${40 + stableNumber(field, 50)}.${1 + (i % 4)}.${20 + i * 9}` }));
    case 'boolean':
      return [{ key: 'false' }, { key: 'true' }];
    case 'date':
      return Array.from({ length: 8 }, (_, i) => ({ key: new Date(Date.UTC(2024, i, 1 + stableNumber(field, 27))).toISOString() }));
    case 'geo_point':
      return Array.from({ length: 8 }, (_, i) => ({ key: `${(40 + i * 1.5).toFixed(2)},${(-74 + i * 3).toFixed(2)}` }));
    case 'keyword': {
      const allowed = ecsAllowedValues(field);
      if (allowed.length) return allowed.map((key) => ({ key }));
      return WORDS.slice(0, 12).map((w) => ({ key: `${leaf(field)}-${w}` }));
    }
  }
}

/** The i-th never-seen value of a field (rare and distinct anomalies). */
export function fieldNovelKey(field: string, i: number, flavor: FieldFlavor = {}): string {
  const type = valueType(field, flavor);
  const round = Math.floor(i / NOVEL_WORDS.length);
  switch (type) {
    case 'number':
      return String(Math.round(baselineLevel(field) * (20 + i)));
    case 'ip':
      return `172.31.251.${10 + (i % 240)}`;
    case 'date':
      return new Date(Date.UTC(2019, 0, 1 + i)).toISOString();
    case 'geo_point':
      return `${(-33 - (i % 20)).toFixed(2)},${(151 + round).toFixed(2)}`;
    case 'boolean':
      throw new Error(`${field} is a boolean: it has no never-seen value to inject`);
    case 'keyword': {
      if (ecsAllowedValues(field).length) throw new Error(`${field} takes only the values ECS allows (${ecsAllowedValues(field).join(', ')}): it has no never-seen value to inject`);
      return `${leaf(field)}-${NOVEL_WORDS[i % NOVEL_WORDS.length]}${round > 0 ? round : ''}-${createHash('sha1').update(`${field}:${i}`).digest('hex').slice(0, 6)}`;
    }
  }
}

/** The one field of a `field:<name>` entity, typed as ECS says. */
export function fieldEntityFields(field: string, key: string, flavor: FieldFlavor = {}): Record<string, unknown> {
  const type = valueType(field, flavor);
  if (type === 'number') return { [field]: Number(key) };
  if (type === 'boolean') return { [field]: key === 'true' };
  if (type === 'geo_point') {
    const [lat, lon] = key.split(',').map(Number);
    return { [field]: { lat, lon } };
  }
  return { [field]: key };
}
