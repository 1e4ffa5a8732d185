/**
 * The organisation's relationships: when a kind has more values than the kind that keeps them
 * (25 Windows programs, 10 hosts), every value is kept by about as many hosts as any other, so
 * no ordinary program depends on one rarely used server for its history (random set t26:
 * RuntimeBroker.exe ran on acme-iis-04 alone and a rare-process job over all hosts scored it 52.5).
 */
import { SUPPORTED_MODULE_IDS } from '../../common/catalogue';
import { buildPlan } from './plan';

const SEEDS = ['ml-demo', 'r6baf', 'rkd4o', 'x1', 'x2', 'x3'];

describe('organisation relationships', () => {
  it.each(SEEDS)('spreads every process and service over several hosts (seed %s)', (seed) => {
    const plan = buildPlan({ modules: [...SUPPORTED_MODULE_IDS], end: '2026-12-02T18:00:00Z', seed, historyDays: 3 });
    let checked = 0;
    for (const module of plan.modules) {
      for (const [to, affinity] of module.world.affinities) {
        const keepers = module.world.pools.get(affinity.from)!.entities.length;
        const values = module.world.pools.get(to)!.entities;
        if (values.length <= keepers) continue;
        const kept = new Map<string, number>();
        for (const subset of affinity.subsets.values()) for (const e of subset.items) kept.set(e.key, (kept.get(e.key) ?? 0) + 1);
        const counts = values.map((e) => kept.get(e.key) ?? 0);
        const size = Math.max(...[...affinity.subsets.values()].map((s) => s.items.length));
        // Even windows: each value is kept floor or ceil of keepers * size / values times.
        expect({ module: module.moduleId, to, fewest: Math.min(...counts) }).toEqual({
          module: module.moduleId,
          to,
          fewest: Math.floor((keepers * size) / values.length),
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
