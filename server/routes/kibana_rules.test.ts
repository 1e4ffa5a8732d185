/**
 * Rules inside Kibana (issue 11, point 6), through the router harness against the stand-in:
 * - with the Security Solution and its prebuilt-rules package, the run installs Elastic's prebuilt
 *   rules through Security's prebuilt-rules API (Kibana's own HTTP API, here the stand-in Kibana,
 *   as the task's API key in the run's space); the alerting rules client sees the same rules;
 * - without it, custom rules with ids of our own (`ml-demo-data-<rule_id>`), never Elastic's;
 * - an anomaly outside its rule's look-back gets a manual rule run through the rules client's
 *   scheduleBackfill over the anomaly, validated as the alerting plugin validates it.
 */
import type { RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { customRuleId, RULE_TAG } from '../../common/requests';
import { startStandin, type Standin } from '../../test/standin';
import { startRunsIndexFront, waitForRun as waitForRunOf, type HarnessCall, type RouteHarness, closeAll, inKibanaHarness } from '../../test/router_harness';
import type { MemoryAlerting } from '../../test/router_harness/fake_plugins';
import type { HarnessOptions } from '../../test/router_harness/harness';
import type { RunsIndexFront } from '../../test/router_harness/runs_index_front';
import { PREBUILT_RULES_INSTALL_PATH, PREBUILT_RULES_STATUS_PATH } from '../installers/prebuilt_rules';

const END = '2026-11-20T10:07:00Z';
const SMALL = { modules: ['security_auth'], historyDays: 3, end: END };
const V = { 'elastic-api-version': API_VERSION };
const FAST = { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 } };
const USER = 'ApiKey dXNlcjpzZXNzaW9u';

let standin: Standin;
let front: RunsIndexFront;
const open: RouteHarness[] = [];

const harness = (options: Partial<HarnessOptions> = {}) => inKibanaHarness(standin, front, open, { authorization: USER, run: FAST, ...options });
const call = (h: RouteHarness, c: Omit<HarnessCall, 'headers'>) => h.call({ ...c, headers: V });
async function run(h: RouteHarness, body: unknown, space = 'default'): Promise<RunProgress> {
  const start = await call(h, { method: 'POST', path: `${space === 'default' ? '' : `/s/${space}`}${ROUTES.runs}`, body });
  expect(start.status).toBe(202);
  return waitForRunOf(h, (start.body as { runId: string }).runId, space, { authorization: USER });
}

beforeEach(async () => {
  standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
  front = await startRunsIndexFront(standin);
});
afterEach(() => closeAll(open, front, standin));

describe('rules of a run inside Kibana', () => {
  it("installs Elastic's prebuilt rules through Security's prebuilt-rules API as the task's API key, in the run's space; cleanup removes them", async () => {
    const h = await harness({ securitySolution: true, memoryAlerting: { detectionRules: standin.state.rules } });
    const r = await run(h, SMALL, 'analysts');
    expect(r.errors).toEqual([]);
    expect(r.state).toBe('succeeded');
    const wanted = [...new Set(r.jobs.map((j) => j.ruleId))];
    expect(r.rules.map((x) => [x.ruleId, x.prebuiltRuleId, x.state]).sort()).toEqual(wanted.map((id) => [id, undefined, 'installed']).sort());
    // Through Kibana's own HTTP API (status, then installation), in the space, with the task's key, not the user's.
    const security = standin.requests.filter((q) => q.server === 'kibana' && q.url.includes('/prebuilt_rules/'));
    expect(security.map((q) => `${q.method} ${q.url} ${q.status}`)).toEqual([
      `GET /s/analysts${PREBUILT_RULES_STATUS_PATH} 200`,
      `POST /s/analysts${PREBUILT_RULES_INSTALL_PATH} 200`,
    ]);
    const [task] = [...h.taskStore.apiKeys.keys()];
    expect(security.map((q) => q.authorization)).toEqual([task, task]);
    // Elastic's rules (immutable, external source), enabled by the run, and seen by the rules client.
    const stored = [...standin.state.rules.get('analysts')!.values()];
    expect(stored.map((x) => [x.rule_id, x.immutable, x.enabled, (x.rule_source as { type: string }).type]).sort()).toEqual(
      wanted.map((id) => [id, true, true, 'external']).sort(),
    );
    expect(stored.some((x) => String(x.rule_id).startsWith('ml-demo-data-'))).toBe(false);
    expect([...(h.alerting as MemoryAlerting).rules.get('analysts')!.values()].map((x) => x.params.ruleId).sort()).toEqual([...wanted].sort());
    expect(r.created.rules.sort()).toEqual([...wanted].sort());

    const cleaned = await call(h, { method: 'POST', path: `/s/analysts${ROUTES.cleanup}`, body: { namespace: 'default' } });
    expect(cleaned.status).toBe(200);
    expect((cleaned.body as { rules: string[] }).rules.sort()).toEqual([...wanted].sort());
    expect(standin.state.rules.get('analysts')!.size).toBe(0);
  });

  it("without the Security Solution's prebuilt rules: custom rules with ids of our own, never Elastic's rule_id", async () => {
    const h = await harness({ memoryAlerting: { detectionRules: standin.state.rules } });
    const r = await run(h, SMALL);
    expect(r.state).toBe('succeeded');
    expect(standin.requests.filter((q) => q.url.includes('/prebuilt_rules/'))).toEqual([]);
    const wanted = [...new Set(r.jobs.map((j) => j.ruleId!))];
    expect(r.rules.map((x) => [x.ruleId, x.prebuiltRuleId]).sort()).toEqual(wanted.map((id) => [customRuleId(id), id]).sort());
    const stored = [...standin.state.rules.get('default')!.values()];
    expect(
      stored.every((x) => String(x.rule_id).startsWith('ml-demo-data-') && x.immutable === false && (x.tags as string[]).includes(RULE_TAG) && x.enabled),
    ).toBe(true);
    // Elastic's package can still be installed afterwards: nothing holds its rule_ids.
    for (const id of wanted) expect(standin.state.rules.get('default')!.has(id)).toBe(false);
  });

  it('a Security Solution whose prebuilt-rules API refuses the user (403): custom rules, and the run says why', async () => {
    standin.faults.status('kibana:GET /internal/detection_engine/prebuilt_rules/status', 403, 1);
    const h = await harness({ securitySolution: true, memoryAlerting: { detectionRules: standin.state.rules } });
    const r = await run(h, SMALL);
    expect(r.state).toBe('succeeded');
    expect(r.rules.every((x) => x.ruleId.startsWith('ml-demo-data-') && x.state === 'installed')).toBe(true);
    expect(r.notices.join('\n')).toMatch(/prebuilt rules could not be installed \(.*403.*\): the ML rules are created as custom rules/);
  });

  it('schedules a manual rule run (scheduleBackfill) over an anomaly outside its rule’s look-back', async () => {
    // A 4-hour job whose last full bucket ends 3 hours before the end of the data: its rule looks back 6 hours.
    const end = Math.floor((Date.now() - 24 * 3600_000) / (4 * 3600_000)) * 4 * 3600_000 + 3 * 3600_000;
    const h = await harness({ securitySolution: true, memoryAlerting: { detectionRules: standin.state.rules, backfillShape: 'ranges' } });
    const r = await run(h, { modules: ['v3_rare_process_by_host_windows'], historyDays: 3, end: new Date(end).toISOString() });
    expect(r.errors).toEqual([]);
    expect(r.state).toBe('succeeded');
    const [rule] = r.rules;
    const bucketStart = Date.parse(r.jobs[0].anomaly.bucketStart);
    expect(bucketStart).toBeLessThan(end - 6 * 3600_000);
    const { backfills } = h.alerting as MemoryAlerting;
    expect(backfills.map((b) => ({ space: b.space, param: b.param }))).toEqual([
      {
        space: 'default',
        param: { ruleId: rule.id, ranges: [{ start: new Date(bucketStart - 3600_000).toISOString(), end: new Date(end).toISOString() }], runActions: false },
      },
    ]);
    expect(backfills[0].backfill.schedule.length).toBeGreaterThan(0);
    expect(r.notices.join('\n')).toMatch(/Manual rule run scheduled over .* for Unusual Process For a Windows Host/);
  });

  it('a manual run the rules client refuses is a notice on the run, not a failure', async () => {
    const end = Math.floor((Date.now() - 24 * 3600_000) / (4 * 3600_000)) * 4 * 3600_000 + 3 * 3600_000;
    // The rules client's clock is a day behind the data's end: Kibana refuses a range in the future (validate_backfill_schedule.ts).
    const h = await harness({ memoryAlerting: { detectionRules: standin.state.rules, now: () => end - 24 * 3600_000 } });
    const r = await run(h, { modules: ['v3_rare_process_by_host_windows'], historyDays: 3, end: new Date(end).toISOString() });
    expect(r.state).toBe('succeeded');
    expect((h.alerting as MemoryAlerting).backfills).toEqual([]);
    expect(r.notices.join('\n')).toMatch(/Manual rule run not possible: .*Backfill cannot be scheduled for the future/);
  });
});
