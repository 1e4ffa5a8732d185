/** The in-Kibana KibanaApi over the ML plugin's modulesProvider and the alerting rules client. */
import { catalogue } from '../common/catalogue';
import { customRuleId, RULE_TAG, ruleCreateBody } from '../common/requests';
import { installRules } from './installers/rules';
import { memoryAlerting, MemorySavedObjects } from '../test/router_harness/fake_plugins';
import { createPluginKibanaApi, toAlertingMlRule, type MlModulesProvider } from './kibana_api';
import type { KibanaRequest } from './kibana_shim';
import { backfillShapeFor, isBackfillShapeError } from './alerting_backfill_shim';

const request = { headers: {} } as KibanaRequest;

class InsufficientMLCapabilities extends Error {}

function ml(impl: Partial<ReturnType<MlModulesProvider['modulesProvider']>>): MlModulesProvider {
  return { modulesProvider: () => ({ getModule: async () => ({ jobs: [] }), setup: async () => ({ jobs: [], datafeeds: [] }), ...impl }) };
}

describe('modules through the ML plugin', () => {
  it('maps module setup results and errors to the installer types', async () => {
    const api = createPluginKibanaApi({
      kibanaVersion: '9.1.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'),
      ml: ml({
        getModule: async () => ({ jobs: [{ id: 'auth_rare_user', config: { description: 'x' } }] }),
        setup: async (payload) => ({
          jobs: [{ id: 'auth_rare_user', success: true }, { id: 'auth_rare_hour_for_a_user', success: false, error: { msg: 'exists', statusCode: 400, body: { error: { reason: 'already exists' } } } }],
          datafeeds: [{ id: `datafeed-${String(payload.moduleId)}`, success: true, started: false }],
        }),
      }),
    });
    expect(await api.version()).toBe('9.1.0');
    expect(await api.getModule('security_auth')).toEqual({ jobs: [{ id: 'auth_rare_user', config: { description: 'x' } }] });
    const res = await api.setupModule('security_auth', { prefix: '' });
    expect(res.jobs[1]).toEqual({ id: 'auth_rare_hour_for_a_user', success: false, error: { msg: 'exists', reason: 'already exists', statusCode: 400 } });
    expect(res.datafeeds[0]).toMatchObject({ id: 'datafeed-security_auth', started: false });
  });

  it("turns ML's guard errors into statuses the installer understands", async () => {
    const api = createPluginKibanaApi({
      kibanaVersion: '9.1.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'),
      ml: ml({
        getModule: async () => Promise.reject(Object.assign(new Error('Not Found'), { output: { statusCode: 404 } })),
        setup: async () => Promise.reject(new InsufficientMLCapabilities('Insufficient capabilities')),
      }),
    });
    expect(await api.getModule('nope')).toBeUndefined();
    await expect(api.setupModule('security_auth', {})).rejects.toMatchObject({ statusCode: 403, message: expect.stringMatching(/InsufficientMLCapabilities/) });
  });

  it('without the ML plugin: no module (the installer uses the ES ML APIs)', async () => {
    const api = createPluginKibanaApi({ kibanaVersion: '9.1.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default') });
    expect(await api.getModule('security_auth')).toBeUndefined();
    await expect(api.setupModule('security_auth', {})).rejects.toMatchObject({ statusCode: 501 });
    await expect(api.findRules({ tag: RULE_TAG })).rejects.toMatchObject({ statusCode: 501 });
  });
});

describe('rules through the alerting rules client', () => {
  it('a Detection Engine ML rule becomes a siem.mlRule with every required param', () => {
    const rule = catalogue.rules[0];
    const alerting = toAlertingMlRule(ruleCreateBody(rule));
    expect(alerting).toMatchObject({ alertTypeId: 'siem.mlRule', consumer: 'siem', enabled: true, name: rule.name, schedule: { interval: rule.interval }, actions: [] });
    expect(alerting.tags).toContain(RULE_TAG);
    expect(alerting.params).toMatchObject({
      type: 'machine_learning', ruleId: rule.rule_id, anomalyThreshold: rule.anomaly_threshold,
      machineLearningJobId: ([] as string[]).concat(rule.machine_learning_job_id), immutable: false, from: rule.from, to: 'now', exceptionsList: [],
    });
    expect(() => toAlertingMlRule({ type: 'query' })).toThrow(/machine_learning/);
  });

  it("the installer's rule step works over it: custom rules with ids of our own, conflict, enable, find, delete", async () => {
    const alerting = memoryAlerting(() => 'default');
    const api = createPluginKibanaApi({ kibanaVersion: '9.1.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'), rulesClient: await alerting.getRulesClientWithRequest(request) });
    const auth = catalogue.rules.filter((r) => ([] as string[]).concat(r.machine_learning_job_id).some((j) => j.startsWith('auth_')));
    const rules = [...new Map(auth.map((r) => [r.rule_id, r])).values()].slice(0, 3);
    const outcomes = await installRules(api, rules);
    expect(outcomes.map((o) => o.state)).toEqual(['installed', 'installed', 'installed']);
    // No prebuilt-rules API here: never Elastic's rule_id, always ours, naming the rule it stands for.
    expect(outcomes.map((o) => [o.ruleId, o.prebuiltRuleId])).toEqual(rules.map((r) => [customRuleId(r.rule_id), r.rule_id]));
    expect(await api.createRule(ruleCreateBody(rules[0], true, customRuleId(rules[0].rule_id)))).toEqual({ conflict: true });
    const found = await api.findRules({ tag: RULE_TAG });
    expect(found.map((r) => r.rule_id).sort()).toEqual(rules.map((r) => customRuleId(r.rule_id)).sort());
    expect(await api.findRules({ ruleIds: [] })).toEqual([]);
    await api.deleteRules(found.map((r) => r.id));
    expect(await api.findRules({ tag: RULE_TAG })).toEqual([]);
    await expect(api.enableRules(['missing'])).rejects.toThrow(/missing/);
  });
});

describe('manual rule run through the rules client (scheduleBackfill)', () => {
  const NOW = Date.parse('2026-11-20T12:00:00Z');
  const START = '2026-11-20T04:00:00.000Z';
  const END = '2026-11-20T10:00:00.000Z';

  async function setup(kibanaVersion: string, options: Parameters<typeof memoryAlerting>[2] = {}) {
    const alerting = memoryAlerting(() => 'default', undefined, { now: () => NOW, ...options });
    const api = createPluginKibanaApi({ kibanaVersion, request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'), rulesClient: await alerting.getRulesClientWithRequest(request) });
    const rules = [...new Map(catalogue.rules.map((r) => [r.rule_id, r])).values()].slice(0, 2);
    const outcomes = await installRules(api, rules);
    return { alerting, api, ids: outcomes.map((o) => o.id!), outcomes };
  }

  it("schedules one backfill per rule with this Kibana's parameters, by the rules' saved-object ids", async () => {
    const { alerting, api, ids, outcomes } = await setup('9.1.0', { backfillShape: 'ranges' });
    expect(await api.runRules!(ids, START, END)).toEqual({ errors: [] });
    // As the Security Solution's manual run (bulk_schedule_rule_run.ts): ruleId is the saved-object id, one range.
    expect(alerting.backfills.map((b) => b.param)).toEqual(ids.map((ruleId) => ({ ruleId, ranges: [{ start: START, end: END }], runActions: false })));
    expect(alerting.backfills.map((b) => b.backfill)).toEqual(
      outcomes.map((o) => expect.objectContaining({ spaceId: 'default', start: START, end: END, status: 'pending', rule: expect.objectContaining({ id: o.id, alertTypeId: 'siem.mlRule' }) })),
    );
    // One run per rule interval over the range.
    const interval = catalogue.rules.find((r) => r.rule_id === outcomes[0].prebuiltRuleId)!.interval;
    expect(alerting.backfills[0].backfill.schedule.length).toBe((6 * 60) / Number(interval.replace('m', '')));
  });

  it('uses the shape of older and newer Kibanas, and falls back when the client refuses the shape as another version’s', async () => {
    const old = await setup('8.16.0', { backfillShape: 'start_end' });
    expect(await old.api.runRules!(old.ids, START, END)).toEqual({ errors: [] });
    expect(old.alerting.backfills[0].param).toEqual({ ruleId: old.ids[0], start: START, end: END });

    const newer = await setup('9.3.0', { backfillShape: 'ranges_initiator' });
    expect(await newer.api.runRules!(newer.ids, START, END)).toEqual({ errors: [] });
    expect(newer.alerting.backfills[0].param).toEqual({ ruleId: newer.ids[0], ranges: [{ start: START, end: END }], runActions: false, initiator: 'user' });

    // A 9.2 whose client already wants `initiator` (the boundary guessed wrong): the 400 names the key, the next shape is tried.
    const between = await setup('9.3.0', { backfillShape: 'ranges_initiator' });
    const client = await between.alerting.getRulesClientWithRequest(request);
    const refusals: string[] = [];
    const counting = { ...client, scheduleBackfill: (p: Parameters<NonNullable<typeof client.scheduleBackfill>>[0]) => client.scheduleBackfill!(p).catch((e: Error) => Promise.reject((refusals.push(e.message), e))) };
    const api92 = createPluginKibanaApi({ kibanaVersion: '9.2.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'), rulesClient: counting });
    expect(await api92.runRules!(between.ids, START, END)).toEqual({ errors: [] });
    expect(refusals).toEqual([expect.stringMatching(/\[0\.initiator\]: expected at least one defined value/)]);
    expect(between.alerting.backfills.map((b) => b.param)).toEqual(between.ids.map((ruleId) => ({ ruleId, ranges: [{ start: START, end: END }], runActions: false, initiator: 'user' })));
  });

  it("reports each rule the client would not schedule, and the client's refusals", async () => {
    const { alerting, api, ids } = await setup('9.1.0');
    // A disabled rule is an error result for that rule, the other is scheduled.
    const rule = alerting.rules.get('default')!.get(ids[1])!;
    rule.enabled = false;
    const res = await api.runRules!(ids, START, END);
    expect(res.errors).toEqual([`${rule.name}: Rule ${ids[1]} is disabled`]);
    expect(alerting.backfills.map((b) => b.param.ruleId)).toEqual([ids[0]]);
    // Nothing matching at all, or a range Kibana refuses (validate_backfill_schedule.ts): the call fails with Kibana's reason.
    await expect(api.runRules!(['no-such-rule'], START, END)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/No rules matching ids no-such-rule/) });
    await expect(api.runRules!(ids, START, '2026-11-21T00:00:00.000Z')).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/Backfill cannot be scheduled for the future/) });
    await expect(api.runRules!(ids, '2026-08-01T00:00:00.000Z', END)).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/cannot look back more than 90 days/) });
    expect(await api.runRules!([], START, END)).toEqual({ errors: [] });
  });

  it('without scheduleBackfill (Kibana before 8.15) the run says so', async () => {
    const alerting = memoryAlerting(() => 'default');
    const { scheduleBackfill: _none, ...client } = await alerting.getRulesClientWithRequest(request);
    const api = createPluginKibanaApi({ kibanaVersion: '8.14.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'), rulesClient: client });
    await expect(api.runRules!(['x'], START, END)).rejects.toMatchObject({ statusCode: 501, message: expect.stringMatching(/cannot run rules manually/) });
  });
});

describe('the backfill shim', () => {
  it('picks the parameter shape by Kibana version and recognises a shape refusal', () => {
    expect(['8.15.2', '8.17.0', '8.18.0', '8.19.3', '9.0.0', '9.2.1', '9.3.0', '10.0.0'].map(backfillShapeFor)).toEqual(['start_end', 'start_end', 'ranges', 'ranges', 'ranges', 'ranges', 'ranges_initiator', 'ranges_initiator']);
    const refusal = (why: string) => Object.assign(new Error(`Error validating backfill schedule parameters "[…]" - ${why}`), { output: { statusCode: 400 } });
    expect(isBackfillShapeError(refusal('[0.ranges]: definition for this key is missing'))).toBe(true);
    expect(isBackfillShapeError(refusal('[0.initiator]: expected at least one defined value but got [undefined]'))).toBe(true);
    expect(isBackfillShapeError(refusal('Backfill cannot be scheduled for the future'))).toBe(false);
  });
});
