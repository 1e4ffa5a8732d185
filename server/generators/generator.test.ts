import { createHash } from 'node:crypto';
import { compileQuery } from '../verify/query_evaluator';
import { DEFAULT_PARAMS } from '../engine/params';
import { collect, FIXED_END, testPlan } from '../../test/helpers/generate';
import { buildPlan, COUNT_MIN_DAYS, POPULATION_EXTRA_ANOMALIES_DAYS, RARE_LONG_BUCKET_DAYS, READ_AFTER_ONBOARDING } from './plan';
import { DAY, hourOfWeek } from './time';
import { moduleStream, poissonCap } from './stream';
import { engineVerify } from '../verify/engine_verify';
import { OptionsError } from './options';
import type { Entity } from './entities';
import { presence } from './lanes';
import { seriesCap, shareOut } from './tail_cut';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('determinism', () => {
  it('same seed gives byte-identical output; another seed does not', () => {
    const a = sha(collect(testPlan({ modules: ['security_cloudtrail'] }), 'security_cloudtrail'));
    const b = sha(collect(testPlan({ modules: ['security_cloudtrail'] }), 'security_cloudtrail'));
    const c = sha(collect(testPlan({ modules: ['security_cloudtrail'], seed: 'other' }), 'security_cloudtrail'));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("a module's data does not change when other modules are added", () => {
    const alone = collect(testPlan({ modules: ['security_network'] }), 'security_network');
    const withOthers = collect(testPlan({ modules: ['security_auth', 'security_network'] }), 'security_network');
    expect(sha(withOthers)).toBe(sha(alone));
  });
});

describe('documents', () => {
  const plan = testPlan({ modules: ['security_linux_v3', 'security_packetbeat'], historyDays: 3 });

  it('are valid JSON, in time order by tick, inside the window, in the module data stream', () => {
    for (const module of plan.modules) {
      let last = 0;
      for (const chunk of moduleStream(plan, module)) {
        for (const line of chunk.ndjson.trimEnd().split('\n')) {
          const doc = JSON.parse(line);
          const ts = Date.parse(doc['@timestamp']);
          expect(ts).toBeGreaterThanOrEqual(plan.dataStart);
          expect(ts).toBeLessThan(plan.end);
          expect(Math.floor(ts / 900_000)).toBeGreaterThanOrEqual(Math.floor(last / 900_000));
          last = ts;
          expect(doc.data_stream).toEqual({ type: 'logs', dataset: module.profile.dataset, namespace: 'default' });
          expect(`logs-${doc.data_stream.dataset}-${doc.data_stream.namespace}`).toBe(module.dataStream);
          expect(JSON.stringify(doc)).not.toMatch(/undefined|\bnull\b/);
        }
      }
    }
  });

  it("every document of a job's lane matches that job's datafeed query", () => {
    for (const module of plan.modules) {
      for (const { lane, job } of module.jobs) {
        const matches = compileQuery(job.datafeed.query);
        const sample = Array.from({ length: 50 }, (_, i) => i);
        for (const i of sample) {
          const line = lane.serialize('2026-01-01T00:00:00.000Z', lane.pools.map((p) => p.entities[i % p.entities.length]) as never, i);
          expect({ job: job.id, matches: matches(JSON.parse(line)) }).toEqual({ job: job.id, matches: true });
        }
      }
    }
  });

  it('use realistic names, not numbered placeholders', () => {
    const text = collect(plan, 'security_linux_v3').slice(0, 200_000);
    expect(text).not.toMatch(/"user\.name\.\d+"|"name":"user\d+"/);
    expect(text).toMatch(/"host":\{"name":"acme-[a-z]+-\d\d"/);
  });
});

describe('streaming', () => {
  it('yields bounded chunks whatever the volume', () => {
    const plan = buildPlan({ modules: ['security_auth'], end: FIXED_END, historyDays: 3, scale: 5 });
    let chunks = 0;
    let maxDocs = 0;
    for (const chunk of moduleStream(plan, plan.modules[0], { chunkDocs: 500 })) {
      chunks++;
      maxDocs = Math.max(maxDocs, chunk.docs);
    }
    expect(chunks).toBeGreaterThan(20);
    expect(maxDocs).toBe(500);
  });
});

describe('options', () => {
  it.each([
    [{ historyDays: 2 }, /historyDays must be between 3 and 90/],
    [{ scale: 0 }, /scale must be a number from 1 to 100/],
    [{ namespace: 'My-NS' }, /namespace must be 1-100 characters/],
    [{ end: 'yesterday' }, /end must be a date/],
    [{ theme: 'nope' }, /theme must be one of acme, globex/],
    [{ anomaliesPerJob: 0 }, /anomaliesPerJob must be an integer from 1 to 10/],
    [{ modules: [] }, /choose at least one module/],
  ])('%o is refused with a clear message', (options, message) => {
    expect(() => buildPlan({ modules: ['security_auth'], ...options })).toThrow(OptionsError);
    expect(() => buildPlan({ modules: ['security_auth'], ...options })).toThrow(message);
  });

  it('puts each headline anomaly in the last full bucket, inside its rule look-back from the end of the data', () => {
    const plan = testPlan({ modules: ['security_auth', 'security_cloudtrail'] });
    for (const module of plan.modules) {
      for (const { job, anomalies, bucketSpan } of module.jobs) {
        const [a] = anomalies;
        if (a.function === 'time_of_day') {
          // The logon goes to the latest 20:xx UTC bucket (see timeOfDayBucket); its rule gets a manual run.
          expect(new Date(a.bucketStart).getUTCHours()).toBe(20);
          expect(plan.end - a.bucketEnd).toBeLessThan(DAY);
          continue;
        }
        expect({ job: job.id, end: a.bucketEnd <= plan.end, full: a.bucketStart % bucketSpan }).toEqual({ job: job.id, end: true, full: 0 });
        expect(plan.end - a.bucketEnd).toBeLessThan(bucketSpan);
        for (const r of a.rules) expect({ job: job.id, rule: r.ruleId, within: r.withinLookback }).toEqual({ job: job.id, rule: r.ruleId, within: true });
      }
    }
  });
  it('a short history ending on a weekend gives the moved count anomalies their own baseline, it does not refuse', () => {
    // Sunday noon, 3 days: the count jobs' anomalies move back to Friday evening, less than two
    // days after the window's start; those jobs read from earlier instead (found by CI on a Sunday).
    const plan = buildPlan({ modules: ['security_auth'], historyDays: 3, end: '2026-12-06T12:00:00Z' });
    const moved = plan.modules[0].jobs.filter((j) => j.start < plan.start);
    expect(moved.length).toBeGreaterThan(0);
    for (const { job, start, anomalies } of plan.modules[0].jobs) {
      for (const a of anomalies) expect({ job: job.id, baseline: a.bucketStart - start >= 2 * DAY }).toEqual({ job: job.id, baseline: true });
    }
    for (const j of moved) expect(plan.notices.some((n) => n.startsWith(`${j.job.id}:`) && /earlier than the other jobs/.test(n))).toBe(true);
    expect(plan.dataStart).toBe(Math.min(...moved.map((j) => j.laneStart)));
  });
});

describe('count anomalies of a weekend end', () => {
  it.each([3, 14, 30, 90])('move to the last weekday evening with %i days of history, with a notice', (historyDays) => {
    // The engine scored weekend count spikes 0 after two weeks (calibration count: Saturday x5,
    // Sunday x20); no measurement covers longer histories, so the plan does not bet on them.
    const plan = buildPlan({ modules: ['security_auth', 'security_network'], historyDays, end: '2026-12-06T12:00:00Z' });
    const counts = plan.modules.flatMap((m) => m.jobs).filter((j) => j.anomalies[0].function.includes('count'));
    expect(counts.length).toBeGreaterThan(3);
    for (const { job, anomalies } of counts) {
      for (const a of anomalies) expect({ job: job.id, day: new Date(a.bucketStart).getUTCDay() }).toEqual({ job: job.id, day: 5 });
      expect(plan.notices.some((n) => n.startsWith(`${job.id}: the data ends on a weekend`))).toBe(true);
    }
  });

  it("move a series' distinct count and info content too, and the rare script job stays before the scripts' unique strings", () => {
    // The engine models them as counts, and its test of a weekday/weekend split holds after two
    // weeks: on a Sunday 04:30 end (random set p6) they stayed on the weekend, predicted 0.
    const plan = buildPlan({ modules: ['security_windows_v3', 'security_cloudtrail'], end: '2026-11-29T04:30:00Z', seed: 'rh1kf', anomaliesPerJob: 2 });
    const jobs = new Map(plan.modules.flatMap((m) => m.jobs).map((j) => [j.job.id, j]));
    for (const id of ['v3_windows_anomalous_script', 'high_distinct_count_error_message']) {
      for (const a of jobs.get(id)!.anomalies) expect({ id, day: new Date(a.bucketStart).getUTCDay() }).toEqual({ id, day: 5 });
    }
    const scripts = Math.min(...jobs.get('v3_windows_anomalous_script')!.anomalies.map((a) => a.bucketStart));
    for (const a of jobs.get('v3_windows_rare_script')!.anomalies) expect(a.bucketEnd).toBeLessThanOrEqual(scripts);
    // Population info content (DNS tunnelling, over the domain) is not a series of its own: it stays.
    const network = buildPlan({ modules: ['security_packetbeat'], end: '2026-11-29T04:30:00Z' }).modules[0].jobs;
    expect(new Date(network.find((j) => j.job.id === 'packetbeat_dns_tunneling')!.anomalies[0].bucketStart).getUTCDay()).toBe(0);
  });
});

describe('live rounds (server/live)', () => {
  it('take a never-seen destination country no earlier round used, while the list lasts', () => {
    // Six anomalous countries: with 24 new values a round, every round's was Belarus, a value the
    // rare country job had seen (its live prediction fell from 96 to 58 by round 4).
    const base = Date.parse('2026-12-02T18:00:00Z');
    const options = { modules: ['security_network'], end: base };
    const country = (round: number) =>
      buildPlan({ ...options, end: base + round * 6 * 3_600_000 }, base + 30 * DAY, round ? { round, baseEnd: base } : undefined).modules[0].jobs.find(
        (j) => j.job.id === 'rare_destination_country',
      )!.anomalies[0].value;
    const countries = [0, 1, 2, 3, 4, 5].map(country);
    expect(new Set(countries).size).toBe(6);
  });

  it("put the time-of-day logon at the hour, of those the round may still use, farthest from someone's office day", () => {
    // The organisation's offices cover the whole UTC day: in a round's last bucket, 11:52 UTC, the
    // farthest person's logon was predicted 10.2 (rule at 75). The round may use its 6 hours (the
    // Windows job's 4-hour buckets put the lead at 8 hours).
    const base = Date.parse('2026-12-02T18:00:00Z');
    const plan = buildPlan({ modules: ['security_auth', 'security_windows_v3'], end: base + 3 * 6 * 3_600_000 }, base + 30 * DAY, { round: 3, baseEnd: base });
    const auth = plan.modules.find((m) => m.moduleId === 'security_auth')!;
    const [logon] = auth.jobs.find((j) => j.job.id === 'auth_rare_hour_for_a_user')!.anomalies;
    expect(new Date(logon.bucketStart).toISOString()).toBe('2026-12-03T06:00:00.000Z');
    const [result] = engineVerify({ ...plan, modules: [auth] }, ['stream']).filter((r) => r.jobId === 'auth_rare_hour_for_a_user');
    expect(result.scopes.stream!.anomalies[0].score).toBeGreaterThanOrEqual(75);
    // Without the room (Authentication alone: 15-minute buckets, a 30-minute lead) it stays in the last bucket.
    const alone = buildPlan({ modules: ['security_auth'], end: base + 3 * 6 * 3_600_000 }, base + 30 * DAY, { round: 3, baseEnd: base });
    const [last] = alone.modules[0].jobs.find((j) => j.job.id === 'auth_rare_hour_for_a_user')!.anomalies;
    expect(new Date(last.bucketStart).toISOString()).toBe('2026-12-03T11:45:00.000Z');
  });
});

describe('a count burst', () => {
  it("is sized from every event of its series' value: a country's several destination IPs", () => {
    // Sized from one destination IP's events, a country's burst was 2-2.6 times the country's
    // busiest-hour level, and the all-streams view (2.5 times the traffic) predicted 76.1 for a rule
    // at 75 (a random option set). The burst is 8 times the busiest hour's level (anomalies.ts burst).
    const plan = buildPlan({ modules: ['security_network'], end: '2026-11-12T12:00:00Z', seed: 'rjs98', historyDays: 21, anomaliesPerJob: 2, scale: 3 });
    const module = plan.modules[0];
    const job = module.jobs.find((j) => j.job.id === 'high_count_by_destination_country')!;
    const matches = compileQuery(job.job.datafeed.query);
    for (const a of job.anomalies) {
      const country = a.scope['destination.geo.country_name'];
      const perBucket = new Map<number, number>();
      for (const chunk of moduleStream(plan, module))
        for (const line of chunk.ndjson.split('\n')) {
          if (!line) continue;
          const doc = JSON.parse(line);
          const t = Date.parse(doc['@timestamp']);
          if (t < job.start || t >= a.bucketStart || doc.destination?.geo?.country_name !== country || !matches(doc)) continue;
          const b = Math.floor(t / job.bucketSpan);
          perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
        }
      // The busiest hour of the week's mean count per bucket.
      const byHour = new Map<number, number[]>();
      for (const [b, n] of perBucket) {
        const h = hourOfWeek(b * job.bucketSpan);
        byHour.set(h, [...(byHour.get(h) ?? []), n]);
      }
      const peak = Math.max(...[...byHour.values()].map((v) => v.reduce((x, y) => x + y, 0) / v.length));
      expect({ country, ratio: Number(a.value) / peak > 6 }).toEqual({ country, ratio: true });
    }
  });
});

describe("a lane's Poisson tail", () => {
  it('is cut at three standard deviations: the default seed has no 19 logon failures against 5.4 expected', () => {
    // A Friday end: the auth count jobs read from the Monday after, and the lanes' 1-in-100,000
    // draw at Tuesday 10:00 came on day 8 of auth_high_count_logon_fails, predicted 75.9 (rule at 75).
    const plan = buildPlan({ modules: ['security_auth'], end: '2026-12-04T18:00:00Z' });
    const [fails] = engineVerify(plan, ['stream']).filter((r) => r.jobId === 'auth_high_count_logon_fails');
    expect(fails.scopes.stream!.baselineMax).toBeLessThan(fails.lowestThreshold);
    for (const rate of [0.5, 5.4, 40]) expect(poissonCap(rate)).toBe(Math.floor(rate + 3 * Math.sqrt(rate) + 1));
  });
});

describe('history a job reads', () => {
  it.each([
    ['2026-12-02T18:00:00Z', 14],
    ['2026-11-27T07:45:00Z', 3],
    ['2026-11-24T18:00:00Z', 60],
    ['2026-12-05T23:00:00Z', 21],
    ['2026-12-06T12:00:00Z', 7],
  ])('a count job (end %s, %i days) reads from a Monday after its lane onboards, for at least a week', (end, historyDays) => {
    // A young count model learnt the onboarding days (everyone at work, values in turn) or a
    // weekend as its level, and the next office start scored as a spike (51-73, issue #8).
    const plan = buildPlan({ modules: ['security_auth', 'security_network', 'security_host'], end, historyDays });
    const counts = plan.modules.flatMap((m) => m.jobs).filter((j) => j.anomalies[0].function.includes('count'));
    expect(counts.length).toBeGreaterThan(5);
    for (const j of counts) {
      expect({ job: j.job.id, day: new Date(j.start).getUTCDay(), midnight: j.start % DAY }).toEqual({ job: j.job.id, day: 1, midnight: 0 });
      expect(j.start - j.laneStart).toBeGreaterThanOrEqual(READ_AFTER_ONBOARDING);
      expect(plan.end - j.start).toBeGreaterThanOrEqual(COUNT_MIN_DAYS * DAY);
      for (const a of j.anomalies) expect(a.bucketStart - j.start).toBeGreaterThanOrEqual(2 * DAY);
    }
    // The other jobs read what their lanes hold.
    for (const j of plan.modules.flatMap((m) => m.jobs)) if (!counts.includes(j)) expect(j.start).toBe(j.laneStart);
  });

  it('a rare job with buckets longer than 15 minutes reads a month, the others their usual days', () => {
    // Fewer (bucket, value) observations a day: on 14 days the model scored rare_error_code 68 and
    // v3_rare_process_by_host_windows 64 against rules at 50 (issue #8).
    const plan = buildPlan({ modules: ['security_cloudtrail', 'security_windows_v3'], end: '2026-12-02T18:00:00Z' });
    const days = (j: { start: number }) => Math.round((plan.end - j.start) / DAY);
    for (const j of plan.modules.flatMap((m) => m.jobs)) {
      const d = j.job.job.analysis_config.detectors[0];
      if (d.function !== 'rare') continue;
      expect({ job: j.job.id, long: days(j) >= RARE_LONG_BUCKET_DAYS }).toEqual({ job: j.job.id, long: j.bucketSpan > 15 * 60_000 });
    }
    expect(plan.notices.some((n) => n.startsWith('rare_error_code:') && /60m buckets/.test(n))).toBe(true);
  });
});

describe('extra anomalies (--anomalies-per-job)', () => {
  it("puts a partitioned rare job's anomalies in its densest partitions: around-the-clock accounts, parents that start many programs", () => {
    const plan = buildPlan({ modules: ['security_auth', 'security_windows_v3'], end: '2026-12-02T18:00:00Z', anomaliesPerJob: 3 });
    const job = (id: string) => plan.modules.flatMap((m) => m.jobs).find((j) => j.job.id === id)!;
    const sourceIp = job('auth_rare_source_ip_for_a_user');
    const users = sourceIp.lane.pools[sourceIp.lane.kinds.indexOf('user')].entities;
    // People work office hours: a third of a service account's (bucket, value) observations.
    expect(sourceIp.anomalies.map((a) => users.find((u) => u.key === a.scope['user.name'])?.human)).toEqual([false, false, false]);
    // userinit.exe starts one program (explorer.exe): its partition is too thin for a rule at 50 + 10.
    const parents = job('v3_windows_anomalous_process_creation').anomalies.map((a) => a.scope['process.parent.name']);
    expect(parents).toHaveLength(3);
    expect(parents).not.toContain('userinit.exe');
  });

  it("keeps a long-bucket partitioned rare job's latest anomaly on the incident's host, before the others' new processes there", () => {
    // Its anomalies go to whole buckets before the others' (plan.ts longBucket). On another host
    // the first had tied with the incident host's later new process, 92.5 to 92.7 (a random option set).
    const plan = buildPlan({ modules: ['security_windows_v3'], end: '2026-12-02T09:00:00Z', seed: 'rkd4o', historyDays: 90, anomaliesPerJob: 2 });
    const jobs = plan.modules[0].jobs;
    const job = jobs.find((j) => j.job.id === 'v3_rare_process_by_host_windows')!;
    // The host of the other jobs' new processes (process_all_hosts' injected events).
    const allHosts = jobs.find((j) => j.job.id === 'v3_windows_anomalous_process_all_hosts')!;
    const incidentHosts = new Set(plan.modules[0].injections.filter((e) => e.lane === allHosts.lane).map((e) => e.forced.host?.fields['host.name']));
    expect(incidentHosts.size).toBe(1);
    const hosts = job.anomalies.map((a) => a.scope['host.name']);
    expect(hosts[0]).toBe([...incidentHosts][0]);
    expect(hosts[1]).not.toBe(hosts[0]);
    const others = jobs.filter((j) => j !== job).flatMap((j) => j.anomalies.map((a) => a.bucketStart));
    expect(Math.max(...job.anomalies.map((a) => a.bucketEnd))).toBeLessThanOrEqual(Math.min(...others));
    const [result] = engineVerify(plan, ['stream']).filter((r) => r.jobId === job.job.id);
    expect(result.problems).toEqual([]);
  });

  it("starts the incident's new programs from a parent no baseline process has, so the rare-process-per-parent job's own anomalies stay its top records", () => {
    // Random set s26: another job's new program, given the busiest parent (explorer.exe), scored
    // 96 in v3_windows_anomalous_process_creation, above its own three (83.5-86).
    const plan = buildPlan({
      modules: ['security_windows_v3'],
      end: '2026-11-20T08:15:00Z',
      seed: 'rfczu',
      historyDays: 10,
      anomaliesPerJob: 3,
      variant: 'ea',
    });
    const m = plan.modules[0];
    const allHosts = m.jobs.find((j) => j.job.id === 'v3_windows_anomalous_process_all_hosts_ea')!;
    const parents = m.injections.filter((e) => e.lane === allHosts.lane).map((e) => e.forced.parent);
    expect(parents).toHaveLength(3);
    expect(new Set(parents.map((p) => p?.key)).size).toBe(1);
    expect(parents.every((p) => p?.novel)).toBe(true);
    const baselineParents = allHosts.lane.pools[allHosts.lane.kinds.indexOf('parent')].entities.map((e) => e.key);
    expect(baselineParents).not.toContain(parents[0]!.key);
    const [result] = engineVerify(plan).filter((r) => r.jobId === 'v3_windows_anomalous_process_creation_ea');
    expect(result.problems).toEqual([]);
  });

  it("gives a population job a month of history, so one network module's tunnelling rounds stay above the other's (logs-* scope)", () => {
    // Random set s21 (3 days): a job reading every stream saw both modules' rounds, and the third
    // (4,218) stood under the four before it (the population's high 4,272): predicted 0.
    const plan = buildPlan({
      modules: ['security_network', 'security_packetbeat'],
      end: '2026-12-02T02:15:00Z',
      seed: 'r1lul',
      historyDays: 3,
      anomaliesPerJob: 3,
      variant: 'ea',
    });
    const tunnelling = plan.modules.flatMap((m) => m.jobs).filter((j) => j.job.job.analysis_config.detectors[0].function === 'high_info_content');
    expect(tunnelling.map((j) => Math.floor((plan.end - j.start) / DAY))).toEqual([POPULATION_EXTRA_ANOMALIES_DAYS, POPULATION_EXTRA_ANOMALIES_DAYS]);
    expect(plan.notices.filter((n) => /population the next is measured against/.test(n))).toHaveLength(2);
    const results = engineVerify(plan).filter((r) => tunnelling.some((j) => j.job.id === r.jobId));
    expect(results.map((r) => r.problems)).toEqual([[], []]);
  });

  it('gives each extra count anomaly its own series, or a larger burst; a job of one series gets one anomaly, with a notice', () => {
    // The engine scores an anomaly like one the series had before lower (calibration count
    // prior=24: 69 against 94; issue #8: 74.6 after 92.5 with --anomalies-per-job 2).
    const plan = buildPlan({ modules: ['security_auth', 'security_network', 'security_host'], end: '2026-12-02T18:00:00Z', anomaliesPerJob: 3 });
    const counts = plan.modules.flatMap((m) => m.jobs).filter((j) => j.anomalies[0].field === 'count');
    expect(counts.length).toBeGreaterThan(6);
    const kinds = { single: 0, series: 0, grown: 0 };
    for (const j of counts) {
      const scopes = j.anomalies.map((a) => JSON.stringify(a.scope));
      if (scopes[0] === '{}') {
        expect({ job: j.job.id, anomalies: j.anomalies.length }).toEqual({ job: j.job.id, anomalies: 1 });
        // Half as large again as a burst of one anomaly per job (8x the busiest hour's level, at
        // least 25): the other jobs' earlier bursts may have raised a logs-* job's view of it.
        const peak = Number(/about ([\d.]+) per bucket/.exec(j.anomalies[0].description)![1]);
        const lead = Number(j.anomalies[0].value) / Math.max(8 * peak, peak + 12 * Math.sqrt(peak) + 10, 25);
        expect({ job: j.job.id, lead: lead > 1.4 && lead < 1.6 }).toEqual({ job: j.job.id, lead: true });
        expect(plan.notices.some((n) => n.startsWith(`${j.job.id}: one series`))).toBe(true);
        kinds.single++;
      } else if (new Set(scopes).size === 3) kinds.series++;
      else {
        // Not enough other series: one, each burst larger than the one before, against the level
        // of its own hour ("baseline peak about L per bucket"), by the model's repeat growth in its
        // own terms ((x + c) / (mu + c)).
        expect({ job: j.job.id, series: new Set(scopes).size }).toEqual({ job: j.job.id, series: 1 });
        const { c, repeatGrowth } = DEFAULT_PARAMS.count;
        const [latest, middle, earliest] = j.anomalies.map((a) => (Number(a.value) + c) / (Number(/about ([\d.]+) per bucket/.exec(a.description)![1]) + c));
        const step = Math.exp(repeatGrowth);
        expect({ job: j.job.id, grows: middle >= step * earliest && latest >= step * middle }).toEqual({ job: j.job.id, grows: true });
        kinds.grown++;
      }
    }
    expect(kinds.single).toBeGreaterThan(2);
    expect(kinds.series).toBeGreaterThan(2);
  });

  it.each([
    ['office hours', { end: '2026-12-07T14:45:00Z', seed: 'rj73f', historyDays: 90, scale: 5, theme: 'globex' }],
    ['a night end', { end: '2026-11-19T02:15:00Z', seed: 'r4lbt', historyDays: 45, variant: 'classic' as const }],
    ['a timeline four days into the job', { end: '2026-11-30T18:45:00Z', seed: 'rbmqt', timeline: true }],
  ])("puts the extra bursts of an account's series on other around-the-clock accounts (%s), none on the incident's host or IP", (_, options) => {
    // A user has two source IPs and two hosts: the third anomaly had repeated the incident's, and
    // the host job's bursts, carrying the incident's IP, broke the IP job's growth (issue #8: 79.1).
    // Not on people: off work, a person's logons at 00:00 UTC outscored auth_rare_hour_for_a_user's
    // own anomalies (94.3); at work, a person's series was younger than the job (84.4 < 75 + 10).
    const plan = buildPlan({ modules: ['security_auth'], anomaliesPerJob: 3, ...options });
    const module = plan.modules[0];
    const ids = ['suspicious_login_activity', 'auth_high_count_logon_events_for_a_source_ip'];
    const jobs = module.jobs.filter((j) => ids.includes(j.job.id));
    const headline = (field: string) => jobs.map((j) => j.anomalies[0].scope[field]).find(Boolean)!;
    const incident = { 'host.name': headline('host.name'), 'source.ip': headline('source.ip') };
    const accounts = new Set<string>();
    for (const j of jobs) {
      expect({ job: j.job.id, series: new Set(j.anomalies.map((a) => JSON.stringify(a.scope))).size }).toEqual({ job: j.job.id, series: 3 });
      for (const a of j.anomalies.filter((x) => x.ordinal > 0)) {
        const events = module.injections.filter((e) => e.lane === j.lane && e.ts >= a.bucketStart && e.ts < a.bucketEnd);
        expect(events.length).toBeGreaterThan(0);
        for (const e of events) {
          expect(e.forced.host?.key).not.toBe(incident['host.name']);
          expect(e.forced.source?.fields['source.ip']).not.toBe(incident['source.ip']);
          expect(e.forced.user!.human ?? false).toBe(false);
          accounts.add(e.forced.user!.key);
        }
      }
    }
    // None of them a partition of the rare source-IP job's extra anomalies.
    const rare = module.jobs.find((j) => j.job.id === 'auth_rare_source_ip_for_a_user')!;
    for (const a of rare.anomalies) expect(accounts.has(a.scope['user.name'])).toBe(false);
  });

  it("puts a burst in the last 15 minutes of a longer bucket (the host's 5-minute jobs do not learn a 3-hour plateau)", () => {
    const plan = buildPlan({ modules: ['security_host'], end: '2026-12-04T17:00:00Z' });
    const module = plan.modules[0];
    const high = module.jobs.find((j) => j.job.id === 'high_count_events_for_a_host_name')!;
    const a = high.anomalies[0];
    expect(a.bucketEnd - a.bucketStart).toBe(3 * 3600_000);
    const events = module.injections.filter((e) => e.lane === high.lane && e.ts >= a.bucketStart && e.ts < a.bucketEnd);
    expect(events.length).toBeGreaterThan(100);
    expect(Math.min(...events.map((e) => e.ts))).toBeGreaterThanOrEqual(a.bucketEnd - 15 * 60_000);
  });

  it("a long-bucket rare job's anomaly buckets hold no other job's new value of its field", () => {
    const plan = buildPlan({ modules: ['security_windows_v3'], end: '2026-12-02T18:00:00Z', anomaliesPerJob: 3 });
    const jobs = plan.modules[0].jobs;
    const long = jobs.filter((j) => j.bucketSpan > 2 * 3600_000 && j.anomalies[0].function === 'rare');
    expect(long.length).toBeGreaterThan(0);
    for (const j of long) {
      const partitions = new Set(j.anomalies.map((a) => JSON.stringify(a.scope)));
      expect(partitions.size).toBe(j.anomalies.length);
      for (const a of j.anomalies)
        for (const other of jobs.flatMap((o) => (o === j ? [] : o.anomalies.filter((x) => x.field === a.field))))
          expect({ job: j.job.id, other: other.jobId, inside: other.bucketStart >= a.bucketStart && other.bucketStart < a.bucketEnd }).toEqual({
            job: j.job.id,
            other: other.jobId,
            inside: false,
          });
    }
  });
});

describe('ordinary results for a skip rule (dns_tunneling: actual < 350)', () => {
  it('adds reverse lookups whose info content crosses the floor, outside the rare DNS job', () => {
    const plan = buildPlan({ modules: ['security_packetbeat'], end: '2026-12-02T18:00:00Z', historyDays: 3 });
    const jobs = plan.modules[0].jobs;
    const tunnel = jobs.find((j) => j.job.id === 'packetbeat_dns_tunneling')!;
    const rareDns = jobs.find((j) => j.job.id === 'packetbeat_rare_dns_question')!;
    const ptr = (lane: typeof tunnel.lane) => lane.pools.flatMap((p) => p.entities).filter((e) => e.fields['dns.question.type'] === 'PTR');
    expect(ptr(tunnel.lane).length).toBeGreaterThan(1000);
    expect(ptr(tunnel.lane)[0].fields['dns.question.registered_domain']).toMatch(/^[0-9a-f]\.ip6\.arpa$/);
    expect(ptr(rareDns.lane)).toHaveLength(0);
  });
});

describe('office hours (lanes.ts presence)', () => {
  // A person at UTC+0: hour of week 0 is Monday 00:00 UTC.
  const person = { kind: 'user', key: 'p', fields: {}, human: true, utcOffset: 0, phase: 0 } as unknown as Entity;
  const machine = { ...person, human: false } as Entity;

  it('ramps people in over the first two office hours and out over the last two, inside 08:00-18:00 local', () => {
    const monday = Array.from({ length: 24 }, (_, h) => presence(person, h));
    expect(monday.slice(0, 8).every((p) => p === 0)).toBe(true);
    expect(monday.slice(18).every((p) => p === 0)).toBe(true);
    // No step from nothing to everyone: each office hour at most 0.4 above the one before.
    for (let h = 1; h < 24; h++) expect(Math.abs(monday[h] - monday[h - 1])).toBeLessThanOrEqual(0.4);
    expect(monday[12]).toBe(1);
    // About ten hours' work a day, as a step 08:00-18:00 gave (rates stay comparable).
    expect(monday.reduce((a, b) => a + b, 0)).toBeGreaterThan(8);
  });

  it('keeps weekends off (except while onboarding) and machines always on', () => {
    expect(presence(person, 5 * 24 + 12)).toBe(0);
    expect(presence(person, 5 * 24 + 12, true)).toBe(1);
    expect(presence(machine, 5 * 24 + 3)).toBe(1);
  });
});

describe('per-host counts (lanes that pick people share one sequence)', () => {
  it("spreads a host's logons less than Poisson in every 15 minutes of the week", () => {
    // suspicious_login_activity counts logons per host and 15 minutes. Independent lanes added up
    // to Poisson noise per host (variance / mean 0.7-0.8), and x2.5-3.5 buckets at 3-7 expected
    // were predicted at 52-63 against a rule at 50 in a third of the option sets (issue #8).
    const plan = buildPlan({ modules: ['security_auth'], end: '2026-12-02T18:00:00Z', historyDays: 14 });
    const from = Date.parse('2026-11-23T00:00:00Z');
    const to = Date.parse('2026-12-02T00:00:00Z');
    const counts = new Map<string, Map<number, number>>(); // host|slot of the week -> day -> count
    for (const chunk of moduleStream(plan, plan.modules[0])) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line) continue;
        const doc = JSON.parse(line) as { '@timestamp': string; host?: { name?: string } };
        const t = Date.parse(doc['@timestamp']);
        const day = new Date(t).getUTCDay();
        if (t < from || t >= to || day === 0 || day === 6 || !doc.host?.name) continue;
        const bucket = Math.floor(t / 900_000);
        const key = `${doc.host.name}|${bucket % 96}`;
        const byDay = counts.get(key) ?? new Map<number, number>();
        counts.set(key, byDay);
        byDay.set(Math.floor(bucket / 96), (byDay.get(Math.floor(bucket / 96)) ?? 0) + 1);
      }
    }
    const days = [...new Set([...counts.values()].flatMap((m) => [...m.keys()]))];
    const byHost = new Map<string, { mean: number; variance: number }>();
    for (const [key, byDay] of counts) {
      const xs = days.map((d) => byDay.get(d) ?? 0);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
      const host = key.split('|')[0];
      const h = byHost.get(host) ?? { mean: 0, variance: 0 };
      byHost.set(host, { mean: h.mean + mean, variance: h.variance + variance });
    }
    const injected = plan.modules[0].jobs.flatMap((j) => j.anomalies.map((a) => String(a.scope['host.name'] ?? '')));
    const ratios = [...byHost].filter(([host]) => !injected.includes(host)).map(([host, h]) => ({ host, ratio: +(h.variance / h.mean).toFixed(2) }));
    expect(ratios.length).toBeGreaterThan(5);
    expect(ratios.filter((r) => r.ratio >= 0.5)).toEqual([]);
  });
});

describe('two kinds of one person (lanes.ts pickEntities)', () => {
  it("spreads a user's CloudTrail actions over each of that user's source IPs in proportion", () => {
    // The action and the IP were both picked at the user's quantile: each IP kept to a few of the
    // user's actions, and the others were rare in its city (issue #8: Decrypt 4 times in 25 days
    // among 50,000 New York events, predicted 58.5 for a 50 rule).
    const plan = buildPlan({ modules: ['security_cloudtrail'], end: '2026-11-14T02:45:00Z', seed: 'revbx', historyDays: 5, theme: 'globex' });
    const pairs = new Map<string, Map<string, number>>(); // user -> "ip|action" -> count
    for (const chunk of moduleStream(plan, plan.modules[0])) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line) continue;
        const doc = JSON.parse(line) as { user?: { name?: string }; source?: { ip?: string }; event?: { action?: string } };
        if (!doc.user?.name || !doc.source?.ip || !doc.event?.action) continue;
        const m = pairs.get(doc.user.name) ?? new Map<string, number>();
        pairs.set(doc.user.name, m);
        const key = `${doc.source.ip}|${doc.event.action}`;
        m.set(key, (m.get(key) ?? 0) + 1);
      }
    }
    const thin: string[] = [];
    let checked = 0;
    for (const [user, m] of pairs) {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const sum = (part: 0 | 1, value: string) => [...m].filter(([k]) => k.split('|')[part] === value).reduce((a, [, n]) => a + n, 0);
      const ips = new Set([...m.keys()].map((k) => k.split('|')[0]));
      const actions = new Set([...m.keys()].map((k) => k.split('|')[1]));
      for (const ip of ips)
        for (const action of actions) {
          const expected = (sum(0, ip) * sum(1, action)) / total;
          if (expected < 40) continue;
          checked++;
          if ((m.get(`${ip}|${action}`) ?? 0) < expected / 3) thin.push(`${user} ${ip} ${action}: ${m.get(`${ip}|${action}`) ?? 0} of ${expected.toFixed(0)}`);
        }
    }
    expect(checked).toBeGreaterThan(20);
    expect(thin).toEqual([]);
  });
});

describe('count series tails (tail_cut.ts)', () => {
  it("keeps every host's logons in 15 minutes within two standard deviations of its usual count, over 90 days", () => {
    // Seven auth lanes, each inside its own Poisson cut, gave acme-fs-02 13 logons on a Sunday
    // afternoon against 5.1 expected: a record of 56.1 for suspicious_login_activity's 50 rule.
    const plan = buildPlan({ modules: ['security_auth'], end: '2026-11-20T01:45:00Z', seed: 'r7z8m', historyDays: 90 });
    const module = plan.modules[0];
    const job = module.jobs.find((j) => j.job.id === 'suspicious_login_activity')!;
    const matches = compileQuery(job.job.datafeed.query);
    const near = module.jobs.flatMap((j) => j.anomalies.map((a) => [a.bucketStart - 3_600_000, a.bucketEnd + 3_600_000]));
    const counts = new Map<string, number>(); // host|bucket
    for (const chunk of moduleStream(plan, module)) {
      for (const line of chunk.ndjson.split('\n')) {
        if (!line) continue;
        const doc = JSON.parse(line);
        const t = Date.parse(doc['@timestamp']);
        if (t < job.start + 7 * DAY || near.some(([a, b]) => t >= a && t < b)) continue;
        if (!matches(doc)) continue;
        const key = `${doc.host?.name}|${Math.floor(t / 900_000)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    // Usual: the mean of the same host and 15 minutes of the week over the weeks.
    const slots = new Map<string, number[]>();
    for (const [key, n] of counts) {
      const [host, bucket] = key.split('|');
      const slot = `${host}|${Number(bucket) % (7 * 96)}`;
      slots.set(slot, [...(slots.get(slot) ?? []), n]);
    }
    const weeks = Math.floor((plan.end - job.start - 7 * DAY) / (7 * DAY));
    const over: string[] = [];
    for (const [key, n] of counts) {
      const [host, bucket] = key.split('|');
      const xs = slots.get(`${host}|${Number(bucket) % (7 * 96)}`)!;
      const mean = xs.reduce((a, b) => a + b, 0) / weeks;
      if (n > seriesCap(mean * 1.1)) over.push(`${host} ${new Date(Number(bucket) * 900_000).toISOString()}: ${n} against ${mean.toFixed(1)}`);
    }
    expect(counts.size).toBeGreaterThan(10_000);
    expect(over).toEqual([]);
  });
});

describe('count series across modules (tail_cut.ts)', () => {
  it('shares a series cut between the modules that write it, in proportion, and never below one event', () => {
    expect(shareOut(seriesCap(3), [3])).toEqual([seriesCap(3)]);
    expect(shareOut(7, [2, 1])).toEqual([5, 2]);
    expect(shareOut(7, [1, 1])).toEqual([4, 3]);
    expect(shareOut(7, [6.9, 0.05, 0])).toEqual([6, 1, 0]);
    for (const expected of [
      [0.3, 2.5, 4],
      [1, 1, 1, 1],
      [0.01, 0.02],
    ]) {
      const cap = seriesCap(expected.reduce((a, b) => a + b, 0));
      const shares = shareOut(cap, expected);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(Math.max(cap, expected.length));
      expect(shares.every((s) => s >= 1)).toBe(true);
    }
  });

  it("keeps a logs-* count by country inside one cut when two modules' streams carry the country (random set s10)", () => {
    // Network and packetbeat each cut their own series, and the DNS lanes' warm-up was not cut:
    // Canada 13 destinations against 3.1 in one 15 minutes of the two streams, 74.8 against 75.
    const plan = buildPlan({ modules: ['security_network', 'security_packetbeat'], end: '2026-12-06T07:45:00Z', seed: 'rd72t', historyDays: 5, variant: 'ea' });
    const [result] = engineVerify(plan, ['all']).filter((r) => r.jobId === 'high_count_by_destination_country');
    expect(result.problems).toEqual([]);
    expect(result.scopes.all!.baselineMax).toBeLessThan(result.lowestThreshold - 25);
  });
});
