/**
 * Minimal hand-written request checks for the routes no published OpenAPI document covers.
 * Each check mirrors the server's own request schema (named in README.md) as far as its keys
 * and value types go: unknown keys and wrong types are violations.
 */
import type { Ctx } from './server';

export type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'date' | 'string|string[]' | 'any';

export interface HandSpec {
  query?: Record<string, Kind>;
  /** `'none'`: the route takes no body. */
  body?: Record<string, Kind> | 'none';
  bodyRequired?: boolean;
  /** Extra checks on the parsed body. */
  extra?: (body: Record<string, unknown>, ctx: Ctx) => string[];
}

const GLOBAL_ES_QUERY = new Set(['pretty', 'human', 'error_trace', 'filter_path']);

function typeOk(kind: Kind, v: unknown, fromQuery: boolean): boolean {
  if (kind === 'any') return true;
  if (fromQuery && typeof v === 'string') {
    if (kind === 'boolean') return v === 'true' || v === 'false' || v === '';
    if (kind === 'number') return v !== '' && !Number.isNaN(Number(v));
    if (kind === 'integer') return /^-?\d+$/.test(v);
    if (kind === 'date') return /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)) || /^now/.test(v);
    return kind === 'string' || kind === 'string|string[]';
  }
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return !!v && typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'date':
      return typeof v === 'number' || (typeof v === 'string' && (/^\d+$/.test(v) || !Number.isNaN(Date.parse(v)) || /^now/.test(v)));
    case 'string|string[]':
      return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  }
  return false;
}

export function handCheck(spec: HandSpec): (ctx: Ctx) => string[] {
  return (ctx) => {
    const errors: string[] = [];
    for (const [k, v] of ctx.query.entries()) {
      if (ctx.server === 'es' && GLOBAL_ES_QUERY.has(k)) continue;
      const kind = spec.query?.[k];
      if (!kind) errors.push(`query.${k}: unknown query parameter`);
      else if (!typeOk(kind, v, true)) errors.push(`query.${k}: must be ${kind}`);
    }
    const body = ctx.body;
    if (body === undefined) {
      if (spec.bodyRequired) errors.push('body: required');
      return errors;
    }
    if (spec.body === 'none') return [...errors, 'body: this route takes no request body'];
    if (!body || typeof body !== 'object' || Array.isArray(body)) return [...errors, 'body: must be a JSON object'];
    const b = body as Record<string, unknown>;
    if (spec.body) {
      for (const [k, v] of Object.entries(b)) {
        const kind = spec.body[k];
        if (!kind) errors.push(`body.${k}: unknown key`);
        else if (!typeOk(kind, v, false)) errors.push(`body.${k}: must be ${kind}`);
      }
    }
    if (spec.extra) errors.push(...spec.extra(b, ctx));
    return errors;
  };
}
