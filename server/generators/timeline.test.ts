/**
 * The timeline option (timeline.ts, plan.ts): stages from the rules' MITRE tactics, in the story's
 * order, over about the last day, by the same people and machines as without it, inside the data,
 * and a value like every plan (same options, same bytes).
 */
import { createHash } from 'node:crypto';
import { getJob } from '../../common/catalogue';
import { parseOptionText, TIMELINE_STAGES, type TimelineStage } from '../../common/options';
import { FIXED_END, testPlan } from '../../test/helpers/generate';
import { engineVerify } from '../verify/engine_verify';
import { buildPlan, MIN_HISTORY_BEFORE_ANOMALY, type AnomalyPlan, type Plan } from './plan';
import { moduleStream } from './stream';
import { DAY, HOUR, parseDuration } from './time';
import { stageEnds, stageOfJob } from './timeline';

const WEDNESDAY = '2026-12-02T18:00:00Z';
const anomalies = (plan: Plan): AnomalyPlan[] => plan.modules.flatMap((m) => m.jobs.flatMap((j) => j.anomalies));

describe('stage of a job: its rules’ MITRE tactics', () => {
  it.each([
    ['v3_linux_system_user_discovery', 'reconnaissance'], // Discovery
    ['high_distinct_count_error_message', 'reconnaissance'], // Discovery, Privilege Escalation, Lateral Movement: a tie, the first named
    ['auth_rare_hour_for_a_user', 'access'], // Initial Access
    ['auth_high_count_logon_events_for_a_source_ip', 'access'], // Credential Access, Defense Evasion: the first named
    ['v3_linux_rare_user_compiler', 'execution'], // Resource Development, Defense Evasion, Privilege Escalation: most
    ['v3_windows_anomalous_service', 'execution'], // Persistence, Execution
    ['high_count_network_denies', 'exfiltration'], // Command and Control, Exfiltration, Discovery, Reconnaissance, Impact: most
    ['dns_tunneling_ea', 'exfiltration'], // Command and Control, Exfiltration
    ['v3_windows_rare_script', 'execution'], // no rule of its own: its _ea twin's (Execution)
  ])('%s: %s', (jobId, stage) => {
    expect(stageOfJob(getJob(jobId))).toBe(stage);
  });

  it('a job with no rule and no twin (a user’s own) is in the last stage, where every anomaly went before', () => {
    expect(stageOfJob({ id: 'my_own_job' })).toBe('exfiltration');
  });
});

describe('stage ends', () => {
  it('access ends at 21:00 UTC 12 to 36 hours before the end, reconnaissance 6 hours before it, execution halfway to the end', () => {
    const e = stageEnds(Date.parse(WEDNESDAY));
    expect(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, new Date(v).toISOString()]))).toEqual({
      reconnaissance: '2026-12-01T15:00:00.000Z',
      access: '2026-12-01T21:00:00.000Z',
      execution: '2026-12-02T07:00:00.000Z',
      exfiltration: '2026-12-02T18:00:00.000Z',
    });
  });

  it('for every end of a week on the 15-minute grid: in order, at least 6 hours apart, access at 21:00 UTC', () => {
    const from = Date.parse('2026-11-30T00:00:00Z');
    for (let end = from; end < from + 7 * DAY; end += 15 * 60_000) {
      const e = stageEnds(end);
      const times = TIMELINE_STAGES.map((s) => e[s]);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(6 * HOUR);
      expect(new Date(e.access).getUTCHours()).toBe(21);
      expect(end - e.access).toBeGreaterThanOrEqual(12 * HOUR);
      expect(end - e.access).toBeLessThan(36 * HOUR);
      expect(e.exfiltration).toBe(end);
    }
  });
});

describe('a plan with the timeline', () => {
  const plan = testPlan({ end: WEDNESDAY, timeline: true });
  const without = testPlan({ end: WEDNESDAY });
  const byStage = (s: TimelineStage) => anomalies(plan).filter((a) => a.stage === s);

  it('tells the stages in order: every reconnaissance anomaly before every access one, before execution, before exfiltration', () => {
    for (const s of TIMELINE_STAGES) expect(byStage(s).length).toBeGreaterThan(0);
    for (let i = 1; i < TIMELINE_STAGES.length; i++) {
      const before = byStage(TIMELINE_STAGES[i - 1]);
      const after = byStage(TIMELINE_STAGES[i]);
      expect(Math.max(...before.map((a) => a.bucketEnd))).toBeLessThanOrEqual(Math.min(...after.map((a) => a.bucketStart)));
    }
  });

  it('each anomaly in the last buckets before its stage’s end; the time-of-day logon at 20:xx UTC', () => {
    const ends = stageEnds(plan.end);
    for (const a of anomalies(plan)) {
      expect(a.bucketEnd).toBeLessThanOrEqual(ends[a.stage!]);
      expect(a.bucketStart).toBeGreaterThanOrEqual(ends[a.stage!] - 5 * HOUR);
    }
    const tod = anomalies(plan).find((a) => a.function === 'time_of_day')!;
    expect([tod.stage, new Date(tod.bucketStart).getUTCHours()]).toEqual(['access', 20]);
  });

  it('spreads over about the last day, inside the data, after each job’s warm-up', () => {
    const starts = anomalies(plan).map((a) => a.bucketStart);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(24 * HOUR);
    for (const m of plan.modules)
      for (const j of m.jobs)
        for (const a of j.anomalies) {
          expect(a.bucketEnd).toBeLessThanOrEqual(plan.end);
          expect(a.bucketStart).toBeGreaterThanOrEqual(j.start + MIN_HISTORY_BEFORE_ANOMALY);
        }
  });

  it('is told by the same people and machines as without it, one compromised host per module', () => {
    // Except a rare job partitioned by host with a bucket of 2 h or longer: without the timeline its
    // bucket would hold the other jobs' new processes on the incident host, so its anomaly goes to
    // another host there (anomalies.ts `apart`); on the timeline its stage comes first.
    const apart = (jobId: string) => {
      const { analysis_config: config } = getJob(jobId).job;
      return config.detectors[0].function === 'rare' && !!config.detectors[0].partition_field_name && parseDuration(config.bucket_span) >= 2 * HOUR;
    };
    const scopes = (p: Plan) =>
      anomalies(p)
        .filter((a) => !apart(a.jobId))
        .map((a) => [a.jobId, a.scope]);
    expect(scopes(plan)).toEqual(scopes(without));
    for (const m of plan.modules) {
      const hosts = new Set(m.jobs.flatMap((j) => j.anomalies.map((a) => a.scope['host.name']).filter(Boolean)));
      expect(hosts.size).toBeLessThanOrEqual(1);
    }
  });

  it('puts a rare job no later than a rare job of the same field whose events it reads', () => {
    // The reconnaissance stage's never-seen account had made anomalous_user_name's own account in
    // the access stage the job's second new user name: 98.8 under that account's 100 (a random option set).
    const linux = buildPlan({
      modules: ['security_linux_v3'],
      end: '2026-12-06T00:45:00Z',
      seed: 'r7vx6',
      historyDays: 10,
      scale: 3,
      variant: 'classic',
      timeline: true,
    });
    const stage = (id: string) => linux.modules[0].jobs.find((j) => j.job.id === id)!.anomalies[0].stage;
    expect(stage('v3_linux_system_user_discovery')).toBe('reconnaissance');
    expect(stage('v3_linux_anomalous_user_name')).toBe('reconnaissance');
    // Its sudo events are not the discovery commands: rare_sudo_user keeps its stage.
    expect(stage('v3_linux_rare_sudo_user')).toBe('execution');
    const [result] = engineVerify(linux, ['stream']).filter((r) => r.jobId === 'v3_linux_anomalous_user_name');
    expect(result.problems).toEqual([]);
  });

  it('says which rules cannot see their anomaly from the end of the data (they get a manual run), and names the story', () => {
    const late = anomalies(plan).filter((a) => a.stage !== 'exfiltration');
    expect(late.every((a) => a.rules.every((r) => !r.withinLookback))).toBe(true);
    expect(plan.notices.find((n) => n.startsWith('Timeline:'))).toMatch(/reconnaissance until 2026-12-01 15:00 UTC .*then access until 2026-12-01 21:00 UTC/);
  });

  it('changes nothing without the option: no stage, no notice, the same placement as before', () => {
    expect(anomalies(without).some((a) => a.stage)).toBe(false);
    expect(without.options.timeline).toBeUndefined();
    expect(without.notices.some((n) => n.startsWith('Timeline'))).toBe(false);
    const off = testPlan({ end: WEDNESDAY, timeline: false });
    expect(JSON.stringify([off.options, off.notices, anomalies(off)])).toBe(JSON.stringify([without.options, without.notices, anomalies(without)]));
  });

  it('is a value: two plans of the same options stream the same bytes', () => {
    const hash = (p: Plan) => {
      const h = createHash('sha256');
      for (const m of p.modules) for (const c of moduleStream(p, m)) h.update(c.ndjson);
      return h.digest('hex');
    };
    const small = { modules: ['security_auth', 'security_windows_v3'], historyDays: 4, end: FIXED_END, timeline: true };
    const a = testPlan(small);
    const first = hash(a);
    expect(hash(a)).toBe(first);
    expect(hash(testPlan(small))).toBe(first);
    expect(first).not.toBe(hash(testPlan({ ...small, timeline: false })));
  });
});

describe('the option', () => {
  it('is a boolean in the one schema; text true/false; anything else is one sentence naming the field', () => {
    expect(parseOptionText('timeline', 'true', '--timeline')).toBe(true);
    expect(parseOptionText('timeline', 'false')).toBe(false);
    expect(() => parseOptionText('timeline', 'yes', '--timeline')).toThrow('--timeline must be true or false; got "yes"');
    expect(() => testPlan({ timeline: 'yes' as unknown as boolean })).toThrow('timeline must be true or false; got "yes"');
  });

  it('keeps the stages in order with extra anomalies per job (2 hours apart, stages at least 6 apart)', () => {
    const p = testPlan({ end: WEDNESDAY, timeline: true, anomaliesPerJob: 2 });
    // Not a 4-hour rare bucket's: its extra anomalies go to whole buckets before its module's others (plan.ts longBucket).
    const short = anomalies(p).filter((a) => a.bucketEnd - a.bucketStart <= 2 * HOUR);
    for (let i = 1; i < TIMELINE_STAGES.length; i++) {
      const before = short.filter((a) => a.stage === TIMELINE_STAGES[i - 1]);
      const after = short.filter((a) => a.stage === TIMELINE_STAGES[i]);
      expect(Math.max(...before.map((a) => a.bucketEnd))).toBeLessThanOrEqual(Math.min(...after.map((a) => a.bucketStart)));
    }
  });
});
