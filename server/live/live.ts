/**
 * Live mode: a demo that keeps producing alerts for days. After the ordinary setup (history up to
 * now, jobs, rules), it keeps indexing the baseline in real time, runs the datafeeds in real time,
 * and injects a new incident every `incidentEveryMs` (other entities and never-seen values each
 * round, each round checked with the engine model), so the rules keep finding fresh anomalies.
 *
 * How it uses the generator (a plan is a value; the world is deterministic per seed):
 * - the baseline after the setup's end is the base plan streamed over one 15-minute window at a
 *   time (`moduleStream(..., { window })`): warm-up and onboarding stay counted from the plan's
 *   start, so a live tick never re-runs them, and a window always gives the same documents;
 * - incident k is `buildPlan(options with end = baseEnd + k * every, now, { round: k, baseEnd })`:
 *   the same world, other entities; only its injections are streamed (`baseline: false`). It is
 *   planned two bucket spans of its longest job ahead, so even a 4-hour job's anomaly bucket lies
 *   after what is already indexed;
 * - documents are released when their timestamp has passed (every `flushMs`), not a tick at a
 *   time: a real-time datafeed searches up to now minus its query delay and never looks back.
 *
 * State (resumable): the namespace's index template `_meta` (the tool's ownership record) holds
 * the live session — options, base end, how far documents are indexed, the incidents so far — so
 * a stopped `live` continues where it stopped (the missing windows are indexed at once, the
 * datafeeds resume from their last processed time) and `cleanup` removes everything as for
 * `setup`. Document ids are derived from the window and position, so a resent window counts as
 * present (409), never twice. Memory is one window of documents plus the pending incidents.
 */
import type { RunProgress } from '../../common/api';
import { datafeedId } from '../../common/requests';
import { buildPlan, type ModulePlan, type Plan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { floorTo, TICK } from '../generators/time';
import { engineVerify } from '../verify/engine_verify';
import { InstallError, statusOf, toInstallError } from '../installers/errors';
import { putTemplate, readTemplateMeta, type TemplateMeta } from '../installers/index_template';
import { planFingerprint } from '../installers/indexer';
import { ourJobs } from '../installers/cleanup';
import { runInstall } from '../installers/run';
import type { EsClient, InstallDeps, InstallOptions } from '../installers/types';

export interface LiveIncident {
  round: number;
  /** The incident plan's end: its anomalies sit in the last buckets before it. */
  end: string;
  jobs: { jobId: string; bucketStart: string; description: string; pass: boolean; problems: string[] }[];
  /** Documents of the incident indexed so far. */
  injected: number;
  /** Anomaly events that fell before what was already indexed (e.g. moved off a weekend by the plan). */
  skipped: number;
}

export interface LiveState {
  /** The setup's options, its end included: the base plan. */
  options: Omit<InstallOptions, 'documents'> & { end: string };
  incidentEveryMs: number;
  /** Documents are indexed up to here (a 15-minute boundary; later windows are in progress). */
  indexedUntil: number;
  /** Live documents indexed (baseline and incidents). */
  docs: number;
  incidents: LiveIncident[];
}

export interface LiveClock {
  now(): number;
  /** Waits `ms` or until `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: LiveClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface LiveOptions {
  /** Setup options (modules, seed, namespace…); `end` is ignored (the setup ends now). */
  install: InstallOptions;
  incidentEveryMs: number;
  /** How often documents whose time has come are sent (default 10 s). */
  flushMs?: number;
  /** Stop once documents are indexed up to this time (bounded runs, tests). */
  until?: number;
  clock?: LiveClock;
  signal?: AbortSignal;
  onSetupProgress?: (p: RunProgress) => void;
  /** The setup's final progress (its read-back report), before live mode starts. */
  onSetupDone?: (p: RunProgress) => void;
  /** One line per event: a window indexed, an incident planned and verified, a stop. */
  log?: (line: string) => void;
  /** After each indexed window (tests: memory, counts). */
  onWindow?: (state: LiveState) => void;
}

export interface LiveResult {
  state: LiveState;
  setup?: RunProgress;
  stopped: 'cancelled' | 'until';
}

const iso = (ms: number) => new Date(ms).toISOString();
const MIN_EVERY = 60 * 60_000;

/** `6h`, `90m`, `1d` → milliseconds; a multiple of 15 minutes from 1 hour to 7 days, else one sentence naming the option. */
export function parseIncidentEvery(text: string, flag = '--incident-every'): number {
  const m = /^(\d{1,4})(m|h|d)$/.exec(text);
  const ms = m ? Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : NaN;
  if (!m || ms < MIN_EVERY || ms > 7 * 86_400_000 || ms % TICK !== 0) {
    throw new InstallError(
      `${flag} must be a duration like 6h, 90m or 1d, a multiple of 15 minutes from 1h to 7d; got ${JSON.stringify(text.slice(0, 40))}`,
      400,
      'bad_request',
    );
  }
  return ms;
}

/** The longest bucket span of the plan's jobs: an incident is planned two of them ahead. */
const leadOf = (plan: Plan) => 2 * Math.max(...plan.modules.flatMap((m) => m.jobs.map((j) => j.bucketSpan)));

/** Deterministic ids: the run, the module, the window (or incident round) and the position in it. */
const liveId = (fp: string, module: ModulePlan, what: string, n: number) =>
  `${fp.slice(0, 8)}-${module.profile.dataset.split('.')[1]}-${what}-${n.toString(36)}`;

interface Pending {
  ts: number;
  index: string;
  id: string;
  doc: string;
  incident?: LiveIncident;
}

/** One 15-minute window's documents, with their times (the stream's timestamp is at a fixed place). */
function windowDocs(plan: Plan, from: number, fp: string, incidents: { plan: Plan; state: LiveIncident }[]): Pending[] {
  const out: Pending[] = [];
  const add = (module: ModulePlan, ndjson: string, what: string, incident?: LiveIncident) => {
    let n = 0;
    for (const doc of ndjson.split('\n')) {
      if (!doc) continue;
      out.push({ ts: Date.parse(doc.slice(15, 39)), index: module.dataStream, id: liveId(fp, module, what, n++), doc, incident });
    }
  };
  for (const module of plan.modules) {
    let chunkNo = 0;
    for (const chunk of moduleStream(plan, module, { window: { from, to: from + TICK } })) add(module, chunk.ndjson, `w${from.toString(36)}c${chunkNo++}`);
    for (const inc of incidents) {
      const m = inc.plan.modules.find((x) => x.moduleId === module.moduleId)!;
      chunkNo = 0;
      for (const chunk of moduleStream(inc.plan, { ...m, dataStream: module.dataStream }, { window: { from, to: from + TICK }, baseline: false }))
        add(module, chunk.ndjson, `i${inc.state.round}w${from.toString(36)}c${chunkNo++}`, inc.state);
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

async function bulkSend(es: EsClient, docs: Pending[], signal?: AbortSignal): Promise<number> {
  if (!docs.length) return 0;
  let present = 0;
  let failed = 0;
  const failures: string[] = [];
  let n = 0;
  // Strings go to the helper as they are (no parse and re-serialise); ids follow the order it reads them in.
  const helper = es.helpers.bulk<string>({
    datasource: docs.map((d) => d.doc),
    onDocument: () => {
      const d = docs[n++];
      return { create: { _index: d.index, _id: d.id } };
    },
    onDrop: (drop) => {
      if (drop.status === 409) present++;
      else {
        failed++;
        failures.push((drop.error as { type?: string } | null)?.type ?? `status ${drop.status}`);
      }
    },
    retries: 3,
    wait: 500,
    flushBytes: 2_000_000,
    concurrency: 2,
    filter_path: 'errors,items.*.status,items.*.error',
  });
  const abort = () => helper.abort();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const stats = await helper;
    if (failed) throw new InstallError(`${failed} live documents were rejected (${[...new Set(failures)].join(', ')})`, 502, 'upstream');
    return stats.successful + present;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** Opens the demo's jobs and starts their datafeeds in real time (no end: they follow the data). */
async function startRealtime(es: EsClient, jobIds: string[], log: (l: string) => void): Promise<void> {
  for (const id of jobIds) {
    try {
      await es.ml.openJob({ job_id: id });
    } catch (error) {
      if (statusOf(error) !== 409) log(`notice: ${toInstallError(error, `Opening ${id} for live mode`).message}`);
    }
    try {
      await es.ml.startDatafeed({ datafeed_id: datafeedId(id) });
    } catch (error) {
      if (statusOf(error) !== 409) log(`notice: ${toInstallError(error, `Starting ${datafeedId(id)} in real time`).message}`);
    }
  }
}

/** Stops the datafeeds and closes the jobs: the cluster's ML memory is free again; `live` resumes them. */
export async function stopRealtime(es: EsClient, jobIds: string[]): Promise<void> {
  for (const id of jobIds) {
    await es.ml.stopDatafeed({ datafeed_id: datafeedId(id) }).catch(() => undefined);
    await es.ml.closeJob({ job_id: id }).catch(() => undefined);
  }
}

async function saveState(es: EsClient, plan: Plan, meta: TemplateMeta, state: LiveState): Promise<void> {
  await putTemplate(es, plan, { ...meta, live: state });
}

/** Incident `round`'s plan: the base world, other entities, end `baseEnd + round * every`. */
export function incidentPlan(state: LiveState, round: number, now: number): Plan {
  const baseEnd = Date.parse(state.options.end);
  return buildPlan({ ...state.options, end: baseEnd + round * state.incidentEveryMs }, now, { round, baseEnd });
}

function describeIncident(plan: Plan, round: number, log: (l: string) => void): LiveIncident {
  // The engine model on the incident's own plan (the same world's baseline, ending at the incident).
  const verify = engineVerify(plan, ['stream']);
  const jobs = plan.modules.flatMap((m) =>
    m.jobs.map((j) => {
      const v = verify.find((x) => x.jobId === j.job.id);
      const a = j.anomalies[0];
      return { jobId: j.job.id, bucketStart: iso(a.bucketStart), description: a.description, pass: v?.pass ?? false, problems: v?.problems ?? [] };
    }),
  );
  log(
    `Incident ${round} planned for ${iso(plan.end)}: ${jobs.filter((j) => j.pass).length}/${jobs.length} jobs predicted above their rule's threshold (engine model)`,
  );
  return { round, end: iso(plan.end), jobs, injected: 0, skipped: 0 };
}

export async function runLive(deps: InstallDeps, options: LiveOptions): Promise<LiveResult> {
  const { es } = deps;
  const clock = options.clock ?? realClock;
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  const namespace = options.install.namespace ?? 'default';
  const flushMs = options.flushMs ?? 10_000;

  let meta = await readTemplateMeta(es, namespace);
  let setup: RunProgress | undefined;
  let state = meta?.live;
  if (state) {
    log(`Resuming the live demo of namespace "${namespace}": documents indexed up to ${iso(state.indexedUntil)}, ${state.incidents.length} incidents so far.`);
    state.incidentEveryMs = options.incidentEveryMs;
  } else {
    // The ordinary setup first, ending now; its options are the base plan's from then on.
    const end = iso(floorTo(clock.now(), TICK));
    setup = await runInstall(deps, { ...options.install, end }, options.onSetupProgress ?? (() => undefined), signal);
    options.onSetupDone?.(setup);
    if (setup.state !== 'succeeded') return { state: emptyState(options, end), setup, stopped: 'cancelled' };
    const { documents: _d, ...rest } = options.install;
    state = {
      options: { ...rest, end, variant: rest.variant ?? (setup.jobs[0]?.jobId.endsWith('_ea') ? 'ea' : 'classic') },
      incidentEveryMs: options.incidentEveryMs,
      indexedUntil: Date.parse(end),
      docs: 0,
      incidents: [],
    };
    meta = await readTemplateMeta(es, namespace);
  }
  const basePlan = buildPlan(state.options, clock.now());
  const fp = planFingerprint(basePlan);
  if (meta?.fingerprint !== fp)
    throw new InstallError(
      `The live demo recorded in namespace "${namespace}" does not match its template (another run replaced it); run "ml-demo-data cleanup --namespace ${namespace}" and start again.`,
      409,
      'conflict',
    );
  const templateMeta: TemplateMeta = { fingerprint: meta.fingerprint, dataStreams: meta.dataStreams, createdRules: meta.createdRules };
  await saveState(es, basePlan, templateMeta, state);
  const jobIds = await ourJobs(es, namespace);
  await startRealtime(es, jobIds, log);
  log(`Live: ${jobIds.length} jobs in real time; a new incident every ${state.incidentEveryMs / 3_600_000} h.`);

  const lead = leadOf(basePlan);
  const baseEnd = Date.parse(state.options.end);
  const pending: { plan: Plan; state: LiveIncident }[] = [];
  // Incidents already planned and not yet over are planned again (a plan is a value).
  for (const inc of state.incidents)
    if (Date.parse(inc.end) > state.indexedUntil) pending.push({ plan: incidentPlan(state, inc.round, clock.now()), state: inc });
  let window: Pending[] | undefined;
  let sent = 0;
  let stopped: LiveResult['stopped'] = 'cancelled';
  try {
    for (;;) {
      if (signal?.aborted) break;
      if (options.until !== undefined && state.indexedUntil >= options.until) {
        stopped = 'until';
        break;
      }
      const now = clock.now();
      const from = state.indexedUntil;
      // Plan the incidents whose anomalies could fall in this window or the next.
      for (let round = state.incidents.length + 1; baseEnd + round * state.incidentEveryMs - lead <= from + TICK; round = state.incidents.length + 1) {
        const plan = incidentPlan(state, round, now);
        const inc = describeIncident(plan, round, log);
        inc.skipped = plan.modules.reduce((n, m) => n + m.injections.filter((e) => e.ts < from).length, 0);
        state.incidents.push(inc);
        pending.push({ plan, state: inc });
        await saveState(es, basePlan, templateMeta, state);
      }
      if (now < from) {
        await clock.sleep(Math.min(flushMs, from - now), signal);
        continue;
      }
      window ??= windowDocs(basePlan, from, fp, pending);
      // Release what is due (all of it when the window is over: catching up after a stop).
      let due = sent;
      while (due < window.length && window[due].ts <= now) due++;
      if (due > sent) {
        const batch = window.slice(sent, due);
        const n = await bulkSend(es, batch, signal);
        for (const d of batch) if (d.incident) d.incident.injected++;
        state.docs += n;
        sent = due;
      }
      if (now >= from + TICK && sent === window.length) {
        state.indexedUntil = from + TICK;
        window = undefined;
        sent = 0;
        for (let i = pending.length - 1; i >= 0; i--) if (Date.parse(pending[i].state.end) <= state.indexedUntil) pending.splice(i, 1);
        await saveState(es, basePlan, templateMeta, state);
        options.onWindow?.(state);
        continue;
      }
      await clock.sleep(flushMs, signal);
    }
  } finally {
    // Stops cleanly: what was sent is recorded; the datafeeds stop and the jobs close (resumed by the next `live`).
    await saveState(es, basePlan, templateMeta, state).catch(() => undefined);
    await stopRealtime(es, jobIds);
    log(
      `Live stopped (${stopped === 'until' ? 'reached the requested end' : 'cancelled'}): documents indexed up to ${iso(state.indexedUntil)}, ${state.docs} live documents, ${state.incidents.length} incidents. Run "ml-demo-data live" again to resume, or "ml-demo-data cleanup --namespace ${namespace}" to remove it all.`,
    );
  }
  return { state, setup, stopped };
}

function emptyState(options: LiveOptions, end: string): LiveState {
  const { documents: _d, ...rest } = options.install;
  return { options: { ...rest, end }, incidentEveryMs: options.incidentEveryMs, indexedUntil: Date.parse(end), docs: 0, incidents: [] };
}
