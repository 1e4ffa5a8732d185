/**
 * The runtime fields Security datafeeds define (Painless scripts), re-implemented so the
 * verifier sees the values the job sees. An unknown runtime field is an error, not a guess.
 */
import { getFieldValues, type Doc } from './query_evaluator';

type RuntimeImpl = { reads: string[]; value: (doc: Doc) => string };

/**
 * First value of a field. Generated documents are nested objects, so a precompiled path walk is
 * tried first; anything else (dotted keys, arrays of objects) goes through the evaluator's walk.
 */
function compileFirst(field: string): (doc: Doc) => string | undefined {
  const parts = field.split('.');
  return (doc) => {
    let node: unknown = doc;
    for (const part of parts) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) { node = undefined; break; }
      node = (node as Record<string, unknown>)[part];
    }
    if (Array.isArray(node)) node = node[0];
    if (node !== undefined && node !== null && typeof node !== 'object') return String(node);
    const v = getFieldValues(doc, field)[0];
    return v === undefined ? undefined : String(v);
  };
}

const readers = new Map<string, (doc: Doc) => string | undefined>();
const first = (doc: Doc, field: string): string | undefined => {
  let reader = readers.get(field);
  if (!reader) readers.set(field, (reader = compileFirst(field)));
  return reader(doc);
};

const KNOWN: Record<string, RuntimeImpl> = {
  // emit(etld_plus_one) else emit(registered_domain) else emit('None')
  dns_question_etld: {
    reads: ['dns.question.etld_plus_one', 'dns.question.registered_domain'],
    value: (doc) => first(doc, 'dns.question.etld_plus_one') ?? first(doc, 'dns.question.registered_domain') ?? 'None',
  },
  // emit(LogonType) else emit('None')
  winlog_logon_type: {
    reads: ['winlog.event_data.LogonType'],
    value: (doc) => first(doc, 'winlog.event_data.LogonType') ?? 'None',
  },
};

export type FieldReader = (doc: Doc) => string | undefined;

/** A reader for `field`, through the datafeed's runtime mapping when it defines one. */
export function fieldReader(field: string, runtimeMappings: Record<string, { script?: unknown }> | undefined): FieldReader {
  const mapping = runtimeMappings?.[field];
  if (!mapping) return compileFirst(field);
  const impl = KNOWN[field];
  const source = JSON.stringify(mapping.script ?? '');
  if (!impl || !impl.reads.every((f) => source.includes(f))) {
    throw new Error(`Runtime field ${field} has a script this verifier does not know: ${source.slice(0, 200)}`);
  }
  return impl.value;
}
