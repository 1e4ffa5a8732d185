/**
 * The HTTP API between the page and the server routes, as io-ts codecs (request bodies) and types
 * (responses). Request codecs reject unknown keys and name the field path in their errors.
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';

/** Like t.type, but unknown keys are an error (io-ts' t.exact would silently strip them). */
export function strict<P extends t.Props>(props: P, name?: string) {
  const base = t.partial(props);
  return new t.Type<t.TypeOf<typeof base>, t.OutputOf<typeof base>, unknown>(
    name ?? base.name,
    (u): u is t.TypeOf<typeof base> => base.is(u) && Object.keys(u as object).every((k) => Object.prototype.hasOwnProperty.call(props, k)),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'must be an object');
      const extra = Object.keys(u).filter((k) => !Object.prototype.hasOwnProperty.call(props, k));
      if (extra.length) return t.failure(u, [...c, { key: extra[0], type: t.never, actual: (u as Record<string, unknown>)[extra[0]] }], `unknown key "${extra[0]}"`);
      return base.validate(u, c);
    },
    base.encode,
  );
}

const boundedInt = (min: number, max: number, name: string) =>
  t.refinement(t.number, (n) => Number.isInteger(n) && n >= min && n <= max, `${name} (integer ${min}..${max})`);
const boundedNumber = (min: number, max: number, name: string) => t.refinement(t.number, (n) => n > min && n <= max, `${name} (number > ${min} and <= ${max})`);
const pattern = (re: RegExp, name: string) => t.refinement(t.string, (s) => re.test(s), name);

export const StartRunRequest = strict({
  /** Module ids or job ids (the older generator's names are accepted with a notice). */
  modules: t.array(pattern(/^[a-z0-9_]{1,80}$/, 'module or job id'), 'modules'),
  historyDays: boundedInt(3, 90, 'historyDays'),
  end: pattern(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, 'ISO 8601 UTC time'),
  seed: pattern(/^[\w.-]{1,64}$/, 'seed (1-64 letters, digits, _ . -)'),
  scale: boundedNumber(0, 100, 'scale'),
  anomaliesPerJob: boundedInt(1, 10, 'anomaliesPerJob'),
  namespace: pattern(/^[a-z0-9_]{1,100}$/, 'namespace (a-z, 0-9, _)'),
  theme: t.keyof({ acme: null, globex: null }),
  /** Create and start the modules' ML jobs (default true). */
  enableJobs: t.boolean,
  /** Install and enable the ML detection rules (default true). */
  installRules: t.boolean,
}, 'StartRunRequest');
export type StartRunRequest = t.TypeOf<typeof StartRunRequest>;

export const RunIdParams = strict({ runId: pattern(/^[a-zA-Z0-9_-]{1,64}$/, 'runId') }, 'RunIdParams');
export const CleanupRequest = strict({ namespace: pattern(/^[a-z0-9_]{1,100}$/, 'namespace (a-z, 0-9, _)') }, 'CleanupRequest');
export type CleanupRequest = t.TypeOf<typeof CleanupRequest>;

/** Decodes or returns the errors as "path: problem" lines. */
export function decode<A>(codec: t.Type<A, unknown, unknown>, value: unknown): { ok: true; value: A } | { ok: false; errors: string[] } {
  const result = codec.decode(value);
  if (!isLeft(result)) return { ok: true, value: result.right };
  const errors = result.left.map((e) => {
    const path = e.context.map((c) => c.key).filter(Boolean).join('.');
    const expected = e.context[e.context.length - 1]?.type.name;
    return `${path || '(body)'}: ${e.message ?? `expected ${expected}, got ${JSON.stringify(e.value)}`}`;
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
  rules: { ruleId: string; name: string; id?: string; state: 'pending' | 'installed' | 'existing' | 'enabled' | 'failed'; error?: string }[];
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
