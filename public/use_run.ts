/**
 * The space's current run: loaded on mount (GET latest run, so progress survives a page reload),
 * polled every POLL_MS while it is running, replaced when the user starts or attaches to a run.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunProgress } from '../common/api';
import { toApiError, type ApiClient, type ApiError } from './api';

export const POLL_MS = 1500;
/** After this many failed polls in a row the page says it lost contact (it keeps trying). */
const FAILURES_BEFORE_WARNING = 2;

export interface RunState {
  run: RunProgress | null;
  /** The first load of the latest run is under way. */
  loading: boolean;
  /** Loading the latest run failed. */
  loadError?: ApiError;
  /** Polling is failing (the last error); cleared by the next good poll. */
  pollError?: ApiError;
  setRun(run: RunProgress | null): void;
  attach(runId?: string): Promise<void>;
  reload(): Promise<void>;
}

export function useRun(api: ApiClient, pollMs = POLL_MS): RunState {
  const [run, setRunState] = useState<RunProgress | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<ApiError>();
  const [pollError, setPollError] = useState<ApiError>();
  const failures = useRef(0);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const setRun = useCallback((next: RunProgress | null) => {
    failures.current = 0;
    setPollError(undefined);
    setRunState(next);
  }, []);

  const reload = useCallback(async () => {
    try {
      const latest = await api.getLatestRun();
      if (!mounted.current) return;
      setLoadError(undefined);
      setRun(latest);
    } catch (e) {
      if (mounted.current) setLoadError(toApiError(e));
    } finally {
      if (mounted.current) setLoading(false);
    }
  }, [api, setRun]);

  const attach = useCallback(
    async (runId?: string) => {
      if (!runId) return reload();
      try {
        const next = await api.getRun(runId);
        if (mounted.current) setRun(next);
      } catch (e) {
        if (mounted.current) setLoadError(toApiError(e));
      }
    },
    [api, reload, setRun],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  const runId = run?.runId;
  const running = run?.state === 'running';
  useEffect(() => {
    if (!runId || !running) return;
    const timer = setTimeout(async () => {
      try {
        const next = await api.getRun(runId);
        if (!mounted.current) return;
        failures.current = 0;
        setPollError(undefined);
        setRunState(next);
      } catch (e) {
        if (!mounted.current) return;
        failures.current += 1;
        const error = toApiError(e);
        if (failures.current >= FAILURES_BEFORE_WARNING || error.kind === 'not_found') setPollError(error);
        // The run is gone (e.g. its record was removed): stop. Otherwise poll again (a new object re-arms this effect).
        if (error.kind !== 'not_found') setRunState((r) => (r ? { ...r } : r));
      }
    }, pollMs);
    return () => clearTimeout(timer);
  }, [api, runId, running, pollMs, run]);

  return { run, loading, loadError, pollError, setRun, attach, reload };
}
