/**
 * The part of @kbn/config-schema's `ObjectType` (src/platform/packages/shared/kbn-config-schema/src/types/object_type.ts)
 * that Task Manager uses on a task type's `stateSchemaByVersion`, for flat objects of optional
 * booleans, numbers and strings. No @kbn/* package is on npm, and Task Manager only duck-types
 * these schemas: task.ts declares them `schema.any()` in `taskDefinitionSchema`, and
 * task_validator.ts calls exactly `schema.validate(state)` after each version's `up`, and
 * `schema.extendsDeep({ unknowns }).validate(state)` with the latest version — `ignore` when it
 * reads a task (unknown keys dropped), `forbid` when it writes one (an unknown key is an error).
 * Messages are config-schema's: `[key]: expected value of type [number] but got [string]`.
 */

export type FieldType = 'boolean' | 'number' | 'string';
export type Unknowns = 'allow' | 'ignore' | 'forbid';

/** `ObjectType<P>` of `schema.object({ key: schema.maybe(schema.<type>()) }, { unknowns })`, the methods Task Manager calls. */
export interface ObjectTypeLike<T extends Record<string, unknown> = Record<string, unknown>> {
  validate(value: unknown): T;
  extendsDeep(options: { unknowns?: Unknowns }): ObjectTypeLike<T>;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'Array' : typeof v);

/** A flat object schema whose every key is optional (`schema.maybe`), unknown keys forbidden by default as in config-schema. */
export function maybeObject<T extends Record<string, unknown>>(fields: Record<keyof T & string, FieldType>, unknowns: Unknowns = 'forbid'): ObjectTypeLike<T> {
  return {
    validate(value: unknown): T {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error(`expected a plain object value, but found [${typeOf(value)}] instead.`);
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        const type = (fields as Record<string, FieldType>)[key];
        if (!type) {
          if (unknowns === 'forbid') throw new Error(`[${key}]: definition for this key is missing`);
          if (unknowns === 'allow') out[key] = v;
          continue;
        }
        if (v === undefined) continue;
        if (typeof v !== type || (type === 'number' && !Number.isFinite(v)))
          throw new Error(`[${key}]: expected value of type [${type}] but got [${typeOf(v)}]`);
        out[key] = v;
      }
      return out as T;
    },
    extendsDeep(options) {
      return maybeObject<T>(fields, options.unknowns ?? unknowns);
    },
  };
}
