import { catalogue } from '../../common/catalogue';
import { testPlan, verifyPlan } from '../../test/helpers/generate';
import type { JobVerification } from './verify';

const CLASSIC_IDS = catalogue.modules.flatMap((m) => m.classicJobIds);

function describeFailure(r: JobVerification): string {
  return `${r.jobId}: ${r.anomalies.flatMap((a) => a.problems).join('; ') || (r.docsMatched === 0 ? 'no docs' : 'no anomaly')}`;
}

/** Margins every job must clear, beyond "pass": the measured anomaly stands far out. */
function assertMargin(r: JobVerification): void {
  expect(r.docsMatched).toBeGreaterThan(1000);
  for (const a of r.anomalies) {
    if (r.function === 'rare') {
      expect(a.actual).toBe(0); // never seen before in its partition
      expect(a.strength).toBeGreaterThanOrEqual(50); // buckets of partition history before it
      expect(a.competitor).toBe(0); // no other uninjected value appears after the first day
    } else if (r.function === 'time_of_day') {
      expect(a.strength).toBeGreaterThanOrEqual(5); // hours away from the user's usual logon times
      expect(a.strength).toBeGreaterThan(10 * a.competitor);
    } else {
      expect(a.strength).toBeGreaterThanOrEqual(3); // x the entity's own baseline maximum
    }
  }
}

describe('verify: every classic job, all six modules, default options', () => {
  const results = verifyPlan(testPlan());

  it('covers the 48 classic jobs', () => {
    expect(results.map((r) => r.jobId).sort()).toEqual([...CLASSIC_IDS].sort());
    expect(CLASSIC_IDS).toHaveLength(48);
  });

  it.each(CLASSIC_IDS)('%s: datafeed matches, history, anomaly shaped for its detector', (jobId) => {
    const r = results.find((x) => x.jobId === jobId)!;
    expect({ job: jobId, pass: r.pass, why: r.pass ? '' : describeFailure(r) }).toEqual({ job: jobId, pass: true, why: '' });
    assertMargin(r);
  });
});

describe('verify fails when the data is wrong (negative controls)', () => {
  it('flags every job when no anomaly is injected', () => {
    const plan = testPlan({ modules: ['security_auth', 'security_windows_v3', 'security_packetbeat'] });
    for (const m of plan.modules) m.injections = [];
    const results = verifyPlan(plan);
    expect(results.filter((r) => r.pass).map((r) => r.jobId)).toEqual([]);
  });

  it('flags a rare job whose "new" value already occurred in the baseline', () => {
    const plan = testPlan({ modules: ['auth_rare_user'] });
    const [job] = plan.modules[0].jobs;
    job.anomalies[0].value = 'SYSTEM';
    const [r] = verifyPlan(plan);
    expect(r.pass).toBe(false);
    expect(r.anomalies[0].problems.join(' ')).toMatch(/already occurs in \d+ earlier buckets/);
  });

  it('flags a burst too small for its detector', () => {
    const plan = testPlan({ modules: ['auth_high_count_logon_fails'] });
    const m = plan.modules[0];
    m.injections = m.injections.slice(0, 3);
    const [r] = verifyPlan(plan);
    expect(r.pass).toBe(false);
    expect(r.anomalies[0].problems.join(' ')).toMatch(/baseline maximum/);
  });
});
