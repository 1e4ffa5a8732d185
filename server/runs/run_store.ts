/**
 * Where run progress outlives the browser tab and the Kibana process: one document per run in
 * the hidden index `ml-demo-data-runs` (id = runId), written and read with the request-scoped
 * client, so only users allowed to use that index see or write runs.
 */
import type { RunProgress, RunState } from '../../common/api';
import type { EsClient } from '../installers/types';

export const RUNS_INDEX = 'ml-demo-data-runs';

export interface StoredRun {
  runId: string;
  space: string;
  state: RunState;
  startedAt: string;
  updatedAt: string;
  /** Last time the owning Kibana process wrote this run (it writes while the run is active). */
  heartbeatAt: string;
  /** Which Kibana process runs it (random per process). */
  owner: string;
  /** Background runs: how many times a Kibana started executing it (> 1: resumed after a restart). */
  executions?: number;
  progress: RunProgress;
}

export interface RunStore {
  save(doc: StoredRun, refresh: boolean): Promise<void>;
  get(runId: string): Promise<StoredRun | undefined>;
  /** The space's most recently started runs, newest first. */
  recent(space: string, size: number, state?: RunState): Promise<StoredRun[]>;
}

// The progress object is kept whole but not indexed: its job scopes have arbitrary keys.
const MAPPINGS = {
  dynamic: 'false',
  properties: {
    runId: { type: 'keyword' },
    space: { type: 'keyword' },
    state: { type: 'keyword' },
    owner: { type: 'keyword' },
    executions: { type: 'integer' },
    startedAt: { type: 'date' },
    updatedAt: { type: 'date' },
    heartbeatAt: { type: 'date' },
    progress: { type: 'object', enabled: false },
  },
} as const;

const statusOf = (e: unknown) => (e as { meta?: { statusCode?: number } }).meta?.statusCode;
const typeOf = (e: unknown) => (e as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;

export class EsRunStore implements RunStore {
  private indexChecked = false;

  constructor(private readonly es: EsClient) {}

  /** Creates the index with its mappings once; someone else having created it is fine. */
  private async ensureIndex(): Promise<void> {
    if (this.indexChecked) return;
    try {
      await this.es.indices.create({ index: RUNS_INDEX, settings: { index: { hidden: true, number_of_shards: 1, auto_expand_replicas: '0-1' } }, mappings: MAPPINGS });
    } catch (error) {
      if (typeOf(error) !== 'resource_already_exists_exception') throw error;
    }
    this.indexChecked = true;
  }

  async save(doc: StoredRun, refresh: boolean): Promise<void> {
    await this.ensureIndex();
    await this.es.index({ index: RUNS_INDEX, id: doc.runId, document: doc, refresh: refresh ? 'wait_for' : false });
  }

  async get(runId: string): Promise<StoredRun | undefined> {
    try {
      const res = await this.es.get<StoredRun>({ index: RUNS_INDEX, id: runId });
      return res.found ? res._source : undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async recent(space: string, size: number, state?: RunState): Promise<StoredRun[]> {
    const filter: Record<string, unknown>[] = [{ term: { space } }];
    if (state) filter.push({ term: { state } });
    const res = await this.es.search<StoredRun>({
      index: RUNS_INDEX,
      ignore_unavailable: true,
      size,
      query: { bool: { filter } },
      sort: [{ startedAt: { order: 'desc', unmapped_type: 'date' } }],
    });
    return res.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
  }
}
