/**
 * Builds common/ecs/ecs_fields.json from @elastic/ecs (EcsFlat): per ECS field its type and, where
 * ECS lists them, its allowed values. The generator gives a field no entity knows a value of this
 * type; the table is generated so the CLI and the plugin do not load @elastic/ecs's 1.5 MB at run
 * time (it stays a devDependency), and a test fails when the table is stale.
 *
 *   npm run ecs-fields
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EcsFlat, EcsVersion } from '@elastic/ecs';

export const ECS_FIELDS_PATH = resolve(__dirname, '../common/ecs/ecs_fields.json');

export interface EcsFieldsTable {
  version: string;
  /** field -> [type] or [type, allowed values]. */
  fields: Record<string, [string] | [string, string[]]>;
}

export function buildEcsFields(): EcsFieldsTable {
  const fields: EcsFieldsTable['fields'] = {};
  for (const [name, spec] of Object.entries(EcsFlat as Record<string, { type: string; allowed_values?: { name: string }[] }>).sort(([a], [b]) => a.localeCompare(b))) {
    const allowed = spec.allowed_values?.map((v) => v.name);
    fields[name] = allowed?.length ? [spec.type, allowed] : [spec.type];
  }
  return { version: EcsVersion, fields };
}

if (require.main === module) {
  const table = buildEcsFields();
  writeFileSync(ECS_FIELDS_PATH, `${JSON.stringify(table)}\n`);
  console.log(`Wrote ${ECS_FIELDS_PATH}: ECS ${table.version}, ${Object.keys(table.fields).length} fields`);
}
