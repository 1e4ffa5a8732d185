/**
 * Evaluates the Elasticsearch query DSL subset used by Elastic Security ML datafeeds (bool, term, terms,
 * match, wildcard, prefix, exists, range, match_all, match_none) against in-memory ECS documents, so
 * generated data can be proven to match each job's datafeed query without a cluster.
 * Mapping assumption (ECS): fields are `keyword`, except IP_FIELDS (`ip`) and whatever `range` targets
 * (numbers / dates). Whatever cannot be evaluated faithfully under that assumption throws
 * UnsupportedQueryError at compile time: a wrong "match" would silently certify bad data.
 */

export type Doc = Record<string, unknown>;
export type DocPredicate = (doc: Doc) => boolean;
type ValuePredicate = (value: unknown) => boolean;
type Obj = Record<string, unknown>;

export class UnsupportedQueryError extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`Unsupported query at ${path || '<root>'}: ${reason}`);
    this.name = 'UnsupportedQueryError';
    this.path = path;
  }
}

const IP_FIELDS = new Set(['source.ip', 'destination.ip', 'client.ip', 'server.ip', 'host.ip', 'related.ip', 'observer.ip']);
// Analyzed text: term/match would compare against tokens, not the whole value, so refuse these fields.
const isTextField = (field: string): boolean => field === 'message' || field === 'error.message' || field.endsWith('.text');
// Data-tier metadata: demo documents are always "hot", so `_tier` never has a value (module
// recognizer queries use `must_not terms _tier [data_frozen, data_cold]`).
const ABSENT_FIELDS = new Set(['_tier']);
const META = ['boost', '_name']; // scoring / naming only; accepted and ignored everywhere
// `format` is ignored, so only formats whose meaning matches our parsing (ISO-8601 / epoch millis) are accepted.
const KNOWN_FORMATS = new Set([
  'strict_date_optional_time',
  'date_optional_time',
  'strict_date_optional_time_nanos',
  'strict_date_time',
  'date_time',
  'strict_date',
  'date',
  'epoch_millis',
]);

function fail(path: string, reason: string): never {
  throw new UnsupportedQueryError(path, reason);
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key);
function expectObj(v: unknown, path: string, what: string): Obj {
  return isObj(v) ? v : fail(path, `${what} must be an object, got ${JSON.stringify(v)}`);
}
function checkKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(at(path, k), `unsupported parameter "${k}"`);
}

/** keys[i] lists parts[i..j].join('.') for every j, precomputed so lookups never build strings. */
interface FieldPath {
  n: number;
  keys: string[][];
}

function compilePath(field: string): FieldPath {
  const parts = field.split('.');
  const keys = parts.map((_, i) => parts.slice(i).map((__, k) => parts.slice(i, i + k + 1).join('.')));
  return { n: parts.length, keys };
}

/**
 * Visits every scalar at `path`. Like ES source flattening, arrays are flattened at any depth and every
 * split of the dotted name into nested keys is tried ({'host.os': {type}} and {host: {'os.type'}} both
 * work). null/undefined are skipped (ES indexes nothing for them); objects at the leaf are not values.
 * Returns true as soon as `visit` does, so predicates short-circuit without allocating.
 */
function walk(node: unknown, path: FieldPath, i: number, visit: ValuePredicate): boolean {
  if (node === null || node === undefined) return false;
  if (Array.isArray(node)) {
    for (const el of node) if (walk(el, path, i, visit)) return true;
    return false;
  }
  const scalar = typeof node !== 'object' || node instanceof Date;
  if (i === path.n) return scalar && visit(node);
  if (scalar) return false;
  const keys = path.keys[i];
  for (let k = 0; k < keys.length; k++) {
    if (Object.hasOwn(node, keys[k]) && walk((node as Obj)[keys[k]], path, i + k + 1, visit)) return true;
  }
  return false;
}

const paths = new Map<string, FieldPath>();

export function getFieldValues(doc: Doc, field: string): unknown[] {
  const out: unknown[] = [];
  if (ABSENT_FIELDS.has(field)) return out;
  let path = paths.get(field);
  if (!path) paths.set(field, (path = compilePath(field)));
  walk(doc, path, 0, (v) => (out.push(v), false));
  return out;
}

/**
 * While compileQuerySet compiles: clauses and fields shared by its queries, each evaluated (read)
 * once per document. `doc` is the document being evaluated, `gen` its number: a memo entry whose
 * stamp is not `gen` is from an earlier document.
 */
interface SharedContext {
  clauses: Map<string, DocPredicate>;
  fields: Map<string, (doc: Doc) => FieldValues>;
  gen: number;
}
let shared: SharedContext | undefined;
interface FieldValues {
  values: unknown[];
  n: number;
}

/** Doc matches when any value of `field` satisfies `pred` (ES multi-value semantics). */
function fieldMatcher(field: string, pred: ValuePredicate): DocPredicate {
  if (ABSENT_FIELDS.has(field)) return () => false;
  const path = compilePath(field);
  if (!shared) return (doc) => walk(doc, path, 0, pred);
  const values = sharedValues(shared, field, path);
  return (doc) => {
    const read = values(doc);
    for (let i = 0; i < read.n; i++) if (pred(read.values[i])) return true;
    return false;
  };
}

/** The values of `field` in the document, read once per document for every clause on that field (the same scalars in the same order as walk visits them). */
function sharedValues(ctx: SharedContext, field: string, path: FieldPath): (doc: Doc) => FieldValues {
  let values = ctx.fields.get(field);
  if (values) return values;
  // Reused for every document (no array per document and field); n: how many are this document's.
  const read: FieldValues = { values: [], n: 0 };
  const collect = (v: unknown) => ((read.values[read.n++] = v), false);
  let stamp = -1;
  values = (doc) => {
    if (stamp !== ctx.gen) {
      stamp = ctx.gen;
      read.n = 0;
      walk(doc, path, 0, collect);
    }
    return read;
  };
  ctx.fields.set(field, values);
  return values;
}

/** The indexed form of a keyword value: numbers/booleans are stored as their string form (4648 == "4648"). */
function keywordOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v instanceof Date ? v.toISOString() : undefined;
}
function scalarArg(v: unknown, path: string): string {
  return (typeof v === 'object' ? undefined : keywordOf(v)) ?? fail(path, `expected a string, number or boolean, got ${JSON.stringify(v)}`);
}

/** Parses `{"f": v}` or `{"f": {<valueKey>: v, ...options}}`, the two shapes of term/match/wildcard/prefix. */
function leafArg(spec: unknown, path: string, valueKeys: string[], options: string[]): { value: string; ci: boolean; opts: Obj } {
  if (!isObj(spec)) return { value: scalarArg(spec, path), ci: false, opts: {} };
  checkKeys(spec, path, [...valueKeys, ...options, ...META]);
  const present = valueKeys.filter((k) => k in spec);
  if (present.length !== 1) fail(path, `expected exactly one of ${valueKeys.join('/')}`);
  const ci = spec.case_insensitive ?? false;
  if (typeof ci !== 'boolean') fail(at(path, 'case_insensitive'), 'must be a boolean');
  return { value: scalarArg(spec[present[0]], at(path, present[0])), ci, opts: spec };
}

function equalsAny(field: string, values: string[], ci: boolean, path: string): ValuePredicate {
  if (IP_FIELDS.has(field)) return ipMatcher(values, path);
  const norm = ci ? (s: string) => s.toLowerCase() : (s: string) => s;
  const set = new Set(values.map(norm));
  return (v) => {
    const s = keywordOf(v);
    return s !== undefined && set.has(norm(s));
  };
}

/** Allocation-free dotted-quad parse (IP terms are evaluated per document); -1 when not IPv4. */
function parseIpv4(s: string): number {
  let n = 0,
    octet = 0,
    digits = 0,
    dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && digits && ++dots <= 3) {
      n = n * 256 + octet;
      octet = digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3 && (octet = octet * 10 + c - 48) <= 255) digits++;
    else return -1;
  }
  return dots === 3 && digits ? n * 256 + octet : -1;
}

/**
 * Comparable key of an IP: IPv4 (and IPv4-mapped IPv6, which ES folds to IPv4) as its uint32, other IPv6
 * as canonical hex groups so "::1" equals "0:0:0:0:0:0:0:1"; undefined when not an IP address.
 */
function ipKey(s: string): number | string | undefined {
  const v4 = parseIpv4(s);
  if (v4 >= 0) return v4;
  if (!s.includes(':')) return undefined;
  let text = s.toLowerCase();
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text); // embedded IPv4, e.g. ::ffff:10.0.0.1
  if (tail) {
    const n = parseIpv4(tail[1]);
    if (n < 0) return undefined;
    text = `${text.slice(0, tail.index)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head, rest] = halves.map((h) => (h ? h.split(':') : []));
  const missing = 8 - head.length - (rest?.length ?? 0);
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = rest === undefined ? head : [...head, ...Array<string>(missing).fill('0'), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const n = groups.map((g) => parseInt(g, 16));
  if (n.slice(0, 5).every((x) => x === 0) && n[5] === 0xffff) return n[6] * 65536 + n[7];
  return n.map((x) => x.toString(16)).join(':');
}

/** term/terms on an `ip` field: exact address, or IPv4 CIDR block (IPv6 CIDR is refused, not guessed). */
function ipMatcher(values: string[], path: string): ValuePredicate {
  const exact = new Set<number | string>();
  const nets: Array<[number, number]> = []; // [network / blockSize, blockSize]
  for (const raw of values) {
    const [addr, bits, ...extra] = raw.split('/');
    const key = ipKey(addr);
    if (key === undefined || extra.length) fail(path, `"${raw}" is not an IP address or CIDR block`);
    if (bits === undefined) {
      exact.add(key);
      continue;
    }
    if (typeof key !== 'number') fail(path, `IPv6 CIDR "${raw}" is not supported`);
    if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) fail(path, `bad prefix length in "${raw}"`);
    const size = 2 ** (32 - Number(bits));
    nets.push([Math.floor(key / size), size]);
  }
  return (v) => {
    const key = typeof v === 'string' ? ipKey(v) : undefined;
    if (key === undefined) return false;
    if (exact.has(key)) return true;
    return typeof key === 'number' && nets.some(([net, size]) => Math.floor(key / size) === net);
  };
}

/** ES wildcard: `*` any run, `?` one character, `\` escapes; the whole value must match. Built once per clause. */
function globRegExp(pattern: string, ci: boolean): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else src += (c === '\\' && i + 1 < pattern.length ? pattern[++i] : c).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, ci ? 'isu' : 'su');
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:(T\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DATE_MATH = /^now((?:[+-]\d+[smhHdw])*)$/; // no rounding (/d) and no calendar units (M, y)
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, H: 36e5, d: 864e5, w: 6048e5 };
const CMP = {
  gt: (a: number, b: number) => a > b,
  gte: (a: number, b: number) => a >= b,
  lt: (a: number, b: number) => a < b,
  lte: (a: number, b: number) => a <= b,
};

/** ISO-8601 date -> epoch millis plus the precision it was written with; zone-less means UTC, as in ES. */
function isoMillis(s: string): { ms: number; unit: number } | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(m[1] && !m[4] ? `${s}Z` : s);
  return Number.isNaN(ms) ? undefined : { ms, unit: !m[1] ? 864e5 : !m[2] ? 6e4 : !m[3] ? 1e3 : 1 };
}

/** Numbers compare numerically; ISO strings / Dates as epoch millis (so numeric bounds act as epoch millis). */
function comparable(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string') return NaN;
  return NUMBER.test(v) ? Number(v) : (isoMillis(v)?.ms ?? NaN);
}

function rangeBound(raw: unknown, op: keyof typeof CMP, path: string): number | (() => number) {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw !== 'string') return fail(path, 'expected a number or date string');
  if (NUMBER.test(raw)) return Number(raw);
  const iso = isoMillis(raw);
  // ES parses gt/lte bounds "rounding up": omitted time components become the end of the written unit.
  if (iso) return op === 'gt' || op === 'lte' ? iso.ms + iso.unit - 1 : iso.ms;
  const math = DATE_MATH.exec(raw) ?? fail(path, `unsupported bound "${raw}" (numbers, ISO dates and now±N[smhdw] only)`);
  let offset = 0;
  for (const [, sign, n, unit] of math[1].matchAll(/([+-])(\d+)([smhHdw])/g)) offset += (sign === '-' ? -1 : 1) * Number(n) * UNIT_MS[unit];
  return () => Date.now() + offset; // `now` is read at evaluation time, like a datafeed search
}

function rangePredicate(spec: unknown, path: string): ValuePredicate {
  const o = expectObj(spec, path, 'range');
  checkKeys(o, path, ['gt', 'gte', 'lt', 'lte', 'format', ...META]);
  if (
    o.format !== undefined &&
    !String(o.format)
      .split('||')
      .every((f) => KNOWN_FORMATS.has(f))
  )
    fail(at(path, 'format'), `format ${JSON.stringify(o.format)} is not supported`);
  const tests: Array<(x: number) => boolean> = [];
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (o[op] === undefined || o[op] === null) continue; // null = unbounded, as in ES
    const bound = rangeBound(o[op], op, at(path, op));
    const cmp = CMP[op];
    tests.push(typeof bound === 'number' ? (x) => cmp(x, bound) : (x) => cmp(x, bound()));
  }
  if (!tests.length) fail(path, 'range without bounds');
  return (v) => {
    const x = comparable(v);
    return !Number.isNaN(x) && tests.every((t) => t(x));
  };
}

/** ES Queries.calculateMinShouldMatch: percentages truncate toward zero; negatives count down from the total. */
function minimumShouldMatch(spec: unknown, count: number, path: string): number {
  const m =
    /^(-?\d+)(%?)$/.exec(typeof spec === 'number' || typeof spec === 'string' ? String(spec).trim() : '') ??
    fail(path, `unsupported minimum_should_match ${JSON.stringify(spec)}`);
  const n = Number(m[1]);
  const calc = m[2] ? Math.trunc((count * n) / 100) : n;
  return Math.max(0, n < 0 ? count + calc : calc);
}

function compileBool(body: unknown, path: string): DocPredicate {
  const o = expectObj(body, path, 'bool');
  checkKeys(o, path, ['filter', 'must', 'should', 'must_not', 'minimum_should_match', ...META]);
  // Each occurrence accepts a single clause object or an array of clauses.
  const list = (k: string): DocPredicate[] => {
    const v = o[k];
    if (v === undefined) return [];
    return Array.isArray(v) ? v.map((c, i) => compileClause(c, `${at(path, k)}[${i}]`)) : [compileClause(v, at(path, k))];
  };
  const required = [...list('filter'), ...list('must')];
  const should = list('should');
  const mustNot = list('must_not');
  if (!required.length && !should.length && !mustNot.length) return () => true; // empty bool = match_all
  // Default: should is optional (0) next to filter/must, otherwise at least one should must match.
  const msm =
    o.minimum_should_match === undefined
      ? required.length || !should.length
        ? 0
        : 1
      : minimumShouldMatch(o.minimum_should_match, should.length, at(path, 'minimum_should_match'));
  if (msm > should.length) return () => false; // unsatisfiable: Lucene rewrites it to match-none
  return (doc) => {
    for (const q of required) if (!q(doc)) return false;
    for (const q of mustNot) if (q(doc)) return false;
    if (msm === 0) return true;
    let hits = 0;
    for (const q of should) if (q(doc) && ++hits >= msm) return true;
    return false;
  };
}

/** Compiles a query (the datafeed `query` object) once into a fast document predicate; throws on anything unsupported. */
export function compileQuery(query: unknown): DocPredicate {
  return compileClause(query, '');
}

/**
 * Compiles several queries to be evaluated on the same documents (the verifier matches every
 * document against every job's datafeed query): a clause that several queries share (the same
 * JSON: the OS `should`, the agents' `must_not`, `event.type: start`) is evaluated once per
 * document, and each field is read from the document once for all the clauses on it. `begin(doc)`
 * starts a document; then each predicate answers for it, as compileQuery's would.
 */
export function compileQuerySet(queries: readonly unknown[]): { predicates: DocPredicate[]; begin(doc: Doc): void } {
  const ctx: SharedContext = { clauses: new Map(), fields: new Map(), gen: 0 };
  shared = ctx;
  try {
    return { predicates: queries.map((q) => compileClause(q, '')), begin: () => void ctx.gen++ };
  } finally {
    shared = undefined;
  }
}

/** Under compileQuerySet: one predicate per distinct clause, whose answer is kept for the document. */
function memoClause(clause: unknown, compile: () => DocPredicate): DocPredicate {
  const ctx = shared;
  if (!ctx) return compile();
  const key = JSON.stringify(clause);
  let predicate = ctx.clauses.get(key);
  if (predicate) return predicate;
  const inner = compile();
  let stamp = -1;
  let answer = false;
  predicate = (doc) => {
    if (stamp !== ctx.gen) {
      answer = inner(doc);
      stamp = ctx.gen;
    }
    return answer;
  };
  ctx.clauses.set(key, predicate);
  return predicate;
}

function singleField(body: unknown, path: string, extra: string[]): [string, unknown, string] {
  const o = expectObj(body, path, 'query body');
  const fields = Object.keys(o).filter((k) => !extra.includes(k));
  if (fields.length !== 1) fail(path, `expected exactly one field, got [${fields.join(', ')}]`);
  const fieldPath = at(path, fields[0]);
  if (isTextField(fields[0])) fail(fieldPath, `"${fields[0]}" is an analyzed text field`);
  return [fields[0], o[fields[0]], fieldPath];
}

function compileClause(clause: unknown, path: string): DocPredicate {
  return memoClause(clause, () => compileOne(clause, path));
}

function compileOne(clause: unknown, path: string): DocPredicate {
  const o = expectObj(clause, path, 'query clause');
  const types = Object.keys(o);
  if (types.length !== 1) fail(path, `a clause needs exactly one query type, got [${types.join(', ')}]`);
  const type = types[0];
  const p = at(path, type);
  const body = o[type];
  switch (type) {
    case 'bool':
      return compileBool(body, p);
    case 'match_all':
    case 'match_none':
      checkKeys(expectObj(body, p, type), p, META);
      return type === 'match_all' ? () => true : () => false;
    case 'exists': {
      const e = expectObj(body, p, 'exists');
      checkKeys(e, p, ['field', ...META]);
      if (typeof e.field !== 'string' || !e.field || e.field.includes('*')) return fail(at(p, 'field'), 'expected a concrete field name');
      return fieldMatcher(e.field, () => true);
    }
    case 'term': {
      const [field, spec, fp] = singleField(body, p, []);
      const a = leafArg(spec, fp, ['value'], ['case_insensitive']);
      return fieldMatcher(field, equalsAny(field, [a.value], a.ci, fp));
    }
    case 'terms': {
      const [field, values, fp] = singleField(body, p, META);
      if (!Array.isArray(values)) return fail(fp, 'expected an array of values (terms lookup is not supported)');
      return fieldMatcher(
        field,
        equalsAny(
          field,
          values.map((v, i) => scalarArg(v, `${fp}[${i}]`)),
          false,
          fp,
        ),
      );
    }
    case 'match': {
      // Keyword fields use the keyword analyzer: the query is one token, so match == term and
      // `operator` cannot change the result. Text fields were refused by singleField.
      const [field, spec, fp] = singleField(body, p, []);
      const a = leafArg(spec, fp, ['query'], ['operator', 'lenient']);
      if (a.opts.operator !== undefined && !/^(and|or)$/i.test(String(a.opts.operator))) fail(at(fp, 'operator'), 'must be AND or OR');
      return fieldMatcher(field, equalsAny(field, [a.value], false, fp));
    }
    case 'wildcard':
    case 'prefix': {
      const [field, spec, fp] = singleField(body, p, []);
      if (IP_FIELDS.has(field)) fail(fp, `${type} on ip field "${field}" is not supported`);
      const a = leafArg(spec, fp, type === 'wildcard' ? ['value', 'wildcard'] : ['value'], ['case_insensitive', 'rewrite']);
      const re = type === 'wildcard' ? globRegExp(a.value, a.ci) : undefined;
      const prefix = a.ci ? a.value.toLowerCase() : a.value;
      return fieldMatcher(field, (v) => {
        const s = keywordOf(v);
        if (s === undefined) return false;
        return re ? re.test(s) : (a.ci ? s.toLowerCase() : s).startsWith(prefix);
      });
    }
    case 'range': {
      const [field, spec, fp] = singleField(body, p, []);
      if (IP_FIELDS.has(field)) fail(fp, `range on ip field "${field}" is not supported`);
      return fieldMatcher(field, rangePredicate(spec, fp));
    }
    default:
      return fail(p, `unknown or unsupported query type "${type}"`);
  }
}
