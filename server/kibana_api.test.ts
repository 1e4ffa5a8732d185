/** The in-Kibana KibanaApi over the ML plugin's modulesProvider and the alerting rules client. */
import { catalogue } from '../common/catalogue';
import { RULE_TAG, ruleCreateBody } from '../common/requests';
import { installRules } from './installers/rules';
import { memoryAlerting, MemorySavedObjects } from '../test/router_harness/fake_plugins';
import { createPluginKibanaApi, toAlertingMlRule, type MlModulesProvider } from './kibana_api';
import type { KibanaRequest } from './kibana_shim';

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

  it("the installer's rule step works over it: create, conflict, enable, find, delete", async () => {
    const alerting = memoryAlerting(() => 'default');
    const api = createPluginKibanaApi({ kibanaVersion: '9.1.0', request, space: 'default', savedObjectsClient: new MemorySavedObjects().clientFor('default'), rulesClient: await alerting.getRulesClientWithRequest(request) });
    const auth = catalogue.rules.filter((r) => ([] as string[]).concat(r.machine_learning_job_id).some((j) => j.startsWith('auth_')));
    const rules = [...new Map(auth.map((r) => [r.rule_id, r])).values()].slice(0, 3);
    const outcomes = await installRules(api, rules);
    expect(outcomes.map((o) => o.state)).toEqual(['installed', 'installed', 'installed']);
    expect(await api.createRule(ruleCreateBody(rules[0]))).toEqual({ conflict: true });
    const found = await api.findRules({ tag: RULE_TAG });
    expect(found.map((r) => r.rule_id).sort()).toEqual(rules.map((r) => r.rule_id).sort());
    expect(await api.findRules({ ruleIds: [] })).toEqual([]);
    await api.deleteRules(found.map((r) => r.id));
    expect(await api.findRules({ tag: RULE_TAG })).toEqual([]);
    await expect(api.enableRules(['missing'])).rejects.toThrow(/missing/);
  });
});
