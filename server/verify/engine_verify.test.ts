/**
 * The engine model's verdict on the default demo (seven modules, 14 days, a Wednesday evening end),
 * in both scopes. The jobs it fails are the ones whose rules the data cannot reach yet, each for
 * the reason the engine calibration shows; every other job is predicted at its rule's threshold
 * + 10 in both scopes with no baseline record at a rule threshold. A generator change that
 * breaks a passing job, or fixes a failing one, fails this test until the list is updated.
 */
import { SUPPORTED_MODULE_IDS } from '../../common/catalogue';
import { buildPlan } from '../generators/plan';
import type { Prediction } from '../engine/model';
import type { JobPlan } from '../generators/plan';
import { AFTERMATH, anomalyInstants, engineVerify, judgeJob, SCORE_MARGIN } from './engine_verify';

// Since events are picked by quantile within a tick (lanes.ts, Strata) the small-count noise that
// made the auth count jobs alert on ordinary buckets is gone. A job listed here is a known failure
// the test keeps honest. Jobs whose rules the default demo's data cannot reach, each with the reason the verifier gives.
// None today: the low_count all-streams miss (a Windows host's empty 5-minute bucket in the lull
// between two time zones' office days) went when every host got a floor in security_host.
const EXPECTED_FAILURES: Record<string, RegExp> = {};

describe('engine verification of the default demo', () => {
  const plan = buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: '2026-12-02T18:00:00Z' });
  const results = engineVerify(plan);

  it('predicts every job in both scopes', () => {
    expect(results).toHaveLength(50);
    for (const r of results) {
      expect(r.scopes.stream?.docs).toBeGreaterThan(0);
      expect(r.scopes.all!.docs).toBeGreaterThanOrEqual(r.scopes.stream!.docs);
    }
  });

  it('fails exactly the jobs whose rules the data cannot reach, for their reasons', () => {
    const failing = Object.fromEntries(results.filter((r) => !r.pass).map((r) => [r.jobId, r.problems.join(' | ')]));
    expect(Object.keys(failing).sort()).toEqual(Object.keys(EXPECTED_FAILURES).sort());
    for (const [job, reason] of Object.entries(EXPECTED_FAILURES)) expect(failing[job]).toMatch(reason);
  });

  it('passes every other job with margin in both scopes and no baseline alert', () => {
    for (const r of results.filter((x) => !(x.jobId in EXPECTED_FAILURES))) {
      for (const scope of ['stream', 'all'] as const) {
        const s = r.scopes[scope]!;
        for (const a of s.anomalies) expect({ job: r.jobId, scope, ok: a.score >= r.threshold + SCORE_MARGIN }).toEqual({ job: r.jobId, scope, ok: true });
        expect({ job: r.jobId, scope, ok: s.baselineMax < r.lowestThreshold }).toEqual({ job: r.jobId, scope, ok: true });
      }
    }
  });
});

describe("the job's own anomaly is its top record", () => {
  // What judgeJob reads of a job's plan: its id, detector function and rules.
  const jp = {
    job: { id: 'low_count_events_for_a_host_name', job: { analysis_config: { detectors: [{ function: 'low_count' }] } } },
    rules: [{ anomaly_threshold: 50 }],
  };
  const prediction = (others: { label: string; score: number }[]): Prediction => ({
    injections: [
      { label: '0', bucketStart: '2026-12-04T16:55:00.000Z', entity: 'acme-web-01', score: 92.3, why: [] },
      ...others.map((o) => ({ ...o, bucketStart: '2026-12-04T15:05:00.000Z', entity: null, why: [] })),
    ],
    baselineMax: 0,
    baselineOver50: 0,
    lateMax: 0,
    topBaseline: [],
    docs: 100,
    lateDocs: 0,
  });
  const judge = (others: { label: string; score: number }[]) => judgeJob(jp as unknown as JobPlan, 'security_host', { stream: prediction(others) });

  it("fails when the aftermath of another job's anomaly scores above it (a return to normal after a burst, seen as a drop)", () => {
    const r = judge([{ label: AFTERMATH, score: 94.9 }]);
    expect(r.pass).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/anomaly #0 \(92.3\) is not the job's top record: the aftermath of another job's anomaly scores 94.9/)]);
  });

  it("fails when another job's anomaly scores above it, and passes when both stay below", () => {
    expect(judge([{ label: 'other', score: 94 }]).problems).toEqual([expect.stringMatching(/another job's anomaly scores 94 at/)]);
    expect(
      judge([
        { label: AFTERMATH, score: 60 },
        { label: 'other', score: 80 },
      ]).pass,
    ).toBe(true);
  });
});

describe('earlier incidents (live mode) are in the data before this one', () => {
  // The auth module's setup (round 0) and its next incident a day later, at the same hour: the same
  // world, other entities; the all-logons count has one series, so the incident's burst (the same
  // size against the same hour's level) repeats the setup's.
  const base = Date.parse('2026-12-02T18:00:00Z');
  const options = { modules: ['security_auth'], end: base, historyDays: 10 };
  const now = base + 30 * 86_400_000;
  const setup = buildPlan(options, now);
  const incident = buildPlan({ ...options, end: base + 86_400_000 }, now, { round: 1, baseEnd: base });
  const alone = engineVerify(incident, ['stream']);
  const after = engineVerify(incident, ['stream'], [{ plan: setup, from: -Infinity }]);
  const score = (rs: typeof alone, id: string) => rs.find((r) => r.jobId === id)!.scopes.stream!.anomalies[0].score;

  it("scores a one-series count job's repeat lower, and says why", () => {
    expect(score(alone, 'auth_high_count_logon_events')).toBeGreaterThanOrEqual(85);
    expect(score(after, 'auth_high_count_logon_events')).toBeLessThan(75);
    expect(after.find((r) => r.jobId === 'auth_high_count_logon_events')!.problems.join(' ')).toMatch(/an anomaly like it before/);
  });

  it('counts the earlier never-seen values against a rare job, and not as false alerts', () => {
    expect(score(after, 'auth_rare_user')).toBeLessThan(score(alone, 'auth_rare_user'));
    // The setup's anomalies are records of their own, not baseline records of the incident's plan.
    for (const r of after) expect(r.scopes.stream!.baselineMax).toBeLessThan(r.lowestThreshold);
  });

  it('leaves out the injections that were never indexed (before `from`)', () => {
    const skipped = engineVerify(incident, ['stream'], [{ plan: setup, from: Infinity }]);
    expect(skipped.map((r) => r.scopes.stream!.anomalies)).toEqual(alone.map((r) => r.scopes.stream!.anomalies));
  });

  it("reads another module's anomaly as nothing to a job of its own stream", () => {
    // Round 3 of a 6-hourly live demo: the authentication logon at 06:07 UTC fell in the Windows
    // rare-process job's 04:00 bucket, which made round 2's new process on a host there (73.8) look
    // like this incident's, above the job's own (72.2). It is the earlier incident's.
    const two = { modules: ['security_auth', 'security_windows_v3'], end: base };
    const plans = [0, 1, 2, 3].map((k) => buildPlan({ ...two, end: base + k * 6 * 3_600_000 }, now, k ? { round: k, baseEnd: base } : undefined));
    const earlier = plans.slice(0, 3).map((plan) => ({ plan, from: -Infinity }));
    const [job] = engineVerify(plans[3], ['stream'], earlier).filter((r) => r.jobId === 'v3_rare_process_by_host_windows');
    expect(job.problems).toEqual([]);
    // Both modules' anomalies count in the all-streams scope.
    expect(anomalyInstants(plans[3]).instants.length).toBeGreaterThan(anomalyInstants(plans[3], [], 'security_windows_v3').instants.length);
  });
});
