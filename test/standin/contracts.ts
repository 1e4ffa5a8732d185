/**
 * Request validation against the official OpenAPI documents in test/contracts/ (copies of shared/contracts).
 *
 * - Routing (method + path -> operation) uses openapi-backend's OpenAPIRouter.
 * - Schemas are validated with Ajv 8. Each document is registered ONCE per process as a
 *   single Ajv schema (`ajv.addSchema(doc, id)`), and each operation's parameter and body
 *   validators are compiled lazily on first use as `{ $ref: "<id>#/json/pointer" }`, so the
 *   shared component schemas (e.g. the ES query DSL) are compiled once and reused.
 * - A few documented normalisations make the documents usable by a JSON-Schema validator
 *   (see `normalize` and ES_SHORTCUTS below, and test/standin/README.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
// openapi-backend's index pulls in an ESM-only ref parser; the router module alone is CommonJS.
import { OpenAPIRouter } from 'openapi-backend/router';
import YAML from 'yaml';

export const CONTRACTS_DIR = process.env.STANDIN_CONTRACTS_DIR ?? path.resolve(__dirname, '../contracts');

export type ContractName = 'elasticsearch' | 'kibana-detections' | 'kibana-ml';

const FILES: Record<ContractName, string> = {
  elasticsearch: 'elasticsearch-serverless-openapi.json',
  'kibana-detections': 'security_solution_detections_api_2023_10_31.bundled.schema.yaml',
  'kibana-ml': 'ml_apis.yaml',
};

/**
 * Shortcut forms of the ES query DSL (`{"term": {"field": "value"}}`): the specification marks
 * these classes `@shortcut_property` (elastic/elasticsearch-specification,
 * specification/_types/query_dsl/term.ts, fulltext.ts, span.ts) but the generated OpenAPI
 * document only has the long form. We accept the shortcut property's own schema as well.
 */
const ES_SHORTCUTS: Record<string, string> = {
  '_types.query_dsl.TermQuery': 'value',
  '_types.query_dsl.PrefixQuery': 'value',
  '_types.query_dsl.RegexpQuery': 'value',
  '_types.query_dsl.WildcardQuery': 'value',
  '_types.query_dsl.FuzzyQuery': 'value',
  '_types.query_dsl.SpanTermQuery': 'value',
  '_types.query_dsl.MatchQuery': 'query',
  '_types.query_dsl.MatchPhraseQuery': 'query',
  '_types.query_dsl.MatchPhrasePrefixQuery': 'query',
  '_types.query_dsl.MatchBoolPrefixQuery': 'query',
  '_types.query_dsl.CommonTermsQuery': 'query',
};

/** Query parameters Elasticsearch accepts on every endpoint (not repeated per operation in the document). */
const ES_GLOBAL_QUERY = new Set(['pretty', 'human', 'error_trace', 'filter_path', 'source', 'source_content_type']);

type Json = Record<string, unknown>;

export interface OperationMatch {
  contract: ContractName;
  operationId: string;
  method: string;
  pathTemplate: string;
  pathParams: Record<string, string>;
  /** Query parameters after coercion to the types the contract declares. */
  query: Record<string, unknown>;
}

export type ValidationResult =
  | { ok: true; op: OperationMatch }
  | { ok: false; op?: OperationMatch; notFound?: boolean; errors: string[] };

export interface RequestToValidate {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: unknown;
  /** Set when the body is not JSON (multipart, NDJSON): body validation is then the caller's job. */
  rawBody?: boolean;
}

interface ParamSpec {
  name: string;
  in: string;
  required: boolean;
  pointer: string;
}

interface CompiledOperation {
  operationId: string;
  params: Map<string, { spec: ParamSpec; validate: ValidateFunction }>;
  body?: { required: boolean; contentTypes: string[]; pointer?: string; validate?: ValidateFunction };
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function getPointer(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const raw of pointer.replace(/^#?\//, '').split('/')) {
    if (raw === '') continue;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = (cur as Json | undefined)?.[key];
  }
  return cur;
}

/**
 * OpenAPI 3.0 -> JSON Schema fix-ups:
 * - `nullable: true` without `type` (Ajv needs a type; also OAS 3.0 `$ref` + `nullable` siblings)
 *   becomes `anyOf: [schema, {type: null}]`;
 * - ES only: `oneOf` becomes `anyOf`. The ES document is generated from TypeScript unions, which
 *   are not exclusive (e.g. `_types.FieldValue` is oneOf [number, number, string, boolean,
 *   nullable string], which no string or number could ever satisfy as a oneOf).
 */
function normalize(node: unknown, esUnions: boolean): void {
  if (Array.isArray(node)) {
    for (const n of node) normalize(n, esUnions);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  for (const [k, v] of Object.entries(obj)) {
    if (k !== 'example' && k !== 'examples') normalize(v, esUnions);
  }
  if (esUnions && Array.isArray(obj.oneOf)) {
    obj.anyOf = obj.oneOf;
    delete obj.oneOf;
  }
  if (obj.nullable === true && obj.type === undefined) {
    const rest: Json = { ...obj };
    delete rest.nullable;
    for (const k of Object.keys(obj)) delete obj[k];
    obj.anyOf = [rest, { type: 'null' }];
  }
}

function findPropertySchema(schema: Json, prop: string): unknown {
  const props = schema.properties as Json | undefined;
  if (props && prop in props) return props[prop];
  for (const sub of (schema.allOf as Json[] | undefined) ?? []) {
    const found = findPropertySchema(sub, prop);
    if (found) return found;
  }
  return undefined;
}

function applyEsShortcuts(doc: Json): void {
  const schemas = (doc.components as Json).schemas as Json;
  for (const [name, prop] of Object.entries(ES_SHORTCUTS)) {
    const original = schemas[name] as Json | undefined;
    if (!original) continue;
    const short = findPropertySchema(original, prop);
    if (!short) continue;
    schemas[name] = { anyOf: [short, original] };
  }
}

class CachedRouter extends OpenAPIRouter {
  private cachedOps?: ReturnType<OpenAPIRouter['getOperations']>;
  override getOperations() {
    this.cachedOps ??= super.getOperations();
    return this.cachedOps;
  }
}

function formatErrors(errors: ErrorObject[] | null | undefined, where: string, max = 8): string[] {
  if (!errors?.length) return [];
  // Most specific first: deepest instance path, and skip the generic "must match a schema in anyOf".
  const sorted = [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  const specific = sorted.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const chosen = specific.length ? specific : sorted;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of chosen) {
    let msg = `${where}${e.instancePath || ''}: ${e.message ?? e.keyword}`;
    if (e.keyword === 'additionalProperties') msg += ` '${String((e.params as Json).additionalProperty)}'`;
    if (e.keyword === 'enum') msg += ` [${((e.params as Json).allowedValues as unknown[]).join(', ')}]`;
    if (!seen.has(msg)) {
      seen.add(msg);
      out.push(msg);
    }
    if (out.length >= max) break;
  }
  return out;
}

export class Contract {
  readonly doc: Json;
  private readonly ajv: Ajv;
  private readonly router: CachedRouter;
  private readonly ops = new Map<string, CompiledOperation>();
  private readonly pointerValidators = new Map<string, ValidateFunction>();

  constructor(readonly name: ContractName) {
    const file = path.join(CONTRACTS_DIR, FILES[name]);
    const text = fs.readFileSync(file, 'utf8');
    this.doc = (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as Json;
    normalize(this.doc, name === 'elasticsearch');
    if (name === 'elasticsearch') applyEsShortcuts(this.doc);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
    addFormats(this.ajv);
    for (const f of ['nonempty', 'date-math', 'strict_date_optional_time', 'binary']) this.ajv.addFormat(f, true);
    this.ajv.addSchema(this.doc, name);
    this.router = new CachedRouter({ definition: this.doc as never, ignoreTrailingSlashes: true });
  }

  /** Validator for any schema in the document, by JSON pointer (compiled once). */
  schemaAt(pointer: string): ValidateFunction {
    let v = this.pointerValidators.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${this.name}#${pointer}` });
      this.pointerValidators.set(pointer, v);
    }
    return v;
  }

  validateAt(pointer: string, value: unknown, where: string): string[] {
    const v = this.schemaAt(pointer);
    if (v(value)) return [];
    return this.focus(pointer, value, where) ?? formatErrors(v.errors, where);
  }

  /** With `discriminator` (Kibana rule types), report only the errors of the branch the value names. */
  private focus(pointer: string, value: unknown, where: string): string[] | undefined {
    let schema = getPointer(this.doc, pointer) as Json | undefined;
    for (let i = 0; i < 5 && schema && typeof schema.$ref === 'string'; i++) {
      pointer = (schema.$ref as string).slice(1);
      schema = getPointer(this.doc, pointer) as Json | undefined;
    }
    const disc = schema?.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
    if (!disc?.mapping || !value || typeof value !== 'object') return undefined;
    const tag = (value as Json)[disc.propertyName];
    const target = typeof tag === 'string' ? disc.mapping[tag] : undefined;
    if (!target) {
      return [`${where}/${disc.propertyName}: must be one of [${Object.keys(disc.mapping).join(', ')}], got ${JSON.stringify(tag)}`];
    }
    const v = this.schemaAt(target.slice(1));
    return v(value) ? [] : formatErrors(v.errors, where);
  }

  match(method: string, urlPath: string): { op?: ReturnType<OpenAPIRouter['getOperations']>[number]; error?: string } {
    try {
      const op = this.router.matchOperation({ method, path: urlPath, headers: {} }, true);
      return op ? { op } : { error: 'no route' };
    } catch (e) {
      return { error: (e as Error).message.replace(/^\d+-\w+: /, '') };
    }
  }

  private compile(op: ReturnType<OpenAPIRouter['getOperations']>[number]): CompiledOperation {
    const key = `${op.method} ${op.path}`;
    const cached = this.ops.get(key);
    if (cached) return cached;
    const opPointer = `/paths/${escapePointer(op.path)}/${op.method}`;
    const pathItem = getPointer(this.doc, `/paths/${escapePointer(op.path)}`) as Json;
    const specs: ParamSpec[] = [];
    const collect = (list: unknown, base: string) => {
      ((list as Json[] | undefined) ?? []).forEach((p, i) => {
        let pointer = `${base}/parameters/${i}`;
        let param = p;
        if (typeof p.$ref === 'string') {
          pointer = p.$ref.slice(1);
          param = getPointer(this.doc, pointer) as Json;
        }
        specs.push({ name: String(param.name), in: String(param.in), required: Boolean(param.required), pointer });
      });
    };
    collect((getPointer(this.doc, opPointer) as Json).parameters, opPointer);
    collect(pathItem.parameters, `/paths/${escapePointer(op.path)}`);
    const params = new Map<string, { spec: ParamSpec; validate: ValidateFunction }>();
    for (const spec of specs) {
      if (spec.in !== 'path' && spec.in !== 'query') continue;
      params.set(`${spec.in}:${spec.name}`, { spec, validate: this.schemaAt(`${spec.pointer}/schema`) });
    }
    let body: CompiledOperation['body'];
    let rbPointer = `${opPointer}/requestBody`;
    let rb = getPointer(this.doc, rbPointer) as Json | undefined;
    if (rb && typeof rb.$ref === 'string') {
      rbPointer = rb.$ref.slice(1);
      rb = getPointer(this.doc, rbPointer) as Json;
    }
    if (rb) {
      const content = (rb.content ?? {}) as Json;
      const contentTypes = Object.keys(content);
      body = { required: Boolean(rb.required), contentTypes };
      if (content['application/json']) body.pointer = `${rbPointer}/content/application~1json/schema`;
    }
    const compiled: CompiledOperation = { operationId: String(op.operationId ?? key), params, body };
    this.ops.set(key, compiled);
    return compiled;
  }

  validate(req: RequestToValidate): ValidationResult {
    const m = this.match(req.method, req.path);
    if (!m.op) {
      return { ok: false, notFound: true, errors: [`${req.method} ${req.path}: no operation in ${FILES[this.name]} (${m.error})`] };
    }
    const op = m.op;
    const compiled = this.compile(op);
    const errors: string[] = [];
    // Path parameters.
    const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
    const pattern = new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)')}/?$`);
    const values = pattern.exec(req.path)?.slice(1) ?? [];
    const pathParams: Record<string, string> = {};
    names.forEach((n, i) => {
      pathParams[n] = decodeURIComponent(values[i] ?? '');
      const p = compiled.params.get(`path:${n}`);
      if (p) errors.push(...this.checkParam(p.validate, pathParams[n], `path.${n}`).errors);
    });
    // Query parameters: unknown ones are rejected like Elasticsearch and Kibana do.
    const query: Record<string, unknown> = {};
    for (const key of new Set(req.query.keys())) {
      const all = req.query.getAll(key);
      const p = compiled.params.get(`query:${key}`);
      if (!p) {
        if (this.name === 'elasticsearch' && ES_GLOBAL_QUERY.has(key)) continue;
        errors.push(`query.${key}: unknown query parameter for ${compiled.operationId}`);
        continue;
      }
      const r = this.checkParam(p.validate, all.length > 1 ? all : all[0], `query.${key}`);
      errors.push(...r.errors);
      query[key] = r.value;
    }
    for (const { spec } of compiled.params.values()) {
      if (spec.in === 'query' && spec.required && !req.query.has(spec.name)) errors.push(`query.${spec.name}: required`);
    }
    // Body.
    const hasBody = req.body !== undefined;
    if (hasBody && !compiled.body) {
      errors.push(`body: ${compiled.operationId} accepts no request body`);
    } else if (!hasBody && compiled.body?.required) {
      errors.push(`body: required by ${compiled.operationId}`);
    } else if (hasBody && compiled.body && !req.rawBody) {
      const ct = req.contentType || '(none)';
      if (!compiled.body.contentTypes.includes(ct)) {
        errors.push(`body: content type ${ct} not accepted; the contract accepts ${compiled.body.contentTypes.join(', ')}`);
      } else if (compiled.body.pointer) errors.push(...this.validateAt(compiled.body.pointer, req.body, 'body'));
      else errors.push(`body: content type ${req.contentType ?? '(none)'} not accepted; the contract accepts ${compiled.body.contentTypes.join(', ')}`);
    }
    const match: OperationMatch = {
      contract: this.name,
      operationId: compiled.operationId,
      method: op.method.toUpperCase(),
      pathTemplate: op.path,
      pathParams,
      query,
    };
    return errors.length ? { ok: false, op: match, errors } : { ok: true, op: match };
  }

  /** Parameters arrive as strings: try the string, then number / boolean / comma-list readings. */
  private checkParam(v: ValidateFunction, raw: string | string[], where: string): { value: unknown; errors: string[] } {
    const candidates: unknown[] = [raw];
    if (typeof raw === 'string') {
      if (raw === '' || raw === 'true') candidates.push(true);
      if (raw === 'false') candidates.push(false);
      if (raw !== '' && !Number.isNaN(Number(raw))) candidates.push(Number(raw));
      if (raw.includes(',')) candidates.push(raw.split(','));
      candidates.push([raw]);
    }
    for (const c of candidates) if (v(c)) return { value: c, errors: [] };
    v(raw);
    return { value: raw, errors: formatErrors(v.errors, where, 3) };
  }
}

const cache = new Map<ContractName, Contract>();

/** One parsed + registered document per process (the ES one is ~4 MB). */
export function getContract(name: ContractName): Contract {
  let c = cache.get(name);
  if (!c) {
    c = new Contract(name);
    cache.set(name, c);
  }
  return c;
}
