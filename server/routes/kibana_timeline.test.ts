/**
 * The timeline option in a run inside Kibana (issue 12, point 3), through the router harness
 * against the stand-in: the rules whose look-back does not reach their anomaly — exactly those —
 * get a manual rule run (the rules client's scheduleBackfill) over their anomalies, and the run
 * names them with their stage; a Kibana that cannot run rules manually (before 8.16) gets today's
 * last-bucket placement and a notice saying so.
 */
import type { RunProgress } from '../../common/api';
import { API_VERSION, ROUTES } from '../../common/constants';
import { customRuleId } from '../../common/requests';
import { startStandin, type Standin } from '../../test/standin';
import { startRunsIndexFront, waitForRun as waitForRunOf, type RouteHarness, closeAll, inKibanaHarness } from '../../test/router_harness';
import type { MemoryAlerting } from '../../test/router_harness/fake_plugins';
import type { HarnessOptions } from '../../test/router_harness/harness';
import type { RunsIndexFront } from '../../test/router_harness/runs_index_front';
import { buildPlan } from '../generators/plan';
import { TICK } from '../generators/time';

const V = { 'elastic-api-version': API_VERSION };
const FAST = { installDefaults: { pollMs: 20, retryWaitMs: 10, chunkSize: 2000 } };
const USER = 'ApiKey dXNlcjpzZXNzaW9u';
// The data ends a quarter of an hour ago: the manual run's range is in the past, as Kibana requires.
const END = new Date(Math.floor((Date.now() - 15 * 60_000) / TICK) * TICK).toISOString();
// Auth (access: outside the look-back) and a Linux rare port (exfiltration: inside it), small enough for a test.
const REQUEST = { modules: ['security_auth', 'v3_linux_anomalous_network_port_activity'], historyDays: 3, end: END, timeline: true };
const SLOW = 240_000;

let standin: Standin;
let front: RunsIndexFront;
const open: RouteHarness[] = [];

async function run(h: RouteHarness, body: unknown): Promise<RunProgress> {
  const start = await h.call({ method: 'POST', path: ROUTES.runs, body, headers: V });
  expect([start.status, start.status === 202 ? '' : JSON.stringify(start.body)]).toEqual([202, '']);
  return waitForRunOf(h, (start.body as { runId: string }).runId, 'default', { authorization: USER });
}
const harness = (options: Partial<HarnessOptions>) => inKibanaHarness(standin, front, open, { authorization: USER, run: FAST, ...options });

afterEach(() => closeAll(open, front, standin));

describe('a timeline run inside Kibana', () => {
  it(
    'schedules a manual run for exactly the rules whose look-back does not reach their anomaly, and names them with their stage',
    async () => {
      standin = await startStandin({ kibanaVersion: '9.1.0', esVersion: '9.1.0' });
      front = await startRunsIndexFront(standin);
      const h = await harness({ securitySolution: true, memoryAlerting: { detectionRules: standin.state.rules, backfillShape: 'ranges' } });
      const r = await run(h, REQUEST);
      expect(r.errors).toEqual([]);
      expect(r.state).toBe('succeeded');

      // The plan is a value: the same options give the anomalies the run placed.
      const plan = buildPlan({ ...REQUEST, variant: 'classic' });
      const anomalies = plan.modules.flatMap((m) => m.jobs.flatMap((j) => j.anomalies));
      const late = new Set(anomalies.flatMap((a) => a.rules.filter((x) => !x.withinLookback).map((x) => x.ruleId)));
      const inside = new Set(anomalies.flatMap((a) => a.rules.filter((x) => x.withinLookback).map((x) => x.ruleId)));
      expect(late.size).toBeGreaterThan(0);
      expect(inside.size).toBeGreaterThan(0);
      expect(r.jobs.map((j) => j.anomaly.bucketStart).sort()).toEqual(
        plan.modules.flatMap((m) => m.jobs.map((j) => new Date(j.anomalies[0].bucketStart).toISOString())).sort(),
      );

      const alerting = h.alerting as MemoryAlerting;
      const stored = alerting.rules.get('default')!;
      const runFor = alerting.backfills.map((b) => String(stored.get(b.param.ruleId)!.params.ruleId));
      expect(new Set(runFor)).toEqual(late);
      expect(runFor.length).toBe(late.size);
      const earliest = Math.min(...anomalies.filter((a) => a.rules.some((x) => !x.withinLookback)).map((a) => a.bucketStart));
      for (const b of alerting.backfills) expect(b.param).toMatchObject({ ranges: [{ start: new Date(earliest - 3600_000).toISOString(), end: END }] });

      const notice = r.notices.find((n) => n.startsWith('Manual rule run scheduled'))!;
      expect(notice).toMatch(/Unusual Hour for a User to Logon \(access\)/);
      expect(notice).toMatch(/\((reconnaissance|access|execution)\)/);
      expect(r.notices.some((n) => n.startsWith('Timeline: the anomalies tell one intrusion'))).toBe(true);
    },
    SLOW,
  );

  it(
    'on a Kibana before 8.16 (no manual rule runs): the last buckets, as without the timeline, and a notice saying so',
    async () => {
      // Only Kibana's version decides (the harness's Elasticsearch client speaks 9, so the stand-in's Elasticsearch stays 9.x).
      standin = await startStandin({ kibanaVersion: '8.15.0', esVersion: '9.1.0' });
      front = await startRunsIndexFront(standin);
      const h = await harness({ kibanaVersion: '8.15.0', memoryAlerting: { detectionRules: standin.state.rules, backfillShape: 'start_end' } });
      const r = await run(h, REQUEST);
      expect(r.errors).toEqual([]);
      expect(r.state).toBe('succeeded');
      expect(r.notices).toContain(
        "Timeline: Kibana 8.15.0 cannot run rules manually (8.16+), so every anomaly goes to the last buckets as without --timeline, where the rules' scheduled runs see them.",
      );
      expect(r.notices.some((n) => n.startsWith('Timeline: the anomalies tell one intrusion'))).toBe(false);
      const without = buildPlan({ ...REQUEST, timeline: false, variant: 'classic' });
      expect(r.jobs.map((j) => j.anomaly.bucketStart).sort()).toEqual(
        without.modules.flatMap((m) => m.jobs.map((j) => new Date(j.anomalies[0].bucketStart).toISOString())).sort(),
      );
      // Manual runs only where today's placement needs them (a weekend's counts, a long bucket), as without the option.
      const lateWithout = new Set(
        without.modules.flatMap((m) => m.jobs.flatMap((j) => j.anomalies.flatMap((a) => a.rules.filter((x) => !x.withinLookback).map((x) => x.ruleId)))),
      );
      const alerting = h.alerting as MemoryAlerting;
      // Without the Security Solution the rules are custom ones with ids of our own (customRuleId).
      expect(new Set(alerting.backfills.map((b) => String(alerting.rules.get('default')!.get(b.param.ruleId)!.params.ruleId)))).toEqual(
        new Set([...lateWithout].map((id) => customRuleId(id))),
      );
    },
    SLOW,
  );
});
