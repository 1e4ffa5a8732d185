/**
 * Steady lanes with a floor (security_host): every host the organisation's other streams name
 * reports host activity at a floor rate, so a host-count job reading every stream (logs-*) never
 * sees a Windows host's 5-minute bucket empty between two time zones' office days (issue #8), and
 * the busy Linux servers, where the incident's drop and spike go, keep their rate.
 */
import { buildPlan } from '../plan';
import { moduleStream } from '../stream';
import { turnOrder } from './steady';

const END = '2026-12-02T18:00:00Z';
const FIVE_MINUTES = 300_000;

describe('turnOrder', () => {
  it('gives each item its weight of turns, spread evenly', () => {
    const order = turnOrder([3, 3, 1, 1, 1]);
    expect(order).toHaveLength(9);
    expect([0, 1, 2, 3, 4].map((i) => order.filter((x) => x === i).length)).toEqual([3, 3, 1, 1, 1]);
    // A busy item waits at most one turn more than a third of the round for its next turn.
    for (const i of [0, 1]) {
      const at = order.flatMap((x, k) => (x === i ? [k] : []));
      const gaps = at.map((k, j) => (at[(j + 1) % at.length] - k + order.length) % order.length);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(4);
    }
  });

  it('is a plain round robin for equal weights', () => {
    expect(turnOrder([1, 1, 1, 1])).toEqual([0, 1, 2, 3]);
  });
});

describe('security_host floor under every host', () => {
  const plan = buildPlan({ modules: ['security_auth', 'security_host'], end: END, historyDays: 3 });
  const auth = plan.modules.find((m) => m.moduleId === 'security_auth')!;
  const host = plan.modules.find((m) => m.moduleId === 'security_host')!;
  const dayStart = Date.parse('2026-12-01T00:00:00Z');
  const dayEnd = dayStart + 86_400_000;

  function perHostBuckets(module: typeof host): Map<string, number[]> {
    const counts = new Map<string, number[]>();
    for (const chunk of moduleStream(plan, module)) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line) continue;
        const doc = JSON.parse(line) as { '@timestamp': string; host?: { name?: string } };
        const ts = Date.parse(doc['@timestamp']);
        const name = doc.host?.name;
        if (ts < dayStart || ts >= dayEnd || !name) continue;
        if (!counts.has(name)) counts.set(name, new Array(288).fill(0));
        counts.get(name)![Math.floor((ts - dayStart) / FIVE_MINUTES)]++;
      }
    }
    return counts;
  }
  const authHosts = perHostBuckets(auth);
  const hostHosts = perHostBuckets(host);

  it('reports every Windows host of the logon stream, in every 5-minute bucket of a weekday', () => {
    expect(authHosts.size).toBeGreaterThan(5);
    for (const name of authHosts.keys()) {
      const buckets = hostHosts.get(name);
      expect({ name, reported: buckets !== undefined }).toEqual({ name, reported: true });
      // 3.6 a bucket: 3 or 4, the module's lanes sharing one round of turns.
      expect({ name, min: Math.min(...buckets!), max: Math.max(...buckets!) }).toEqual({ name, min: 3, max: 4 });
    }
  });

  it('keeps the busy Linux servers at three times a floor host, the incident on one of them', () => {
    const linux = [...hostHosts.keys()].filter((name) => !authHosts.has(name));
    expect(linux).toHaveLength(4);
    const total = (name: string) => hostHosts.get(name)!.reduce((a, b) => a + b, 0);
    const floor = total([...authHosts.keys()][0]);
    for (const name of linux) expect(total(name) / floor).toBeCloseTo(3, 0);
    const drop = host.jobs.find((j) => j.job.id === 'low_count_events_for_a_host_name')!.anomalies[0];
    expect(linux).toContain(drop.scope['host.name']);
  });
});
