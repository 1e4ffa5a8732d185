/**
 * The rule step's choice, shared by the CLI and the plugin: a rule that exists is kept; else
 * Elastic's prebuilt rule through Security's prebuilt-rules API when its package is there
 * (prebuilt_rules.ts, the status and installation/_perform routes); else a custom rule with an id
 * of our own. And the range of the manual rule run (run.ts manualRunRange).
 */
import { catalogue } from '../../common/catalogue';
import { customRuleId, RULE_TAG } from '../../common/requests';
import { memoryAlerting, MemorySavedObjects } from '../../test/router_harness/fake_plugins';
import { createPluginKibanaApi } from '../kibana_api';
import type { KibanaRequest } from '../kibana_shim';
import { PREBUILT_RULES_INSTALL_PATH, PREBUILT_RULES_STATUS_PATH, prebuiltRulesInstaller, type InternalKibanaCall } from './prebuilt_rules';
import { installRules } from './rules';
import { manualRunRange } from './run';

const request = { headers: {} } as KibanaRequest;
const rules = [...new Map(catalogue.rules.map((r) => [r.rule_id, r])).values()].slice(0, 3);

/** Security's prebuilt-rules routes as perform_rule_installation_handler.ts answers them, over the same rules client. */
function securityApi(client: Awaited<ReturnType<ReturnType<typeof memoryAlerting>['getRulesClientWithRequest']>>, inPackage: string[]) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const call: InternalKibanaCall = async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
    calls.push({ method, path, body });
    if (path === PREBUILT_RULES_STATUS_PATH) return { stats: { num_prebuilt_rules_total_in_package: inPackage.length } } as T;
    const wanted = (body as { rules: { rule_id: string; version: number }[] }).rules;
    const created = [];
    const errors = [];
    for (const r of wanted) {
      const rule = catalogue.rules.find((c) => c.rule_id === r.rule_id)!;
      if (!inPackage.includes(r.rule_id)) {
        errors.push({ message: `Rule with ID "${r.rule_id}" and version "${r.version}" not found`, rules: [{ rule_id: r.rule_id }] });
        continue;
      }
      // Prebuilt rules are installed disabled and immutable, with Elastic's rule_id; the answer is { id, rule_id, version }.
      const made = await client.create({
        data: {
          name: rule.name,
          alertTypeId: 'siem.mlRule',
          consumer: 'siem',
          enabled: false,
          tags: rule.tags,
          schedule: { interval: rule.interval },
          actions: [],
          params: {
            ruleId: rule.rule_id,
            immutable: true,
            ruleSource: { type: 'external', isCustomized: false },
            type: 'machine_learning',
            machineLearningJobId: rule.machine_learning_job_id,
            anomalyThreshold: rule.anomaly_threshold,
            from: rule.from,
            to: 'now',
            author: ['Elastic'],
            description: rule.description,
            falsePositives: [],
            outputIndex: '',
            maxSignals: 100,
            riskScore: rule.risk_score,
            riskScoreMapping: [],
            severity: rule.severity,
            severityMapping: [],
            threat: [],
            references: [],
            version: r.version,
            exceptionsList: [],
          },
        },
      });
      created.push({ id: made.id, rule_id: r.rule_id, version: r.version });
    }
    return { summary: {}, results: { created, skipped: [] }, errors } as T;
  };
  return { call, calls };
}

async function setup(inPackage: string[] | 'fails') {
  const alerting = memoryAlerting(() => 'default');
  const client = await alerting.getRulesClientWithRequest(request);
  const security = securityApi(client, inPackage === 'fails' ? [] : inPackage);
  const call: InternalKibanaCall =
    inPackage === 'fails'
      ? async () => Promise.reject(Object.assign(new Error('Kibana GET /internal/…/status: 403 Forbidden'), { statusCode: 403 }))
      : security.call;
  const api = createPluginKibanaApi({
    kibanaVersion: '9.1.0',
    request,
    space: 'default',
    savedObjectsClient: new MemorySavedObjects().clientFor('default'),
    rulesClient: client,
    installPrebuiltRules: prebuiltRulesInstaller(call),
  });
  return { alerting, api, calls: security.calls };
}

describe('prebuilt or custom rules', () => {
  it("with the package: Elastic's rules installed through the prebuilt-rules API, enabled; a rule the package lacks becomes a custom rule with our id", async () => {
    const { alerting, api, calls } = await setup([rules[0].rule_id, rules[1].rule_id]);
    const notices: string[] = [];
    const outcomes = await installRules(api, rules, notices);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET ${PREBUILT_RULES_STATUS_PATH}`, `POST ${PREBUILT_RULES_INSTALL_PATH}`]);
    expect(calls[1].body).toEqual({ mode: 'SPECIFIC_RULES', rules: rules.map((r) => ({ rule_id: r.rule_id, version: r.version ?? 1 })) });
    expect(outcomes.map((o) => [o.ruleId, o.prebuiltRuleId, o.state, o.createdByUs])).toEqual([
      [rules[0].rule_id, undefined, 'installed', true],
      [rules[1].rule_id, undefined, 'installed', true],
      [customRuleId(rules[2].rule_id), rules[2].rule_id, 'installed', true],
    ]);
    const stored = [...alerting.rules.get('default')!.values()];
    expect(stored.map((r) => [r.params.ruleId, r.params.immutable, r.enabled, r.tags.includes(RULE_TAG)])).toEqual([
      [rules[0].rule_id, true, true, false],
      [rules[1].rule_id, true, true, false],
      [customRuleId(rules[2].rule_id), false, true, true],
    ]);
    expect(notices).toEqual([expect.stringMatching(/lacks 1 of the rules \(.*\): they are created as custom rules/)]);

    // A second run finds them all (Elastic's and ours) and creates nothing.
    const again = await installRules(api, rules);
    expect(again.map((o) => [o.ruleId, o.state, o.createdByUs])).toEqual([
      [rules[0].rule_id, 'existing', false],
      [rules[1].rule_id, 'existing', false],
      [customRuleId(rules[2].rule_id), 'existing', false],
    ]);
    expect(alerting.rules.get('default')!.size).toBe(3);
    expect(calls.length).toBe(2);
  });

  it('without the package: nothing is installed from the prebuilt-rules API (it would install the package), all rules custom with our ids', async () => {
    const { alerting, api, calls } = await setup([]);
    const notices: string[] = [];
    const outcomes = await installRules(api, rules, notices);
    expect(calls.map((c) => c.path)).toEqual([PREBUILT_RULES_STATUS_PATH]);
    expect(outcomes.map((o) => o.ruleId)).toEqual(rules.map((r) => customRuleId(r.rule_id)));
    expect([...alerting.rules.get('default')!.values()].every((r) => r.params.immutable === false && String(r.params.ruleId).startsWith('ml-demo-data-'))).toBe(
      true,
    );
    expect(notices).toEqual([expect.stringMatching(/prebuilt-rules package is not installed/)]);
  });

  it('the prebuilt-rules API refused (no Security privilege): custom rules, and the reason in a notice', async () => {
    const { api } = await setup('fails');
    const notices: string[] = [];
    const outcomes = await installRules(api, rules, notices);
    expect(outcomes.every((o) => o.state === 'installed' && o.ruleId.startsWith('ml-demo-data-'))).toBe(true);
    expect(notices).toEqual([expect.stringMatching(/prebuilt rules could not be installed \(.*403 Forbidden\.?\)/)]);
  });

  it("Elastic's rule already installed by the user is used as it is (enabled), never duplicated as a custom rule", async () => {
    const { alerting, api } = await setup([rules[0].rule_id]);
    await installRules(api, [rules[0]]);
    const [installed] = [...alerting.rules.get('default')!.values()];
    installed.enabled = false;
    const outcomes = await installRules(api, rules.slice(0, 1));
    expect(outcomes).toEqual([{ ruleId: rules[0].rule_id, name: rules[0].name, id: installed.id, state: 'enabled', createdByUs: false }]);
    expect(alerting.rules.get('default')!.size).toBe(1);
    expect(installed.enabled).toBe(true);
  });
});

describe('the manual rule run range', () => {
  const H = 3600_000;
  const plan = { start: Date.parse('2026-11-17T19:00:00Z'), end: Date.parse('2026-11-20T19:00:00Z') };
  const bucket = Date.parse('2026-11-20T12:00:00Z');
  it('from an hour before the earliest late anomaly to the end of the data', () => {
    expect(manualRunRange(plan, [bucket], plan.end + H)).toEqual({ start: bucket - H, end: plan.end });
    expect(manualRunRange(plan, [], plan.end + H)).toBeUndefined();
  });
  it('within what Kibana accepts: not in the future, not more than 90 days back', () => {
    // The end of the data is ahead of now (--end up to a day ahead): the run ends now.
    expect(manualRunRange(plan, [bucket], bucket + 2 * H)).toEqual({ start: bucket - H, end: bucket + 2 * H });
    // The anomaly's bucket has not started yet: nothing to run.
    expect(manualRunRange(plan, [bucket], bucket - H)).toBeUndefined();
    // 89 days later the start is clipped to 90 days back (with Kibana's margin) ...
    const later = bucket + 89.99 * 24 * H;
    const r = manualRunRange(plan, [bucket], later)!;
    expect(later - r.start).toBeLessThan(90 * 24 * H);
    expect(r.start).toBeGreaterThan(bucket - H);
    // ... and once the anomaly is more than 90 days old there is nothing Kibana would run.
    expect(manualRunRange(plan, [bucket], bucket + 91 * 24 * H)).toBeUndefined();
  });
});
