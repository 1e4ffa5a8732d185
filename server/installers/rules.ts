/**
 * ML detection rules: the prebuilt rules of the chosen jobs, installed and enabled. The
 * prebuilt-rules package is used when Kibana has it (the rules stay Elastic's, updatable);
 * otherwise equivalent rules are created through the public Detection Engine API, tagged so
 * cleanup finds them. Rules that already exist are left as they are, only enabled.
 */
import type { CatalogueRule } from '../../common/catalogue/types';
import { ruleCreateBody } from '../../common/requests';
import { toInstallError } from './errors';
import type { KibanaApi, RuleSummary } from './types';

export interface RuleOutcome {
  ruleId: string;
  name: string;
  id?: string;
  state: 'installed' | 'existing' | 'enabled' | 'failed';
  /** True when this run created the rule (cleanup deletes it). */
  createdByUs: boolean;
  error?: string;
}

export async function installRules(kibana: KibanaApi, rules: CatalogueRule[]): Promise<RuleOutcome[]> {
  const wanted = [...new Map(rules.map((r) => [r.rule_id, r])).values()];
  const existing = new Map((await kibana.findRules({ ruleIds: wanted.map((r) => r.rule_id) })).map((r) => [r.rule_id, r]));
  const outcomes = new Map<string, RuleOutcome>();
  const missing = wanted.filter((r) => !existing.has(r.rule_id));

  let prebuilt: RuleSummary[] = [];
  if (missing.length && kibana.installPrebuiltRules) {
    prebuilt = await kibana.installPrebuiltRules(missing.map((r) => r.rule_id)).catch(() => []);
  }
  for (const r of prebuilt) outcomes.set(r.rule_id, { ruleId: r.rule_id, name: r.name, id: r.id, state: 'installed', createdByUs: true });

  for (const rule of missing.filter((r) => !outcomes.has(r.rule_id))) {
    try {
      const created = await kibana.createRule(ruleCreateBody(rule));
      if ('conflict' in created) {
        const [found] = await kibana.findRules({ ruleIds: [rule.rule_id] });
        if (found) existing.set(found.rule_id, found);
        continue;
      }
      outcomes.set(rule.rule_id, { ruleId: rule.rule_id, name: rule.name, id: created.id, state: created.enabled ? 'installed' : 'existing', createdByUs: true });
    } catch (error) {
      outcomes.set(rule.rule_id, { ruleId: rule.rule_id, name: rule.name, state: 'failed', createdByUs: false, error: toInstallError(error, `Creating rule "${rule.name}"`).message });
    }
  }

  const toEnable = [...existing.values(), ...prebuilt].filter((r) => !r.enabled);
  if (toEnable.length) await kibana.enableRules(toEnable.map((r) => r.id));
  for (const r of existing.values()) {
    if (!outcomes.has(r.rule_id)) outcomes.set(r.rule_id, { ruleId: r.rule_id, name: r.name, id: r.id, state: r.enabled ? 'existing' : 'enabled', createdByUs: false });
  }
  return wanted.map((r) => outcomes.get(r.rule_id) ?? { ruleId: r.rule_id, name: r.name, state: 'failed', createdByUs: false, error: 'not installed' });
}

