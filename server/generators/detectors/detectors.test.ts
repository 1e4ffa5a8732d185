/**
 * The detector registry: one entry for every function of the engine model's list, and each
 * function's data is what its detector scores. Every function is generated for a one-detector
 * custom job (15-minute buckets, split by host.name where the function has series) and run
 * through the engine model: the anomaly must reach 75 + 10 with no baseline record at 50, except
 * for the functions listed with their reason. A change that breaks a function, or fixes a listed
 * one, fails this test until the list is updated.
 */
import { DETECTOR_FUNCTIONS, FAMILIES, familyOf, type FamilyId } from '../../engine/registry';
import { parseCustomJobs } from '../../custom_jobs/parse';
import { buildPlan } from '../plan';
import { engineVerify, SCORE_MARGIN } from '../../verify/engine_verify';
import { detectorProblem, FAMILY_SPECS, functionSpec } from '.';

const END = '2026-12-02T18:00:00Z';
const NOW = Date.parse('2026-12-03T00:00:00Z');

const KNOWN_WEAK: Record<string, RegExp> = {
  // The engine models times on a line; office days spread over the week leave no weekday hour far
  // enough from the mean (and a person's first few buckets make a narrow habit).
  time_of_week: /predicted 0 < rule threshold/,
};

function detectorFor(fn: string): Record<string, string> {
  switch (familyOf(fn)) {
    case 'rare':
      return fn === 'freq_rare' ? { by_field_name: 'process.name', over_field_name: 'host.name' } : { by_field_name: 'process.name' };
    case 'time':
      return { by_field_name: 'user.name' };
    case 'distinct':
      return { field_name: 'destination.ip', partition_field_name: 'host.name' };
    case 'info':
      return { field_name: 'url.path', partition_field_name: 'host.name' };
    case 'metric':
      return { field_name: 'event.duration', partition_field_name: 'host.name' };
    default:
      return { partition_field_name: 'host.name' };
  }
}

const planFor = (fn: string) =>
  buildPlan(
    {
      modules: [],
      end: END,
      customJobs: parseCustomJobs([
        {
          job: {
            job_id: `probe_${fn}`,
            analysis_config: { bucket_span: '15m', detectors: [{ function: fn, ...detectorFor(fn) }] },
            data_description: { time_field: '@timestamp' },
            datafeed_config: { query: { bool: { filter: [{ term: { 'event.dataset': `probe.${fn}` } }] } } },
          },
          source: `probe ${fn}`,
        },
      ]),
    },
    NOW,
  );

describe('detector registry', () => {
  it('has an entry for every function of the engine model, in the family the engine says', () => {
    for (const fn of DETECTOR_FUNCTIONS) expect({ fn, family: functionSpec(fn)?.family.family }).toEqual({ fn, family: familyOf(fn) });
    for (const [family, spec] of Object.entries(FAMILY_SPECS)) expect(Object.keys(spec.functions).sort()).toEqual([...FAMILIES[family as FamilyId]].sort());
  });

  it('names what a detector lacks', () => {
    expect(detectorProblem({ function: 'frobnicate' })).toMatch(/function "frobnicate" is not one the generator knows/);
    expect(detectorProblem({ function: 'rare' })).toMatch(/rare needs by_field_name/);
    expect(detectorProblem({ function: 'freq_rare', by_field_name: 'process.name' })).toMatch(/needs over_field_name/);
    expect(detectorProblem({ function: 'mean' })).toMatch(/mean needs field_name \(a numeric field\)/);
    expect(detectorProblem({ function: 'high_mean', field_name: 'user.name' })).toMatch(/needs a numeric field_name; ECS maps user.name as keyword/);
    expect(detectorProblem({ function: 'time_of_day', by_field_name: 'host.name' })).toMatch(/needs by_field_name or over_field_name user.name/);
    expect(detectorProblem({ function: 'high_mean', field_name: 'my.latency_ms' })).toBeUndefined();
  });

  it('low-side functions drop the baseline; the others add events', () => {
    for (const fn of DETECTOR_FUNCTIONS.filter((f) => familyOf(f) !== 'time' && familyOf(f) !== 'rare')) {
      const plan = planFor(fn);
      const m = plan.modules[0];
      const low = fn.startsWith('low_');
      expect({ fn, drops: (m.suppressions ?? []).length > 0 }).toEqual({ fn, drops: low });
      expect({ fn, steady: m.jobs[0].lane.steady }).toEqual({ fn, steady: true });
    }
  });

  it.each(DETECTOR_FUNCTIONS.map((fn) => [fn]))('%s: the engine model scores the anomaly and nothing else', (fn) => {
    const [r] = engineVerify(planFor(fn), ['stream']);
    const problems = r.problems.join(' | ');
    if (KNOWN_WEAK[fn]) {
      expect(problems).toMatch(KNOWN_WEAK[fn]);
      return;
    }
    expect({ fn, problems }).toEqual({ fn, problems: '' });
    expect(r.scopes.stream!.anomalies[0].score).toBeGreaterThanOrEqual(75 + SCORE_MARGIN);
  });
});
