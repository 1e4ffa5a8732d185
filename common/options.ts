/**
 * The one options schema. Every limit and pattern of the generation options and of the names the
 * tool sends to a stack lives here; the route codecs (common/api.ts), the command line (bin/), the
 * page's form and the generator's resolveOptions all call these checks, so they cannot disagree.
 *
 * A check returns undefined when the value is fine, else the problem as the rest of one sentence
 * ("must be a whole number from 3 to 90; got 2"); the caller puts the field's name in front
 * (`historyDays`, `--history-days`, `KIBANA_SPACE`). Echoed values are truncated.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const THEME_NAMES = ['acme', 'globex'] as const;
export const VARIANTS = ['classic', 'ea'] as const;

export const LIMITS = {
  historyDays: { min: 3, max: 90 },
  /**
   * Below 1 the quiet Linux discovery jobs get too few events per bucket for the verifier's
   * history and strength checks (measured on all six modules, 3 and 14 days, both variants: 6-7
   * jobs fail at 0.7, 12-13 at 0.5, 36-40 at 0.01), so a run would "succeed" with data that
   * `verify` rejects. Smaller demos: fewer modules or fewer history days.
   */
  scale: { min: 1, max: 100 },
  anomaliesPerJob: { min: 1, max: 10 },
  chunkSize: { min: 1, max: 100_000 },
  modules: { max: 100 },
  /** Generator threads (`--workers`); 1 is the single-thread path. */
  workers: { min: 1, max: 64 },
} as const;

/** The data may end from 2000-01-01 (UTC) to one day ahead of now. */
export const EARLIEST_END_MS = Date.UTC(2000, 0, 1);
export const LATEST_END_AHEAD_MS = DAY_MS;

export const DEFAULT_OPTIONS = {
  historyDays: 14,
  seed: 'ml-demo-data',
  scale: 1,
  anomaliesPerJob: 1,
  namespace: 'default',
  theme: 'acme',
  variant: 'classic',
  /** Off: every job's anomaly in its last buckets (see TIMELINE). */
  timeline: false,
} as const;

/**
 * `timeline` (`--timeline`, the runs API's `timeline`, the page's "Tell the anomalies as a timeline" switch): the jobs' anomalies become one intrusion told over
 * about the last day — reconnaissance, then access at an odd hour, execution, exfiltration — instead
 * of every anomaly in the last buckets. Each job's stage comes from the MITRE tactics of its rules
 * (server/generators/timeline.ts). Anomalies older than a rule's look-back alert through a manual
 * rule run, which Kibana has from 8.16; on an older stack a run falls back to the last buckets.
 */
export const TIMELINE_STAGES = ['reconnaissance', 'access', 'execution', 'exfiltration'] as const;
export type TimelineStage = (typeof TIMELINE_STAGES)[number];

/** Elastic's data stream naming: lowercase, no "-", no special characters, at most 100 bytes. */
export const NAMESPACE_PATTERN = /^[a-z0-9_]{1,100}$/;
export const SEED_PATTERN = /^[\w.-]{1,64}$/;
export const MODULE_PATTERN = /^[a-z0-9_]{1,80}$/;
export const RUN_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Kibana space ids: lowercase letters, digits, "_" and "-". */
export const SPACE_PATTERN = /^[a-z0-9_-]{1,255}$/;

export type Check = (value: unknown) => string | undefined;

/** A value as it may be echoed in a message: short, one line, never the whole of a huge input. */
export function show(value: unknown, max = 40): string {
  if (typeof value === 'string') {
    const cut = value.length > max ? `${value.slice(0, max)}…` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

const got = (value: unknown) => `; got ${show(value)}`;

export const intCheck =
  (min: number, max: number, why = ''): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `must be an integer from ${min} to ${max}${why}${got(v)}`;

export const numberCheck =
  (min: number, max: number, why = ''): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? undefined : `must be a number from ${min} to ${max}${why}${got(v)}`;

export const patternCheck =
  (re: RegExp, what: string): Check =>
  (v) =>
    typeof v === 'string' && re.test(v) ? undefined : `must be ${what}${got(v)}`;

export const oneOfCheck =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}${got(v)}`;

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z$/;
const END_WHAT = 'a date as an ISO 8601 UTC time such as 2026-05-05T12:00:00Z';

/** Milliseconds of an ISO 8601 UTC time that exists (no 2026-02-30, no 25:00), else undefined. */
export function parseIsoUtc(text: string): number | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s = '0', ms = '0'] = m.slice(1).map((x) => x ?? '0');
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  back.setUTCHours(Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const t = back.getTime();
  const exists =
    back.getUTCFullYear() === Number(y) &&
    back.getUTCMonth() === Number(mo) - 1 &&
    back.getUTCDate() === Number(d) &&
    back.getUTCHours() === Number(h) &&
    back.getUTCMinutes() === Number(mi) &&
    back.getUTCSeconds() === Number(s);
  return exists ? t : undefined;
}

/** The range check of an end time in milliseconds. */
export function endRangeProblem(ms: number, now = Date.now()): string | undefined {
  if (!Number.isFinite(ms)) return `must be ${END_WHAT}`;
  const latest = now + LATEST_END_AHEAD_MS;
  if (ms < EARLIEST_END_MS || ms > latest)
    return `must be from 2000-01-01T00:00:00Z to one day ahead of now (${new Date(latest).toISOString()}); got ${new Date(ms).toISOString()}`;
  return undefined;
}

export const booleanCheck: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false${got(v)}`);

export const endCheck =
  (now = Date.now()): Check =>
  (v) => {
    if (typeof v !== 'string') return `must be ${END_WHAT}${got(v)}`;
    if (!ISO_UTC.test(v)) return `must be ${END_WHAT}${got(v)}`;
    const ms = parseIsoUtc(v);
    if (ms === undefined) return `must be a date and time that exist (no February 30, no 25:00)${got(v)}`;
    return endRangeProblem(ms, now);
  };

const MODULE_CHECK = patternCheck(MODULE_PATTERN, 'a module or job id (a-z, 0-9, _)');
export const modulesCheck: Check = (v) => {
  if (!Array.isArray(v)) return `must be a list of module or job ids${got(v)}`;
  if (v.length === 0) return 'must choose at least one module or job';
  if (v.length > LIMITS.modules.max) return `must name at most ${LIMITS.modules.max} modules or jobs; got ${v.length}`;
  for (const [i, m] of v.entries()) {
    const problem = MODULE_CHECK(m);
    if (problem) return `entry ${i} ${problem}`;
  }
  return undefined;
};

/** Live mode's time between incidents (`--incident-every`, the page's switch): 1 hour to 7 days, whole 15-minute steps. */
export const INCIDENT_EVERY = { minMs: 60 * 60_000, maxMs: 7 * DAY_MS, stepMs: 15 * 60_000 } as const;
const DURATION_TEXT = /^(\d{1,4})(m|h|d)$/;

/** `6h`, `90m`, `1d` → milliseconds when it is a valid time between incidents, else undefined. */
export function incidentEveryMs(value: unknown): number | undefined {
  const m = typeof value === 'string' ? DURATION_TEXT.exec(value) : null;
  if (!m) return undefined;
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: DAY_MS }[m[2] as 'm' | 'h' | 'd'];
  return ms >= INCIDENT_EVERY.minMs && ms <= INCIDENT_EVERY.maxMs && ms % INCIDENT_EVERY.stepMs === 0 ? ms : undefined;
}

export const incidentEveryCheck: Check = (v) =>
  incidentEveryMs(v) === undefined ? `must be a duration like 6h, 90m or 1d, a multiple of 15 minutes from 1h to 7d${got(v)}` : undefined;

/** The checks of every generation option, by its name in the API (StartRunRequest, GenerateOptions). */
export const OPTION_CHECKS = {
  modules: modulesCheck,
  historyDays: (v: unknown) =>
    intCheck(LIMITS.historyDays.min, LIMITS.historyDays.max)(v) &&
    `must be between ${LIMITS.historyDays.min} and ${LIMITS.historyDays.max} days, a whole number (ML models need at least ${LIMITS.historyDays.min} days to learn a baseline)${got(v)}`,
  get end() {
    return endCheck();
  },
  seed: patternCheck(SEED_PATTERN, '1-64 letters, digits, _ . or -'),
  scale: numberCheck(LIMITS.scale.min, LIMITS.scale.max, ' (smaller scales give too few events for the jobs to learn)'),
  anomaliesPerJob: intCheck(LIMITS.anomaliesPerJob.min, LIMITS.anomaliesPerJob.max),
  namespace: patternCheck(NAMESPACE_PATTERN, '1-100 characters of a-z, 0-9 and _ (a data stream namespace: no "-", no capitals)'),
  theme: oneOfCheck(THEME_NAMES),
  variant: oneOfCheck(VARIANTS),
  chunkSize: intCheck(LIMITS.chunkSize.min, LIMITS.chunkSize.max),
  workers: (v: unknown) => (v === 'auto' ? undefined : intCheck(LIMITS.workers.min, LIMITS.workers.max, ' or auto (one per core)')(v)),
  space: patternCheck(SPACE_PATTERN, 'a Kibana space id (a-z, 0-9, _ and -)'),
  runId: patternCheck(RUN_ID_PATTERN, 'a run id (letters, digits, _ and -)'),
  incidentEvery: incidentEveryCheck,
  timeline: booleanCheck,
} satisfies Record<string, Check>;

export type OptionName = keyof typeof OPTION_CHECKS;

/** Thrown for a bad option; the message is one sentence naming the field. */
export class OptionsError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'OptionsError';
  }
}

/** Throws `<label> <problem>` when the value fails its option's check. */
export function assertOption(name: OptionName, value: unknown, label: string = name): void {
  const problem = OPTION_CHECKS[name](value);
  if (problem) throw new OptionsError(`${label} ${problem}`, name);
}

// Text (command-line flags, environment variables, form fields) → typed values, strictly:
// "3.5", "0x5", "1e2", " 3" and "" are not whole numbers.
const INT_TEXT = /^\d{1,9}$/;
const DECIMAL_TEXT = /^\d{1,9}(\.\d{1,30})?$/;

/** Parses a text option and checks it; the error names `label`. */
export function parseOptionText(name: OptionName, text: string, label: string = name): unknown {
  let value: unknown = text;
  if (name === 'historyDays' || name === 'anomaliesPerJob' || name === 'chunkSize') {
    if (!INT_TEXT.test(text)) throw new OptionsError(`${label} ${(OPTION_CHECKS[name](text) ?? '').replace(/; got .*$/, '')}; got ${show(text)}`, name);
    value = Number(text);
  } else if (name === 'scale') {
    if (!DECIMAL_TEXT.test(text))
      throw new OptionsError(`${label} must be a decimal number from ${LIMITS.scale.min} to ${LIMITS.scale.max} (like 1.5 or 2); got ${show(text)}`, name);
    value = Number(text);
  } else if (name === 'workers') {
    if (text !== 'auto' && !INT_TEXT.test(text))
      throw new OptionsError(`${label} must be auto or an integer from ${LIMITS.workers.min} to ${LIMITS.workers.max}; got ${show(text)}`, name);
    value = text === 'auto' ? text : Number(text);
  } else if (name === 'modules') {
    value = text.split(',').map((s) => s.trim());
  } else if (name === 'timeline') {
    if (text !== 'true' && text !== 'false') throw new OptionsError(`${label} must be true or false; got ${show(text)}`, name);
    value = text === 'true';
  }
  assertOption(name, value, label);
  return value;
}
