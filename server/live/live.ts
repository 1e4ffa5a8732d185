/**
 * Live mode: a demo that keeps producing alerts for days. After the ordinary setup (history up to
 * its end, jobs, rules), it keeps indexing the baseline in real time, runs the datafeeds in real
 * time, and injects a new incident every `incidentEveryMs` (other entities and never-seen values
 * each round, each round checked with the engine model), so the rules keep finding fresh anomalies.
 *
 * One core, two drivers: `LiveSession` (open → startRealtime → advance(now) … → stopRealtime) is
 * driven by the `live` command (a loop that calls `advance` every `flushMs`, `runLive` below) and
 * by the page's "Keep it live" switch (a Kibana Task Manager task that calls `advance` once per
 * task run, server/live/live_task.ts). Neither keeps anything that matters in memory between calls.
 *
 * How it uses the generator (a plan is a value; the world is deterministic per seed):
 * - the baseline after the setup's end is the base plan streamed over one 15-minute window at a
 *   time (`moduleStream(..., { window })`): warm-up and onboarding stay counted from the plan's
 *   start, so a live tick never re-runs them, and a window always gives the same documents;
 * - incident k is `buildPlan(options with end = baseEnd + k * every, now, { round: k, baseEnd })`:
 *   the same world, other entities; only its injections are streamed (`baseline: false`). It is
 *   planned two bucket spans of its longest job ahead, so even a 4-hour job's anomaly bucket lies
 *   after what is already indexed;
 * - documents are released when their timestamp has passed, not a window at a time: a real-time
 *   datafeed searches up to now minus its query delay and never looks back.
 *
 * Jobs that do not all fit the ML nodes (sizing.ts) run in waves, one wave per incident: the wave
 * of incident k is open in real time while it happens; once the incident has been processed
 * (SWITCH_AFTER_MS after its end) that wave is closed and the next one opened, and its datafeeds
 * resume from where they stopped, so they first catch up on the hours they missed (the data is
 * indexed all along), then follow in real time. Each incident alerts for its wave's jobs.
 *
 * State (resumable): the namespace's index template `_meta` (the tool's ownership record) holds
 * the live session — options, base end, how far documents are indexed and released, the incidents
 * so far, the waves — so a stopped session continues where it stopped (the missing windows are
 * indexed at once, the datafeeds resume from their last processed time) and `cleanup` removes
 * everything as for `setup`. Document ids are derived from the window and position, so a resent
 * window counts as present (409), never twice. Memory is one window of documents plus the
 * pending incidents' plans.
 */
import type { RunProgress } from '../../common/api';
import { incidentEveryMs, OPTION_CHECKS } from '../../common/options';
import { datafeedId } from '../../common/requests';
import { buildPlan, incidentLead, type ModulePlan, type Plan } from '../generators/plan';
import { moduleStream } from '../generators/stream';
import { floorTo, TICK } from '../generators/time';
import { engineVerify, type EarlierPlan } from '../verify/engine_verify';
import { InstallError, statusOf, toInstallError } from '../installers/errors';
import { putTemplate, readTemplateMeta, type TemplateMeta } from '../installers/index_template';
import { planFingerprint } from '../installers/indexer';
import { ourJobs } from '../installers/cleanup';
import { keepsTimeline, runInstall } from '../installers/run';
import { mlNodesMemory, planWaves } from '../installers/sizing';
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
  /** When the jobs run in waves: the wave (0-based) whose jobs are open in real time for this incident. */
  wave?: number;
}

export interface LiveState {
  /** The setup's options, its end included: the base plan. */
  options: Omit<InstallOptions, 'documents'> & { end: string };
  incidentEveryMs: number;
  /** Documents are indexed up to here (a 15-minute boundary; later windows are in progress). */
  indexedUntil: number;
  /** Documents of the window in progress are sent up to here (≥ indexedUntil when set). */
  releasedUntil?: number;
  /** Live documents indexed (baseline and incidents). */
  docs: number;
  incidents: LiveIncident[];
  /** The demo's jobs in real time, by wave (one wave when they all fit the ML nodes). */
  waves?: string[][];
  /** The wave open now. */
  wave?: number;
  /** What the ML memory allows, in one sentence (shown by the page and logged by the command). */
  memory?: string;
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

/** `6h`, `90m`, `1d` → milliseconds (common/options.ts `incidentEvery`), else one sentence naming the option. */
export function parseIncidentEvery(text: string, flag = '--incident-every'): number {
  const problem = OPTION_CHECKS.incidentEvery(text);
  if (problem) throw new InstallError(`${flag} ${problem}`, 400, 'bad_request');
  return incidentEveryMs(text)!;
}

/** An incident is planned this far ahead (plan.ts incidentLead). */
const leadOf = (plan: Plan) => incidentLead(plan.modules.flatMap((m) => m.jobs.map((j) => j.bucketSpan)));

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
export async function startRealtime(es: EsClient, jobIds: string[], log: (l: string) => void): Promise<void> {
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

/** After an incident's end, the time its wave stays open so every job (the 4-hour one too) has processed it. */
export const SWITCH_AFTER_MS = 30 * 60_000;
export const DEFAULT_INCIDENT_EVERY_MS = 6 * 3_600_000;

const MB = 1024 * 1024;
const parseLimitMb = (v: unknown): number => {
  const m = /^(\d+(?:\.\d+)?)\s*(kb|mb|gb|b)?$/i.exec(String(v ?? '').trim());
  if (!m) return 1024;
  return Number(m[1]) * ({ b: 1 / MB, kb: 1 / 1024, mb: 1, gb: 1024 } as Record<string, number>)[(m[2] ?? 'mb').toLowerCase()];
};

/** Incident `round`'s plan: the base world, other entities, end `baseEnd + round * every`. */
export function incidentPlan(state: LiveState, round: number, now: number): Plan {
  const baseEnd = Date.parse(state.options.end);
  return buildPlan({ ...state.options, end: baseEnd + round * state.incidentEveryMs }, now, { round, baseEnd });
}

/**
 * Where incident `round` was planned: the first window whose next one its anomalies could fall in
 * (see `advance`), never before the setup's end. Its injections before that were not indexed.
 */
function plannedFrom(state: LiveState, round: number, lead: number): number {
  // Windows start at the setup's end and follow one another (TICK each).
  const ticks = Math.ceil((round * state.incidentEveryMs - lead - TICK) / TICK);
  return Date.parse(state.options.end) + Math.max(0, ticks) * TICK;
}

function describeIncident(plan: Plan, round: number, log: (l: string) => void, earlier: EarlierPlan[]): LiveIncident {
  // The engine model on the incident's own plan (the same world's baseline, ending at the
  // incident), with the setup's and the earlier incidents' anomalies in the data before it: the
  // engine scores a repeat lower, and earlier novelties make a new value less rare.
  const verify = engineVerify(plan, ['stream'], earlier);
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

/** Incidents whose wave has processed them: the next wave takes over. */
const processedIncidents = (state: LiveState) => state.incidents.filter((i) => Date.parse(i.end) + SWITCH_AFTER_MS <= state.indexedUntil).length;

/**
 * The jobs' waves for live mode, from their limits (set by the setup's sizing) and the ML nodes'
 * free memory (read with the demo's jobs closed); one wave of all when the cluster cannot say.
 * No ML capacity at all is the sizing's one sentence (an InstallError).
 */
async function liveWaves(es: EsClient, jobIds: string[]): Promise<{ waves: string[][]; memory?: string }> {
  const nodes = await mlNodesMemory(es);
  if (!nodes || !jobIds.length) return { waves: [jobIds] };
  const res = await es.ml.getJobs({ allow_no_match: true });
  const limits = new Map(res.jobs.map((j) => [j.job_id, parseLimitMb(j.analysis_limits?.model_memory_limit)]));
  const w = planWaves(
    jobIds.map((jobId) => ({ jobId, limitMb: limits.get(jobId) ?? 1024 })),
    nodes,
  );
  const mb = (b: number) => `${Math.round(b / MB)} MB`;
  if (w.waves.length === 1)
    return {
      waves: w.waves,
      memory: `ML memory: the demo's ${jobIds.length} jobs need ${mb(w.needBytes)} in real time; the ML nodes have ${mb(w.freeBytes)} free.`,
    };
  return {
    waves: w.waves,
    memory:
      `ML memory: the demo's ${jobIds.length} jobs need ${mb(w.needBytes)} at once and the ML nodes have ${mb(w.freeBytes)} free, so live mode runs them in ${w.waves.length} waves, ` +
      `one per incident (${w.waves.map((x, i) => `wave ${i + 1}: ${x.length} jobs`).join(', ')}): each incident alerts for its wave's jobs; the other waves are closed meanwhile ` +
      `and catch up on the data they missed when their turn comes.`,
  };
}

export interface OpenOptions {
  namespace: string;
  /** The time between incidents (default: the recorded one, else 6 h). */
  incidentEveryMs?: number;
  /** A new session over the demo the setup made (its options, end included); unused when one is recorded. */
  base?: LiveState['options'];
  now: number;
  log?: (line: string) => void;
}

export interface AdvanceOptions {
  signal?: AbortSignal;
  /** Stop once documents are indexed up to this time. */
  until?: number;
  /** Record how far the window in progress was sent (the task: each run is a new process' worth of memory). */
  saveProgress?: boolean;
  onWindow?: (state: LiveState) => void;
}

/** A live session over one namespace's demo: everything it needs is in `state`, recorded in the template. */
export class LiveSession {
  private window?: { from: number; docs: Pending[]; sent: number };
  private readonly pending: { plan: Plan; state: LiveIncident }[] = [];
  private readonly lead: number;

  private constructor(
    private readonly es: EsClient,
    readonly state: LiveState,
    readonly namespace: string,
    private readonly basePlan: Plan,
    private readonly fp: string,
    private readonly templateMeta: TemplateMeta,
    private readonly log: (line: string) => void,
    now: number,
  ) {
    this.lead = leadOf(basePlan);
    // Incidents already planned and not yet over are planned again (a plan is a value).
    for (const inc of state.incidents)
      if (Date.parse(inc.end) > state.indexedUntil) this.pending.push({ plan: incidentPlan(state, inc.round, now), state: inc });
  }

  /**
   * The session recorded in the namespace's template, or a new one over the demo the setup made
   * (`base`). Refused (409) when the template no longer matches (another run replaced the demo),
   * 404 when there is no demo or no session to resume.
   */
  static async open(es: EsClient, o: OpenOptions): Promise<LiveSession> {
    const log = o.log ?? (() => undefined);
    const meta = await readTemplateMeta(es, o.namespace);
    if (!meta?.fingerprint)
      throw new InstallError(
        `There is no demo in namespace "${o.namespace}" to keep live (it was cleaned up, or never set up); generate it first.`,
        404,
        'not_found',
      );
    let state = meta.live;
    if (state) {
      log(
        `Resuming the live demo of namespace "${o.namespace}": documents indexed up to ${iso(state.indexedUntil)}, ${state.incidents.length} incidents so far.`,
      );
      if (o.incidentEveryMs) state.incidentEveryMs = o.incidentEveryMs;
    } else if (o.base) {
      state = {
        options: o.base,
        incidentEveryMs: o.incidentEveryMs ?? DEFAULT_INCIDENT_EVERY_MS,
        indexedUntil: Date.parse(o.base.end),
        docs: 0,
        incidents: [],
      };
    } else {
      throw new InstallError(`No live session is recorded in namespace "${o.namespace}".`, 404, 'not_found');
    }
    const basePlan = buildPlan(state.options, o.now);
    const fp = planFingerprint(basePlan);
    if (meta.fingerprint !== fp)
      throw new InstallError(
        `The live demo recorded in namespace "${o.namespace}" does not match its template (another run replaced it); run "ml-demo-data cleanup --namespace ${o.namespace}" and start again.`,
        409,
        'conflict',
      );
    const session = new LiveSession(
      es,
      state,
      o.namespace,
      basePlan,
      fp,
      { fingerprint: meta.fingerprint, dataStreams: meta.dataStreams, createdRules: meta.createdRules },
      log,
      o.now,
    );
    await session.save();
    return session;
  }

  async save(): Promise<void> {
    await putTemplate(this.es, this.basePlan, { ...this.templateMeta, live: this.state });
  }

  /**
   * Opens the wave due now and starts its datafeeds in real time (no end: they follow the data,
   * from where they stopped). The waves are planned the first time, with the demo's jobs closed so
   * the ML nodes' free memory counts theirs.
   */
  async startRealtime(): Promise<void> {
    const jobIds = await ourJobs(this.es, this.namespace);
    const planned = this.state.waves?.flat() ?? [];
    if (!this.state.waves || planned.length !== jobIds.length || jobIds.some((j) => !planned.includes(j))) {
      await stopRealtime(this.es, jobIds);
      const { waves, memory } = await liveWaves(this.es, jobIds);
      this.state.waves = waves;
      this.state.memory = memory;
      if (memory) this.log(memory);
    }
    const waves = this.state.waves!;
    this.state.wave = processedIncidents(this.state) % waves.length;
    await startRealtime(this.es, waves[this.state.wave], this.log);
    this.log(
      `Live: ${waves[this.state.wave].length} jobs in real time${waves.length > 1 ? ` (wave ${this.state.wave + 1} of ${waves.length})` : ''}; a new incident every ${this.state.incidentEveryMs / 3_600_000} h.`,
    );
    await this.save();
  }

  /** Stops every datafeed of the demo and closes its jobs: the ML memory is free again. */
  async stopRealtime(): Promise<void> {
    await stopRealtime(this.es, await ourJobs(this.es, this.namespace));
  }

  /** After an incident has been processed, its wave makes room for the next incident's. */
  private async rotateWaves(): Promise<void> {
    const waves = this.state.waves;
    if (!waves || waves.length < 2) return;
    const next = processedIncidents(this.state) % waves.length;
    const current = this.state.wave ?? 0;
    if (next === current) return;
    await stopRealtime(this.es, waves[current]);
    await startRealtime(this.es, waves[next], this.log);
    this.state.wave = next;
    this.log(`Live: wave ${current + 1} closed, wave ${next + 1} of ${waves.length} (${waves[next].length} jobs) in real time for the next incident.`);
  }

  /** The setup and incidents 1 … round − 1, as the data holds them (plans are values: built again). */
  private earlierPlans(round: number, now: number): EarlierPlan[] {
    const out: EarlierPlan[] = [{ plan: this.basePlan, from: -Infinity }];
    for (let r = 1; r < round; r++)
      out.push({
        plan: this.pending.find((p) => p.state.round === r)?.plan ?? incidentPlan(this.state, r, now),
        from: plannedFrom(this.state, r, this.lead),
      });
    return out;
  }

  /**
   * Everything due by `now`: incidents planned a lead ahead, documents whose time has passed sent,
   * finished windows recorded (and the waves rotated). Returns when nothing more is due.
   */
  async advance(now: number, o: AdvanceOptions = {}): Promise<void> {
    const { state } = this;
    const baseEnd = Date.parse(state.options.end);
    for (;;) {
      if (o.signal?.aborted) return;
      if (o.until !== undefined && state.indexedUntil >= o.until) return;
      const from = state.indexedUntil;
      if (now < from) return;
      // Plan the incidents whose anomalies could fall in this window or the next.
      for (let round = state.incidents.length + 1; baseEnd + round * state.incidentEveryMs - this.lead <= from + TICK; round = state.incidents.length + 1) {
        const plan = incidentPlan(state, round, now);
        const inc = describeIncident(plan, round, this.log, this.earlierPlans(round, now));
        inc.skipped = plan.modules.reduce((n, m) => n + m.injections.filter((e) => e.ts < from).length, 0);
        if (state.waves && state.waves.length > 1) inc.wave = (round - 1) % state.waves.length;
        state.incidents.push(inc);
        this.pending.push({ plan, state: inc });
        this.window = undefined; // a window made before this incident was planned would miss it
        await this.save();
      }
      if (this.window?.from !== from) {
        const docs = windowDocs(this.basePlan, from, this.fp, this.pending);
        // Every document up to releasedUntil was sent by an earlier call (possibly another process).
        const released = state.releasedUntil;
        let sent = 0;
        if (released !== undefined) while (sent < docs.length && docs[sent].ts <= released) sent++;
        this.window = { from, docs, sent };
      }
      const window = this.window;
      // Release what is due (all of it when the window is over: catching up after a stop).
      let due = window.sent;
      while (due < window.docs.length && window.docs[due].ts <= now) due++;
      if (due > window.sent) {
        const batch = window.docs.slice(window.sent, due);
        const n = await bulkSend(this.es, batch, o.signal);
        for (const d of batch) if (d.incident) d.incident.injected++;
        state.docs += n;
        window.sent = due;
      }
      if (now >= from + TICK && window.sent === window.docs.length) {
        state.indexedUntil = from + TICK;
        state.releasedUntil = undefined;
        this.window = undefined;
        for (let i = this.pending.length - 1; i >= 0; i--) if (Date.parse(this.pending[i].state.end) <= state.indexedUntil) this.pending.splice(i, 1);
        await this.rotateWaves();
        await this.save();
        o.onWindow?.(state);
        continue;
      }
      state.releasedUntil = Math.max(from, Math.min(now, from + TICK));
      if (o.saveProgress) await this.save();
      return;
    }
  }
}

export async function runLive(deps: InstallDeps, options: LiveOptions): Promise<LiveResult> {
  const { es } = deps;
  const clock = options.clock ?? realClock;
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  const namespace = options.install.namespace ?? 'default';
  const flushMs = options.flushMs ?? 10_000;

  let setup: RunProgress | undefined;
  let base: LiveState['options'] | undefined;
  if (!(await readTemplateMeta(es, namespace))?.live) {
    // The ordinary setup first, ending now; its options are the base plan's from then on.
    const end = iso(floorTo(clock.now(), TICK));
    setup = await runInstall(deps, { ...options.install, end }, options.onSetupProgress ?? (() => undefined), signal);
    options.onSetupDone?.(setup);
    const { documents: _d, ...rest } = options.install;
    if (setup.state !== 'succeeded')
      return {
        state: { options: { ...rest, end }, incidentEveryMs: options.incidentEveryMs, indexedUntil: Date.parse(end), docs: 0, incidents: [] },
        setup,
        stopped: 'cancelled',
      };
    // The setup's own decision about the timeline (run.ts keepsTimeline), so the base plan is the one it indexed.
    const kibanaVersion = rest.timeline && deps.kibana ? await deps.kibana.version() : undefined;
    const timeline = keepsTimeline(rest, deps.kibana && { version: kibanaVersion, runRules: Boolean(deps.kibana.runRules) });
    base = { ...rest, end, timeline, variant: rest.variant ?? (setup.jobs[0]?.jobId.endsWith('_ea') ? 'ea' : 'classic') };
  }
  const session = await LiveSession.open(es, { namespace, incidentEveryMs: options.incidentEveryMs, base, now: clock.now(), log });
  const { state } = session;
  let stopped: LiveResult['stopped'] = 'cancelled';
  try {
    await session.startRealtime();
    for (;;) {
      await session.advance(clock.now(), { signal, until: options.until, onWindow: options.onWindow });
      if (signal?.aborted) break;
      if (options.until !== undefined && state.indexedUntil >= options.until) {
        stopped = 'until';
        break;
      }
      const from = state.indexedUntil;
      const now = clock.now();
      await clock.sleep(now < from ? Math.min(flushMs, from - now) : flushMs, signal);
    }
  } finally {
    // Stops cleanly: what was sent is recorded; the datafeeds stop and the jobs close (resumed by the next `live`).
    await session.save().catch(() => undefined);
    await session.stopRealtime().catch(() => undefined);
    log(
      `Live stopped (${stopped === 'until' ? 'reached the requested end' : 'cancelled'}): documents indexed up to ${iso(state.indexedUntil)}, ${state.docs} live documents, ${state.incidents.length} incidents. Run "ml-demo-data live" again to resume, or "ml-demo-data cleanup --namespace ${namespace}" to remove it all.`,
    );
  }
  return { state, setup, stopped };
}
