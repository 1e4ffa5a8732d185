/**
 * Reads a datafeed query as a recipe: which field values a document must carry to be selected.
 * Positive clauses (filter, must, should with minimum_should_match) become constraints; must_not
 * clauses are left to the value pools, and every document is checked against the full query by
 * the evaluator afterwards, so a constraint this reader gets wrong is caught, not silently kept.
 */

export interface FieldConstraints {
  /** field -> the values it may take (the intersection of every positive clause on it). */
  allowed: Map<string, string[]>;
  /** fields that must exist (any value). */
  exists: Set<string>;
}

/** When a should-list offers options on different fields, the option to prefer (e.g. ECS-valid values). */
export type Preferences = Record<string, string>;

type Clause = Record<string, unknown>;

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function leafFieldValue(body: unknown, valueKey: 'value' | 'query'): [string, unknown] {
  const [field, spec] = Object.entries(body as Clause)[0];
  const value = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Clause)[valueKey] : spec;
  return [field, value];
}

/** A single-field equality option of a should-list: [field, values] or undefined. */
function equalityOption(clause: Clause): [string, string[]] | undefined {
  if ('term' in clause) { const [f, v] = leafFieldValue(clause.term, 'value'); return [f, [String(v)]]; }
  if ('match' in clause) { const [f, v] = leafFieldValue(clause.match, 'query'); return [f, [String(v)]]; }
  if ('terms' in clause) {
    const [f, v] = Object.entries(clause.terms as Clause).filter(([k]) => k !== 'boost')[0];
    return [f, (v as unknown[]).map(String)];
  }
  return undefined;
}

export function solveQuery(query: unknown, prefer: Preferences = {}): FieldConstraints {
  const out: FieldConstraints = { allowed: new Map(), exists: new Set() };
  const restrict = (field: string, values: string[]) => {
    const prev = out.allowed.get(field);
    const next = prev ? prev.filter((v) => values.includes(v)) : [...new Set(values)];
    if (next.length === 0) throw new Error(`Datafeed query is unsatisfiable on ${field}`);
    out.allowed.set(field, next);
  };
  const positive = (clause: Clause): void => {
    const eq = equalityOption(clause);
    if (eq) return restrict(eq[0], eq[1]);
    if ('exists' in clause) return void out.exists.add(String((clause.exists as Clause).field));
    if ('match_all' in clause) return;
    if ('bool' in clause) return bool(clause.bool as Clause);
    // wildcard/range/etc. in a positive position would need a generator of their own.
    throw new Error(`Cannot derive documents from query clause ${JSON.stringify(clause)}`);
  };
  const bool = (b: Clause): void => {
    const must = [...asArray(b.filter), ...asArray(b.must)] as Clause[];
    must.forEach(positive);
    const should = asArray(b.should) as Clause[];
    const msm = b.minimum_should_match !== undefined ? Number(b.minimum_should_match) : must.length ? 0 : 1;
    if (should.length === 0 || msm === 0) return;
    const options = should.map(equalityOption);
    const fields = new Set(options.map((o) => o?.[0]));
    if (options.every(Boolean) && fields.size === 1) {
      // e.g. process.name is one of arp, echo, ethtool...: keep them all as the value pool.
      return restrict(options[0]![0], options.flatMap((o) => o![1]));
    }
    const preferred = should.findIndex((_, i) => options[i] && prefer[options[i]![0]] !== undefined && options[i]![1].includes(prefer[options[i]![0]]));
    const chosen = preferred >= 0 ? should[preferred] : should.find((c) => equalityOption(c) || 'exists' in c) ?? should[0];
    positive(preferred >= 0 ? { term: { [options[preferred]![0]]: prefer[options[preferred]![0]] } } : chosen);
  };
  positive(query as Clause);
  return out;
}
