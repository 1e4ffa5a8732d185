/**
 * The timeline option (common/options.ts `timeline`): instead of every job's anomaly in the last
 * buckets, one intrusion told over about the last day — reconnaissance, then access, execution,
 * exfiltration — by the same compromised people and machines (the plan's one incident per
 * organisation). This file says which stage a job belongs to and when each stage happens; plan.ts
 * places each anomaly in its stage as it places it before the end today (the same bucket,
 * time-of-day, weekend and early/long-bucket rules, with the stage's time as the end).
 *
 * A job's stage is not a hand list: it is read from the MITRE ATT&CK tactics of its prebuilt rules
 * (the catalogue's `threat`), each tactic belonging to one stage in ATT&CK's own order. A rule
 * names several tactics; the stage most of them belong to wins, a tie going to the stage of the
 * first tactic named (the rule authors' primary one). A job without a rule reads its twin's (the
 * other id generation); a job with neither (a user's own job) is in the last stage, where every
 * anomaly went before the option existed.
 */
import { rulesForJob, type CatalogueJob } from '../../common/catalogue';
import { TIMELINE_STAGES, type TimelineStage } from '../../common/options';
import { DAY, floorTo, HOUR } from './time';

/** ATT&CK enterprise tactics (https://attack.mitre.org/tactics/enterprise/) by id, in the kill chain's order, grouped into the four stages. */
export const TACTIC_STAGE: Readonly<Record<string, TimelineStage>> = {
  TA0043: 'reconnaissance', // Reconnaissance
  TA0042: 'reconnaissance', // Resource Development
  TA0007: 'reconnaissance', // Discovery
  TA0001: 'access', // Initial Access
  TA0006: 'access', // Credential Access
  TA0008: 'access', // Lateral Movement
  TA0002: 'execution', // Execution
  TA0003: 'execution', // Persistence
  TA0004: 'execution', // Privilege Escalation
  TA0005: 'execution', // Defense Evasion
  TA0009: 'exfiltration', // Collection
  TA0011: 'exfiltration', // Command and Control
  TA0010: 'exfiltration', // Exfiltration
  TA0040: 'exfiltration', // Impact
};

/** The tactic ids of a job's rules, in the order the rules name them. */
function tacticIds(jobId: string): string[] {
  return rulesForJob(jobId).flatMap((r) =>
    (r.threat as { tactic?: { id?: unknown } }[]).map((t) => t?.tactic?.id).filter((id): id is string => typeof id === 'string' && id in TACTIC_STAGE),
  );
}

/** The stage of a job: see the file's header. */
export function stageOfJob(job: Pick<CatalogueJob, 'id' | 'twinId'>): TimelineStage {
  let ids = tacticIds(job.id);
  if (!ids.length && job.twinId) ids = tacticIds(job.twinId);
  if (!ids.length) return 'exfiltration';
  const votes = new Map<TimelineStage, number>();
  for (const id of ids) votes.set(TACTIC_STAGE[id], (votes.get(TACTIC_STAGE[id]) ?? 0) + 1);
  const top = Math.max(...votes.values());
  return ids.map((id) => TACTIC_STAGE[id]).find((s) => votes.get(s) === top)!;
}

/** The stage that comes first in the story. */
export function earliestStage(stages: TimelineStage[]): TimelineStage {
  return TIMELINE_STAGES[Math.min(...stages.map((s) => TIMELINE_STAGES.indexOf(s)))];
}

/**
 * The person's logon at an odd hour (plan.ts timeOfDayBucket) must stay at 20:xx UTC, where the
 * engine scores it; the access stage is built around it: it ends at the latest 21:00 UTC that
 * leaves the later stages at least this long before the end of the data.
 */
export const TIMELINE_AFTER_ACCESS = 12 * HOUR;
/** Reconnaissance comes this long before access (the afternoon before, 15:00 UTC). */
export const TIMELINE_RECON_LEAD = 6 * HOUR;
const ACCESS_END_UTC_HOUR = 21;

/**
 * When each stage ends, from the end of the data: each job's anomaly goes to the last bucket before
 * its stage's end (as without the option it goes to the last bucket before the end of the data).
 * Access ends at 21:00 UTC, 12 to 36 hours before the end; reconnaissance 6 hours before that;
 * execution halfway from access to the end (on the hour), exfiltration at the end. Stages are at
 * least 6 hours apart, so a stage's extra anomalies (2 hours apart) stay clear of the next for up
 * to three anomalies per job.
 */
export function stageEnds(end: number): Record<TimelineStage, number> {
  let access = floorTo(end - TIMELINE_AFTER_ACCESS, DAY) + ACCESS_END_UTC_HOUR * HOUR;
  if (access > end - TIMELINE_AFTER_ACCESS) access -= DAY;
  return {
    reconnaissance: access - TIMELINE_RECON_LEAD,
    access,
    execution: floorTo(access + (end - access) / 2, HOUR),
    exfiltration: end,
  };
}

/** One sentence for the plan's notices: the story and when each stage happens. */
export function timelineNotice(end: number, stages: Map<string, TimelineStage>): string {
  const ends = stageEnds(end);
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const parts = TIMELINE_STAGES.map((s) => {
    const n = [...stages.values()].filter((x) => x === s).length;
    return `${s} until ${hhmm(ends[s])} UTC (${n} job${n === 1 ? '' : 's'})`;
  });
  return `Timeline: the anomalies tell one intrusion by the same people and machines: ${parts.join(', then ')}; each job's stage comes from its rules' MITRE tactics. Rules whose look-back does not reach their anomaly get a manual rule run (Kibana 8.16+).`;
}
