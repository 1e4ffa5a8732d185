/**
 * Runs per Kibana space: at most one active run per space, progress in memory for the polls and
 * in Elasticsearch (run_store.ts) for page reloads, other Kibana instances and restarts.
 *
 * A run stored as 'running' whose owner has stopped writing heartbeats (Kibana restarted or
 * crashed) is reported as 'interrupted', with what it created and how to remove it. A fresh
 * heartbeat from another process means another Kibana instance runs it: it is left alone.
 *
 * Inside Kibana a run is a Task Manager task (server/runs/run_task.ts): the route `submit`s it
 * (preflight as the user, a stored 'running' document, the task scheduled with the user's
 * credentials) and whichever Kibana claims the task `execute`s it. While the task exists, a run
 * without heartbeats is waiting for Task Manager (to start it, or to retry it after a restart),
 * not interrupted. `start` does both in this process (tests, hosts without Task Manager).
 */
import { randomUUID } from 'node:crypto';
import type { RunProgress, StartRunRequest } from '../../common/api';
import { InstallError, toInstallError } from '../installers/errors';
import { cleanupHintFor, runInstall as defaultRunInstall } from '../installers/run';
import type { EsClient, InstallDeps, InstallOptions, ProgressListener } from '../installers/types';
import type { Logger } from '../kibana_shim';
import { ProgressWriter } from './progress_writer';
import { EsRunStore, type RunStore, type StoredRun } from './run_store';

export type RunInstallFn = (deps: InstallDeps, options: InstallOptions, onProgress: ProgressListener, signal?: AbortSignal) => Promise<RunProgress>;

export interface RunManagerOptions {
  logger: Logger;
  runInstall?: RunInstallFn;
  storeFor?: (es: EsClient) => RunStore;
  /** Merged under every run's options (tests: short poll intervals). */
  installDefaults?: Partial<InstallOptions>;
  /** At most one progress write per run in this interval (default 2 s). */
  persistEveryMs?: number;
  /** Heartbeat write interval of an active run (default 5 s). */
  heartbeatMs?: number;
  /** A 'running' run without a heartbeat for this long is interrupted (default 30 s). */
  staleAfterMs?: number;
  /** How long a start waits for the preflight before answering anyway (default 20 s). */
  preflightWaitMs?: number;
  now?: () => number;
  /**
   * Whether the background task of a run still exists (queued, running, or due for a retry after a
   * restart); undefined when unknown. Runs whose task is alive are never reported interrupted.
   */
  taskAlive?: (runId: string) => Promise<boolean | undefined>;
}

export interface SubmitArgs {
  space: string;
  request: StartRunRequest;
  options: InstallOptions;
  /** The request-scoped client: conflict checks and the queued run's document. */
  es: EsClient;
  notices?: string[];
  /** Checks stack, licence and the user's privileges as the user; throws an InstallError to refuse. */
  preflight(): Promise<unknown>;
  /** Hands the run to the background (Task Manager, with the user's credentials). */
  schedule(runId: string): Promise<void>;
}

export interface ExecuteArgs {
  runId: string;
  space: string;
  request: StartRunRequest;
  options: InstallOptions;
  /** es: acting for the user who started the run (the task's API key). */
  deps: InstallDeps;
  notices?: string[];
  /** Task Manager's cancel (timeout, shutdown): the run stops after its current step. */
  signal?: AbortSignal;
  /**
   * Task Manager's `attempts` for this run of the task: above 1, an earlier Kibana ran it and
   * stopped, even when that Kibana died before it could record its execution in the run's record.
   */
  attempt?: number;
}

export interface StartArgs {
  space: string;
  request: StartRunRequest;
  options: InstallOptions;
  /** es must be the request-scoped client (asCurrentUser). */
  deps: InstallDeps;
  /** Said on the run's page, e.g. that rules are skipped. */
  notices?: string[];
}

export type StartOutcome =
  | { kind: 'started'; runId: string; progress: RunProgress }
  /** `space`: the space has an active run; `namespace`: another space's run writes that namespace. */
  | { kind: 'conflict'; runId: string; scope: 'space' | 'namespace' }
  /** The preflight refused (privileges, licence, ML, options): the route answers with its status. */
  | { kind: 'rejected'; runId: string; error: unknown };

export type CancelOutcome =
  | { kind: 'cancelling' | 'finished' | 'elsewhere'; progress: RunProgress }
  | { kind: 'not_found' };

interface Run {
  progress: RunProgress;
  namespace: string;
  notices: string[];
  controller: AbortController;
  writer: ProgressWriter;
  active: boolean;
  heartbeat?: NodeJS.Timeout;
  settled: Promise<void>;
  storeFailed: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const unique = (xs: string[]) => [...new Set(xs)];
const KEEP_FINISHED = 20;

export class RunManager {
  /** Identifies this Kibana process in stored runs. */
  readonly owner = randomUUID();
  private readonly runs = new Map<string, Run>();
  private readonly activeBySpace = new Map<string, string>();
  private readonly activeByNamespace = new Map<string, string>();
  /** Runs submitted here whose task has not started executing here (yet). */
  private readonly submitted = new Map<string, { space: string; namespace: string }>();
  private readonly log: Logger;
  private readonly runInstall: RunInstallFn;
  private readonly storeFor: (es: EsClient) => RunStore;
  private readonly now: () => number;
  private readonly o: Required<Pick<RunManagerOptions, 'persistEveryMs' | 'heartbeatMs' | 'staleAfterMs' | 'preflightWaitMs'>>;

  constructor(private readonly options: RunManagerOptions) {
    this.log = options.logger;
    this.runInstall = options.runInstall ?? defaultRunInstall;
    this.storeFor = options.storeFor ?? ((es) => new EsRunStore(es));
    this.now = options.now ?? Date.now;
    this.o = {
      persistEveryMs: options.persistEveryMs ?? 2000,
      heartbeatMs: options.heartbeatMs ?? 5000,
      staleAfterMs: options.staleAfterMs ?? 30_000,
      preflightWaitMs: options.preflightWaitMs ?? 20_000,
    };
  }

  /** The run active in this process for the space, if any. */
  activeRun(space: string): RunProgress | undefined {
    const id = this.activeBySpace.get(space);
    return id ? this.runs.get(id)?.progress : undefined;
  }

  /** The active run writing a namespace, in any space: data streams and jobs are cluster-wide. */
  activeRunForNamespace(namespace: string): RunProgress | undefined {
    const id = this.activeByNamespace.get(namespace);
    return id ? this.runs.get(id)?.progress : undefined;
  }

  /** Reserves the space and namespace for a new run id, or says which run holds them. */
  private async reserve(space: string, namespace: string, store: RunStore): Promise<{ runId: string } | Extract<StartOutcome, { kind: 'conflict' }>> {
    // A submitted run another Kibana executes (or whose task is gone) no longer holds this one's reservation.
    for (const id of new Set([this.activeBySpace.get(space), this.activeByNamespace.get(namespace)])) {
      const pending = id ? this.submitted.get(id) : undefined;
      if (id && pending && !this.runs.has(id) && (await this.options.taskAlive?.(id).catch(() => undefined)) === false) this.release(pending.space, pending.namespace, id);
    }
    const busy = this.activeBySpace.get(space);
    if (busy) return { kind: 'conflict', runId: busy, scope: 'space' };
    const writer = this.activeByNamespace.get(namespace);
    if (writer) return { kind: 'conflict', runId: writer, scope: 'namespace' };
    const runId = randomUUID();
    // Reserved before the first await, so a concurrent start gets the 409.
    this.activeBySpace.set(space, runId);
    this.activeByNamespace.set(namespace, runId);
    const elsewhere = await this.runningElsewhere(store, space).catch((error) => {
      this.log.debug(`ml-demo-data: cannot read stored runs: ${(error as Error).message}`);
      return undefined;
    });
    if (elsewhere) {
      this.release(space, namespace, runId);
      return { kind: 'conflict', runId: elsewhere, scope: 'space' };
    }
    return { runId };
  }

  private initialProgress(runId: string, space: string, request: StartRunRequest, notices: string[]): RunProgress {
    const started = iso(this.now());
    return {
      runId, space, state: 'running', phase: 'preflight', startedAt: started, updatedAt: started, request,
      docs: { planned: 0, generated: 0, indexed: 0, failed: 0 }, dataStreams: [], jobs: [], rules: [], notices: [...notices], errors: [],
      created: { dataStreams: [], indexTemplates: [], jobs: [], datafeeds: [], rules: [] },
    };
  }

  /**
   * Route side of a background run: preflight as the user (a refusal is the request's 4xx), the
   * run stored as 'running' (so other requests and Kibana instances see it at once), then handed
   * to `schedule`. This process keeps the space and namespace reserved until the run ends here,
   * or until its task is found gone (another Kibana ran it); other Kibana instances see the
   * stored run.
   */
  async submit(args: SubmitArgs): Promise<StartOutcome> {
    const { space } = args;
    const namespace = args.options.namespace ?? 'default';
    const store = this.storeFor(args.es);
    const reserved = await this.reserve(space, namespace, store);
    if ('kind' in reserved) return reserved;
    const { runId } = reserved;
    let keep = false;
    try {
      try {
        await args.preflight();
      } catch (error) {
        return { kind: 'rejected', runId, error };
      }
      const progress = this.initialProgress(runId, space, args.request, args.notices ?? []);
      let stored = true;
      await store.save({ ...this.stored(progress), executions: 0 }, true).catch((error) => {
        stored = false;
        this.log.warn(`ml-demo-data: ${toInstallError(error, 'Saving run progress').message}`);
      });
      try {
        await args.schedule(runId);
      } catch (error) {
        const e = toInstallError(error, 'Scheduling the run with Task Manager');
        if (stored) await store.save(this.stored({ ...progress, state: 'failed', errors: [e.message], updatedAt: iso(this.now()) }), true).catch(() => undefined);
        return { kind: 'rejected', runId, error: e };
      }
      keep = true;
      if (!this.runs.has(runId)) this.submitted.set(runId, { space, namespace });
      return { kind: 'started', runId, progress };
    } finally {
      if (!keep) this.release(space, namespace, runId);
    }
  }

  /**
   * Task side: runs the submitted run in this process and resolves with its final state. When the
   * stored run already went through an execution (Kibana stopped mid-run and Task Manager retries
   * the task), it is resumed: the installer keeps what exists (same plan fingerprint) and goes on.
   * A run that already ended (e.g. cancelled meanwhile) is not run again.
   */
  async execute(args: ExecuteArgs): Promise<RunProgress> {
    const store = this.storeFor(args.deps.es);
    const previous = await store.get(args.runId).catch(() => undefined);
    const namespace = args.options.namespace ?? 'default';
    if (previous && previous.progress.state !== 'running') {
      this.release(args.space, namespace, args.runId);
      return previous.progress;
    }
    const executions = Math.max((previous?.executions ?? 0) + 1, args.attempt ?? 1);
    const notices = [...(args.notices ?? [])];
    if (previous && executions > 1) {
      notices.push(`Kibana stopped during this run (last sign of life ${previous.heartbeatAt}); Task Manager resumed it. What was already indexed and created is kept.`);
    }
    this.submitted.delete(args.runId);
    const busy = this.activeBySpace.get(args.space) ?? this.activeByNamespace.get(namespace);
    if (busy && busy !== args.runId) throw new InstallError(`Run ${busy} is active in this Kibana for the same space or namespace.`, 409, 'conflict');
    this.activeBySpace.set(args.space, args.runId);
    this.activeByNamespace.set(namespace, args.runId);
    const run = this.launch(args.runId, { space: args.space, request: args.request, options: args.options, deps: args.deps, notices }, store, {
      startedAt: previous?.startedAt,
      executions,
    });
    if (args.signal?.aborted) run.controller.abort();
    args.signal?.addEventListener('abort', () => run.controller.abort());
    await run.settled;
    return run.progress;
  }

  async start(args: StartArgs): Promise<StartOutcome> {
    const { space } = args;
    const namespace = args.options.namespace ?? 'default';
    const store = this.storeFor(args.deps.es);
    const reserved = await this.reserve(space, namespace, store);
    if ('kind' in reserved) return reserved;
    const { runId } = reserved;
    const { run, preflightPassed, rejection } = this.launchWithPreflight(runId, args, store);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.o.preflightWaitMs)));
    await Promise.race([preflightPassed, run.settled, timeout]);
    clearTimeout(timer);
    const refused = rejection();
    if (refused !== undefined) return { kind: 'rejected', runId, error: refused };
    return { kind: 'started', runId, progress: run.progress };
  }

  private launch(runId: string, args: StartArgs, store: RunStore, resume: { startedAt?: string; executions?: number } = {}): Run {
    return this.launchWithPreflight(runId, args, store, resume).run;
  }

  private launchWithPreflight(runId: string, args: StartArgs, store: RunStore, resume: { startedAt?: string; executions?: number } = {}) {
    const { space } = args;
    const namespace = args.options.namespace ?? 'default';
    const initial = this.initialProgress(runId, space, args.request, args.notices ?? []);
    if (resume.startedAt) initial.startedAt = resume.startedAt;
    const run: Run = {
      namespace,
      notices: [...(args.notices ?? [])],
      controller: new AbortController(),
      active: true,
      storeFailed: false,
      settled: Promise.resolve(),
      progress: initial,
      writer: undefined as unknown as ProgressWriter,
    };
    const executions = resume.executions;
    run.writer = new ProgressWriter((p, refresh) => store.save({ ...this.stored(p), ...(executions ? { executions } : {}) }, refresh), this.o.persistEveryMs, (e) => this.storeFailure(run, e), this.now);
    this.runs.set(runId, run);
    run.writer.save(run.progress, true);
    run.heartbeat = setInterval(() => run.writer.save(run.progress), this.o.heartbeatMs);
    run.heartbeat.unref?.();

    let passed = false;
    let rejection: unknown;
    let onPassed: () => void = () => undefined;
    const preflightPassed = new Promise<'passed'>((resolve) => (onPassed = () => resolve('passed')));
    const onProgress: ProgressListener = (p) => {
      if (!run.active) return;
      const stateChanged = p.state !== run.progress.state;
      run.progress = this.merge(run, p);
      run.writer.save(run.progress, stateChanged);
      if (p.phase !== 'preflight' && !passed) {
        passed = true;
        onPassed();
      }
    };
    const options: InstallOptions = { ...this.options.installDefaults, ...args.options, runId };
    // new Promise: an installer that throws synchronously still ends the run (and frees the space).
    run.settled = new Promise<RunProgress>((resolve) => resolve(this.runInstall({ ...args.deps, space }, options, onProgress, run.controller.signal)))
      .then((final) => this.finish(run, this.merge(run, final)))
      .catch((error: unknown) => {
        if (!passed) rejection = error;
        return this.finish(run, this.failed(run, error));
      });

    return { run, preflightPassed, rejection: () => rejection };
  }

  /** A run of the space: from this process, else from the store (throws when the store fails). */
  async get(runId: string, space: string, es: EsClient): Promise<RunProgress | undefined> {
    const local = this.runs.get(runId);
    if (local) return local.progress.space === space ? local.progress : undefined;
    const store = this.storeFor(es);
    const doc = await store.get(runId);
    return doc && doc.space === space ? this.reconcile(doc, store) : undefined;
  }

  /** The space's most recently started run (this process or stored), or undefined; none once cleaned up. */
  async latest(space: string, es: EsClient): Promise<RunProgress | undefined> {
    const run = await this.latestIncludingCleaned(space, es);
    return run?.cleanedUpAt ? undefined : run;
  }

  /** After a cleanup the space's finished run of that namespace describes nothing that exists. */
  async markCleaned(space: string, namespace: string, es: EsClient): Promise<void> {
    const run = await this.latestIncludingCleaned(space, es).catch(() => undefined);
    if (!run || run.state === 'running' || (run.request.namespace ?? 'default') !== namespace) return;
    run.cleanedUpAt = new Date().toISOString();
    const local = this.runs.get(run.runId);
    if (local) local.progress.cleanedUpAt = run.cleanedUpAt;
    await this.storeFor(es).save(this.stored(run), true).catch((error) => this.log.debug(`ml-demo-data: cannot mark run cleaned: ${(error as Error).message}`));
  }

  private async latestIncludingCleaned(space: string, es: EsClient): Promise<RunProgress | undefined> {
    const active = this.activeRun(space);
    if (active) return active;
    const local = [...this.runs.values()].map((r) => r.progress).filter((p) => p.space === space).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    const store = this.storeFor(es);
    // A page load should not fail because the runs index is unreadable: answer from memory then.
    const [hit] = await store.recent(space, 1).catch((error) => {
      this.log.debug(`ml-demo-data: cannot read stored runs: ${(error as Error).message}`);
      return [] as StoredRun[];
    });
    if (!hit || (local && local.startedAt >= hit.startedAt)) return local;
    // The search may lag a throttled write; the document itself is current.
    const doc = (await store.get(hit.runId).catch(() => undefined)) ?? hit;
    return this.reconcile(doc, store);
  }

  async cancel(runId: string, space: string, es: EsClient): Promise<CancelOutcome> {
    const run = this.runs.get(runId);
    if (run && run.progress.space === space) {
      if (!run.active) return { kind: 'finished', progress: run.progress };
      if (!run.controller.signal.aborted) {
        run.controller.abort();
        run.notices.push('Cancellation requested: the run stops after its current step.');
        run.progress = this.merge(run, run.progress);
        run.writer.save(run.progress, true);
      }
      return { kind: 'cancelling', progress: run.progress };
    }
    const progress = await this.get(runId, space, es);
    if (!progress) return { kind: 'not_found' };
    return { kind: progress.state === 'running' ? 'elsewhere' : 'finished', progress };
  }

  /** Resolves when the run has ended and its last state is written (tests, shutdown). */
  async whenSettled(runId: string): Promise<RunProgress | undefined> {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    await run.settled;
    return run.progress;
  }

  /** Kibana is stopping: cancel active runs (their last write may or may not make it). */
  stop(): void {
    for (const run of this.runs.values()) {
      if (run.heartbeat) clearInterval(run.heartbeat);
      if (run.active) run.controller.abort();
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private stored(progress: RunProgress): StoredRun {
    const { runId, space, state, startedAt, updatedAt } = progress;
    return { runId, space, state, startedAt, updatedAt, heartbeatAt: iso(this.now()), owner: this.owner, progress };
  }

  /** The installer's report, with the manager's identity of the run and its own notices. */
  private merge(run: Run, p: RunProgress): RunProgress {
    const { runId, space, request, startedAt } = run.progress;
    const ended = p.state === 'failed' || p.state === 'cancelled' || p.state === 'interrupted';
    return {
      ...p, runId, space, request, startedAt,
      notices: unique([...run.notices, ...p.notices]),
      cleanupHint: p.cleanupHint ?? (ended ? cleanupHintFor(run.namespace) : undefined),
    };
  }

  private failed(run: Run, error: unknown): RunProgress {
    if (!(error instanceof InstallError)) this.log.error(`ml-demo-data: run ${run.progress.runId} failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
    const e = toInstallError(error, 'The run');
    const cancelled = run.controller.signal.aborted || e.reason === 'cancelled';
    const p = run.progress;
    return this.merge(run, { ...p, state: cancelled ? 'cancelled' : 'failed', updatedAt: iso(this.now()), errors: unique([...p.errors, e.message]) });
  }

  private async finish(run: Run, final: RunProgress): Promise<void> {
    run.active = false;
    if (run.heartbeat) clearInterval(run.heartbeat);
    run.progress = final.state === 'running' ? { ...final, state: 'failed', errors: [...final.errors, 'The installer ended without a final state.'] } : final;
    this.release(final.space, run.namespace, final.runId);
    run.writer.save(run.progress, true);
    await run.writer.flush();
    const finished = [...this.runs.entries()].filter(([, r]) => !r.active);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.runs.delete(id);
  }

  private release(space: string, namespace: string, runId: string): void {
    this.submitted.delete(runId);
    if (this.activeBySpace.get(space) === runId) this.activeBySpace.delete(space);
    if (this.activeByNamespace.get(namespace) === runId) this.activeByNamespace.delete(namespace);
  }

  private storeFailure(run: Run, error: unknown): void {
    if (run.storeFailed) return;
    run.storeFailed = true;
    const reason = toInstallError(error, 'Saving run progress').message;
    this.log.warn(`ml-demo-data: ${reason}`);
    run.notices.push(`Progress is not saved in Elasticsearch (${reason}); it is lost if Kibana restarts.`);
    run.progress = this.merge(run, run.progress);
  }

  /** A run another live Kibana instance is doing in this space; stale ones become interrupted. */
  private async runningElsewhere(store: RunStore, space: string): Promise<string | undefined> {
    for (const doc of await store.recent(space, 5, 'running')) {
      if (this.runs.has(doc.runId)) continue; // ours: memory is authoritative
      const progress = await this.reconcile(doc, store);
      if (progress.state === 'running') return doc.runId;
    }
    return undefined;
  }

  private async reconcile(doc: StoredRun, store: RunStore): Promise<RunProgress> {
    const local = this.runs.get(doc.runId);
    if (local) return local.progress;
    if (doc.progress.state !== 'running') return doc.progress;
    const heartbeat = Date.parse(doc.heartbeatAt);
    const stale = doc.owner === this.owner || !(this.now() - heartbeat <= this.o.staleAfterMs);
    if (!stale) return doc.progress;
    // Queued, or its Kibana stopped and Task Manager will retry it: not over yet.
    const alive = await this.options.taskAlive?.(doc.runId).catch(() => undefined);
    if (alive) return doc.progress;
    const p = doc.progress;
    const interrupted: RunProgress = {
      ...p, state: 'interrupted', updatedAt: iso(this.now()),
      errors: unique([...p.errors, `Kibana stopped while this run was in progress (last sign of life ${doc.heartbeatAt}); it did not finish.`]),
      cleanupHint: p.cleanupHint ?? cleanupHintFor(p.request.namespace ?? 'default'),
    };
    await store.save(this.stored(interrupted), true).catch((e) => this.log.debug(`ml-demo-data: cannot mark run ${doc.runId} interrupted: ${(e as Error).message}`));
    return interrupted;
  }
}
