/** Kibana detection-engine rules: storage, defaults, the _find filter subset. */
import { randomUUID } from 'node:crypto';
import type { RuleState, StandinState } from './state';

export function rulesOf(state: StandinState, space: string): Map<string, RuleState> {
  let m = state.rules.get(space);
  if (!m) {
    m = new Map();
    state.rules.set(space, m);
  }
  return m;
}

export function deErr(status: number, message: string) {
  return { status, body: { message, status_code: status } };
}

/** What Kibana returns for a created rule: the input plus server defaults. */
export function buildRule(input: Record<string, unknown>, user: string, extra: Partial<RuleState> = {}): RuleState {
  const now = new Date().toISOString();
  const rule: RuleState = {
    id: randomUUID(),
    rule_id: String(input.rule_id ?? randomUUID()),
    enabled: true,
    interval: '5m',
    from: 'now-6m',
    to: 'now',
    max_signals: 100,
    author: [],
    false_positives: [],
    references: [],
    threat: [],
    tags: [],
    exceptions_list: [],
    risk_score_mapping: [],
    severity_mapping: [],
    related_integrations: [],
    required_fields: [],
    setup: '',
    actions: [],
    immutable: false,
    rule_source: { type: 'internal' },
    version: 1,
    revision: 0,
    created_at: now,
    updated_at: now,
    created_by: user,
    updated_by: user,
    ...input,
    ...extra,
  } as RuleState;
  if (rule.type === 'machine_learning' && rule.machine_learning_job_id !== undefined) {
    rule.machine_learning_job_id = [rule.machine_learning_job_id].flat();
  }
  return rule;
}

export function findRule(rules: Map<string, RuleState>, by: { id?: unknown; rule_id?: unknown }): RuleState | undefined {
  if (by.rule_id !== undefined) return rules.get(String(by.rule_id));
  if (by.id !== undefined) return [...rules.values()].find((r) => r.id === String(by.id));
  return undefined;
}

export function notFound(by: { id?: unknown; rule_id?: unknown }) {
  return by.rule_id !== undefined ? deErr(404, `rule_id: "${String(by.rule_id)}" not found`) : deErr(404, `id: "${String(by.id)}" not found`);
}

const FIELD_MAP: Record<string, (r: RuleState) => unknown> = {
  'alert.attributes.tags': (r) => r.tags,
  'alert.attributes.name': (r) => r.name,
  'alert.attributes.enabled': (r) => r.enabled,
  'alert.attributes.params.ruleId': (r) => r.rule_id,
  'alert.attributes.params.type': (r) => r.type,
  'alert.attributes.params.immutable': (r) => r.immutable,
  'alert.attributes.params.machineLearningJobId': (r) => r.machine_learning_job_id,
};

/**
 * The KQL subset `_find` / bulk `query` understand: `field:value`, `field:"value"`,
 * `field:(a OR b)`, clauses joined with AND, optional NOT. Unknown fields match nothing.
 */
export function kqlFilter(filter: string | undefined): (r: RuleState) => boolean {
  if (!filter?.trim()) return () => true;
  const clauses = filter.split(/\s+AND\s+/i).map((c) => c.trim().replace(/^\((.*)\)$/, '$1'));
  const tests = clauses.map((clause) => {
    const neg = /^NOT\s+/i.test(clause);
    const m = /^(?:NOT\s+)?([\w.]+)\s*:\s*(.+)$/i.exec(clause);
    if (!m) return () => false;
    const get = FIELD_MAP[m[1]];
    const values = m[2]
      .replace(/^\((.*)\)$/, '$1')
      .split(/\s+OR\s+/i)
      .map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
    return (r: RuleState) => {
      if (!get) return false;
      const actual = [get(r)].flat().map((x) => String(x));
      const hit = values.some((v) => (v === '*' ? actual.length > 0 : actual.includes(v)));
      return neg ? !hit : hit;
    };
  });
  return (r) => tests.every((t) => t(r));
}

const SORT_FIELDS: Record<string, string> = { createdAt: 'created_at', created_at: 'created_at', name: 'name', updatedAt: 'updated_at', updated_at: 'updated_at', enabled: 'enabled', severity: 'severity', risk_score: 'risk_score' };

export function sortRules(list: RuleState[], field?: unknown, order?: unknown): RuleState[] {
  const key = SORT_FIELDS[String(field ?? 'created_at')] ?? 'created_at';
  const dir = order === 'desc' ? -1 : 1;
  return [...list].sort((a, b) => (String(a[key]) < String(b[key]) ? -dir : String(a[key]) > String(b[key]) ? dir : 0));
}

/** Extract the `file` part of a multipart/form-data body. */
export function multipartFile(raw: Buffer, contentType: string | undefined): string | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!boundary) return undefined;
  const b = `--${boundary[1] ?? boundary[2]}`;
  for (const part of raw.toString('utf8').split(b)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    if (/name="file"/i.test(head)) return rest.join('\r\n\r\n').replace(/\r\n$/, '');
  }
  return undefined;
}
