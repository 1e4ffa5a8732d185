import { catalogue } from '../../common/catalogue';
import { testPlan, verifyPlan } from '../../test/helpers/generate';
import type { JobVerification } from './verify';

function describeFailure(r: JobVerification): string {
  return `${r.jobId}: ${r.anomalies.flatMap((a) => a.problems).join('; ') || (r.docsMatched === 0 ? 'no docs' : 'no anomaly')}`;
}

describe('verify: the 9.4+ (_ea) jobs', () => {
  const results = verifyPlan(testPlan({ variant: 'ea', seed: 'ea-run' }));
  const eaIds = catalogue.modules.flatMap((m) => m.eaJobIds);
  it.each(eaIds)('%s passes', (jobId) => {
    const r = results.find((x) => x.jobId === jobId)!;
    expect({ job: jobId, pass: r.pass, why: r.pass ? '' : describeFailure(r) }).toEqual({ job: jobId, pass: true, why: '' });
  });
});

describe('verify: other seeds, end times, themes and several anomalies per job', () => {
  it.each([
    { seed: 'a', end: '2026-03-01T00:00:00Z', historyDays: 5, theme: 'globex' },
    { seed: 'b', end: '2026-06-14T17:45:00Z', historyDays: 21, anomaliesPerJob: 3 },
    { seed: 'c', end: '2026-01-03T23:59:59Z', scale: 2, historyDays: 7 },
  ])('%o', (options) => {
    const failures = verifyPlan(testPlan(options)).filter((r) => !r.pass).map(describeFailure);
    expect(failures).toEqual([]);
  });
});

