/**
 * ECS field types (from @elastic/ecs, generated into ecs_fields.json by scripts/build_ecs_fields.ts):
 * what type of value a field no entity of the generator knows must get, and which values ECS
 * allows for it (event.category, event.type…).
 */
import table from './ecs_fields.json';

export type EcsType = string;

const TABLE = table as unknown as { version: string; fields: Record<string, [string] | [string, string[]]> };
const FIELDS = TABLE.fields;

export const ECS_VERSION = TABLE.version;

/** The ECS type of a field, or undefined when ECS does not define it. */
export function ecsType(field: string): EcsType | undefined {
  return Object.prototype.hasOwnProperty.call(FIELDS, field) ? FIELDS[field][0] : undefined;
}

/** The values ECS allows for a field (empty when any value is allowed). */
export function ecsAllowedValues(field: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(FIELDS, field) ? (FIELDS[field][1] ?? []) : [];
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'float', 'double', 'half_float', 'scaled_float', 'unsigned_long']);

export function isNumericType(type: EcsType | undefined): boolean {
  return type !== undefined && NUMERIC.has(type);
}
