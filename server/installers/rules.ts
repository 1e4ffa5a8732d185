/**
 * ML detection rules: the prebuilt rules of the chosen jobs, installed and enabled.
 * 1. A rule that exists (Elastic's prebuilt rule, or our custom one from an earlier run) is left
 *    as it is, only enabled.
 * 2. Otherwise Elastic's prebuilt rule is installed through Security's prebuilt-rules API when its
 *    package is there (prebuilt_rules.ts): the rule stays Elastic's, updatable.
 * 3. Otherwise an equivalent custom rule is created with an id of our own
 *    (common/requests.ts customRuleId, `ml-demo-data-<rule_id>`), tagged so cleanup finds it:
 *    never with Elastic's rule_id, which would stand in the way of the prebuilt rule.
 */
import type { CatalogueRule } from '../../common/catalogue/types';
import { customRuleId, ruleCreateBody } from '../../common/requests';
import { toInstallError } from './errors';
import type { KibanaApi, RuleSummary } from './types';

export interface RuleOutcome {
  /** The installed rule's rule_id (Elastic's, or ours for a custom rule). */
  ruleId: string;
  /** Elastic's rule_id the rule stands for, when `ruleId` is our own. */
  prebuiltRuleId?: string;
  name: string;
  id?: string;
  state: 'installed' | 'existing' | 'enabled' | 'failed';
  /** True when this run created the rule (cleanup deletes it). */
  createdByUs: boolean;
  error?: string;
}

/** `notices` receives what the user should know (no prebuilt-rules package, rules it lacks). */
export async function installRules(kibana: KibanaApi, rules: CatalogueRule[], notices: string[] = []): Promise<RuleOutcome[]> {
  const wanted = [...new Map(rules.map((r) => [r.rule_id, r])).values()];
  const found = new Map((await kibana.findRules({ ruleIds: wanted.flatMap((r) => [r.rule_id, customRuleId(r.rule_id)]) })).map((r) => [r.rule_id, r]));
  const existing = new Map<string, RuleSummary>();
  for (const r of wanted) {
    const have = found.get(r.rule_id) ?? found.get(customRuleId(r.rule_id));
    if (have) existing.set(r.rule_id, have);
  }
  const outcomes = new Map<string, RuleOutcome>();
  const stand = (rule: CatalogueRule, ruleId: string) => (ruleId === rule.rule_id ? {} : { prebuiltRuleId: rule.rule_id });
  const missing = wanted.filter((r) => !existing.has(r.rule_id));

  let prebuilt: RuleSummary[] = [];
  if (missing.length && kibana.installPrebuiltRules) {
    try {
      const result = await kibana.installPrebuiltRules(missing.map((r) => ({ rule_id: r.rule_id, version: r.version ?? undefined, name: r.name })));
      prebuilt = result.installed;
      if (result.notice) notices.push(result.notice);
    } catch (error) {
      notices.push(
        `Elastic's prebuilt rules could not be installed (${toInstallError(error, 'Installing prebuilt rules').message}): the ML rules are created as custom rules with ids of the tool's own.`,
      );
    }
  }
  for (const r of prebuilt) outcomes.set(r.rule_id, { ruleId: r.rule_id, name: r.name, id: r.id, state: 'installed', createdByUs: true });

  for (const rule of missing.filter((r) => !outcomes.has(r.rule_id))) {
    const ruleId = customRuleId(rule.rule_id);
    try {
      const created = await kibana.createRule(ruleCreateBody(rule, true, ruleId));
      if ('conflict' in created) {
        const [again] = await kibana.findRules({ ruleIds: [ruleId] });
        if (again) existing.set(rule.rule_id, again);
        continue;
      }
      outcomes.set(rule.rule_id, {
        ruleId,
        ...stand(rule, ruleId),
        name: rule.name,
        id: created.id,
        state: created.enabled ? 'installed' : 'existing',
        createdByUs: true,
      });
    } catch (error) {
      outcomes.set(rule.rule_id, {
        ruleId,
        ...stand(rule, ruleId),
        name: rule.name,
        state: 'failed',
        createdByUs: false,
        error: toInstallError(error, `Creating rule "${rule.name}"`).message,
      });
    }
  }

  const toEnable = [...existing.values(), ...prebuilt].filter((r) => !r.enabled);
  if (toEnable.length) await kibana.enableRules(toEnable.map((r) => r.id));
  for (const rule of wanted) {
    const r = existing.get(rule.rule_id);
    if (r && !outcomes.has(rule.rule_id))
      outcomes.set(rule.rule_id, {
        ruleId: r.rule_id,
        ...stand(rule, r.rule_id),
        name: r.name,
        id: r.id,
        state: r.enabled ? 'existing' : 'enabled',
        createdByUs: false,
      });
  }
  return wanted.map((r) => outcomes.get(r.rule_id) ?? { ruleId: r.rule_id, name: r.name, state: 'failed', createdByUs: false, error: 'not installed' });
}
