/**
 * The HTTP API between the page and the server routes, as io-ts codecs (request bodies) and types
 * (responses). Request codecs reject unknown keys and name the field path in their errors; their
 * checks are the one options schema's (common/options.ts).
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { OPTION_CHECKS, show, type Check, type THEME_NAMES } from './options';

/** Like t.type, but unknown keys are an error (io-ts' t.exact would silently strip them). */
export function strict<P extends t.Props>(props: P, name?: string) {
  const base = t.partial(props);
  return new t.Type<t.TypeOf<typeof base>, t.OutputOf<typeof base>, unknown>(
    name ?? base.name,
    (u): u is t.TypeOf<typeof base> => base.is(u) && Object.keys(u as object).every((k) => Object.prototype.hasOwnProperty.call(props, k)),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'must be an object');
      const extra = Object.keys(u).filter((k) => !Object.prototype.hasOwnProperty.call(props, k));
      if (extra.length) {
        const key = extra[0].length > 40 ? `${extra[0].slice(0, 40)}…` : extra[0];
        return t.failure(u, [...c, { key, type: t.never, actual: undefined }], `unknown key ${JSON.stringify(key)}`);
      }
      return base.validate(u, c);
    },
    base.encode,
  );
}

/** A codec whose whole check is one of the schema's (common/options.ts); its message is the check's. */
function fromCheck<A>(name: string, check: Check) {
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => check(u) === undefined,
    (u, c) => {
      const problem = check(u);
      return problem ? t.failure(u, c, problem) : t.success(u as A);
    },
    t.identity,
  );
}

const C = OPTION_CHECKS;

/** A user's own job as the page sends it: the body of PUT _ml/anomaly_detectors (or Kibana's module file) and, optionally, its datafeed. */
export interface CustomJobInput {
  job: Record<string, unknown>;
  datafeed?: Record<string, unknown>;
}
export const MAX_CUSTOM_JOBS = 20;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Shape only: what a job may contain is the server's to say (server/custom_jobs/parse.ts). */
export const customJobCheck: Check = (v) => {
  if (!isPlainObject(v)) return `must be an object with "job" (and "datafeed"); got ${show(v)}`;
  const extra = Object.keys(v).find((k) => k !== 'job' && k !== 'datafeed');
  if (extra !== undefined) return `unknown key ${JSON.stringify(extra.slice(0, 40))} (only "job" and "datafeed")`;
  if (!isPlainObject(v.job)) return `job must be the job's JSON object; got ${show(v.job)}`;
  if (v.datafeed !== undefined && !isPlainObject(v.datafeed)) return `datafeed must be the datafeed's JSON object; got ${show(v.datafeed)}`;
  return undefined;
};
const customJobsCheck: Check = (v) => {
  if (!Array.isArray(v)) return `must be a list of jobs; got ${show(v)}`;
  if (v.length > MAX_CUSTOM_JOBS) return `must hold at most ${MAX_CUSTOM_JOBS} jobs; got ${v.length}`;
  for (const [i, job] of v.entries()) {
    const problem = customJobCheck(job);
    if (problem) return `entry ${i} ${problem}`;
  }
  return undefined;
};

export const StartRunRequest = strict(
  {
    /** Module ids or job ids (the older generator's names are accepted with a notice). */
    modules: fromCheck<string[]>('modules', C.modules),
    historyDays: fromCheck<number>('historyDays', C.historyDays),
    /** ISO 8601 UTC, from 2000-01-01 to one day ahead of now. */
    end: fromCheck<string>('end', (v) => C.end(v)),
    seed: fromCheck<string>('seed', C.seed),
    scale: fromCheck<number>('scale', C.scale),
    anomaliesPerJob: fromCheck<number>('anomaliesPerJob', C.anomaliesPerJob),
    namespace: fromCheck<string>('namespace', C.namespace),
    theme: fromCheck<(typeof THEME_NAMES)[number]>('theme', C.theme),
    /** The anomalies as one intrusion over about the last day (common/options.ts TIMELINE_STAGES; default false). */
    timeline: fromCheck<boolean>('timeline', C.timeline),
    /** Create and start the modules' ML jobs (default true). */
    enableJobs: t.boolean,
    /** Install and enable the ML detection rules (default true). */
    installRules: t.boolean,
    /** The user's own jobs ("Add a job"), generated in the custom module; `modules` may then be empty. */
    customJobs: fromCheck<CustomJobInput[]>('customJobs', customJobsCheck),
  },
  'StartRunRequest',
);
export type StartRunRequest = t.TypeOf<typeof StartRunRequest>;

/** POST ROUTES.validateJob: one job (and its datafeed) to check before it is added to a run. */
export const ValidateJobRequest = fromCheck<CustomJobInput>('ValidateJobRequest', customJobCheck);
export interface ValidateJobResponse {
  id: string;
  function: string;
  bucketSpan: string;
  /** by/over/partition/field names of the detector, for the list on the page. */
  fields: Record<string, string>;
  description: string;
}

export const RunIdParams = strict({ runId: fromCheck<string>('runId', C.runId) }, 'RunIdParams');
export const CleanupRequest = strict({ namespace: fromCheck<string>('namespace', C.namespace) }, 'CleanupRequest');
export type CleanupRequest = t.TypeOf<typeof CleanupRequest>;
export const NamespaceQuery = strict({ namespace: fromCheck<string>('namespace', C.namespace) }, 'NamespaceQuery');

/** POST ROUTES.live: keep the space's latest demo (of that namespace) alive as a Task Manager task. */
export const StartLiveRequest = strict(
  {
    namespace: fromCheck<string>('namespace', C.namespace),
    /** Time between incidents: 1h to 7d in whole 15 minutes, like `6h`, `90m`, `1d` (default 6h). */
    incidentEvery: fromCheck<string>('incidentEvery', C.incidentEvery),
  },
  'StartLiveRequest',
);
export type StartLiveRequest = t.TypeOf<typeof StartLiveRequest>;
/** POST ROUTES.liveStop. */
export const StopLiveRequest = strict({ namespace: fromCheck<string>('namespace', C.namespace) }, 'StopLiveRequest');

/** GET ROUTES.live (and the answer of start and stop): the switch and the recorded session. */
export interface LiveStatus {
  namespace: string;
  /** Its Task Manager task exists: the demo is kept live. */
  on: boolean;
  incidentEvery?: string;
  /** Rounds the task ran, the last one, and its failure if it failed (the next round tries again). */
  rounds?: number;
  lastRoundAt?: string;
  error?: string;
  /** The live session recorded with the demo (also after a stop: starting again resumes it). */
  session?: {
    indexedUntil: string;
    docs: number;
    incidents: number;
    lastIncident?: { round: number; end: string; predicted: number; jobs: number; wave?: number };
    /** When the jobs run in waves (1-based wave open now). */
    waves?: number;
    wave?: number;
    memory?: string;
  };
}

/** Decodes or returns the errors as "path: problem" lines. */
export function decode<A>(codec: t.Type<A, unknown, unknown>, value: unknown): { ok: true; value: A } | { ok: false; errors: string[] } {
  const result = codec.decode(value);
  if (!isLeft(result)) return { ok: true, value: result.right };
  const errors = result.left.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter(Boolean)
      .join('.');
    const expected = e.context[e.context.length - 1]?.type.name;
    return `${path || '(body)'}: ${e.message ?? `expected ${expected}; got ${show(e.value)}`}`;
  });
  return { ok: false, errors: [...new Set(errors)] };
}

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type PhaseId = 'preflight' | 'plan' | 'index' | 'jobs' | 'datafeeds' | 'rules' | 'readback' | 'done';

export interface JobProgress {
  jobId: string;
  moduleId: string;
  function: string;
  state: 'pending' | 'created' | 'existing' | 'running' | 'processed' | 'failed' | 'skipped';
  /** ISO time the datafeed has processed up to. */
  processedUntil?: string;
  anomaly: { bucketStart: string; description: string; scope: Record<string, string>; value: string | number };
  /** Highest record score read back from the job's results (null: none yet). */
  maxRecordScore: number | null;
  ruleId?: string;
  ruleName?: string;
  ruleThreshold?: number;
  detected?: boolean;
  error?: string;
}

export interface RunProgress {
  runId: string;
  space: string;
  state: RunState;
  phase: PhaseId;
  startedAt: string;
  updatedAt: string;
  request: StartRunRequest;
  window?: { start: string; end: string };
  docs: { planned: number; generated: number; indexed: number; failed: number };
  dataStreams: string[];
  jobs: JobProgress[];
  /** `ruleId`: the installed rule's rule_id; `prebuiltRuleId`: Elastic's rule_id it stands for, when it is a custom rule with an id of our own. */
  rules: {
    ruleId: string;
    prebuiltRuleId?: string;
    name: string;
    id?: string;
    state: 'pending' | 'installed' | 'existing' | 'enabled' | 'failed';
    error?: string;
  }[];
  notices: string[];
  errors: string[];
  /** What was created so far, and how to remove it if the run stops part-way. */
  created: { dataStreams: string[]; indexTemplates: string[]; jobs: string[]; datafeeds: string[]; rules: string[] };
  cleanupHint?: string;
  /** Set when the namespace was cleaned up after this run: the run's artifacts are gone. */
  cleanedUpAt?: string;
}

/** What a cleanup removed (POST cleanup response, and the installer's report). */
export interface CleanupReport {
  dataStreams: string[];
  indexTemplates: string[];
  jobs: string[];
  datafeeds: string[];
  rules: string[];
  /** The live mode's Task Manager task, when one was removed (plugin only). */
  tasks?: string[];
  errors: string[];
}

export interface ModulesResponse {
  modules: {
    id: string;
    title: string;
    description: string;
    summary: string;
    dataStream: string;
    jobs: { id: string; function: string; description: string; bucketSpan: string; installed: boolean; ruleIds: string[] }[];
  }[];
  variant: 'classic' | 'ea';
  stackVersion?: string;
}
