/**
 * Contract-validated stand-in for Elasticsearch + Kibana (see README.md beside this file).
 *
 *   const standin = await startStandin();
 *   const client = new Client({ node: standin.esUrl, auth: { apiKey: 'x' } });
 *   ...
 *   expect(standin.violations).toEqual([]);
 *   await standin.close();
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bulkRoutes } from './bulk';
import { BUILTIN_LOGS_TEMPLATE, esRoutes, resolveTargets } from './es_routes';
import { Faults } from './faults';
import { kibanaMlRoutes, type CatalogueLike } from './kibana_ml';
import { kibanaGate, kibanaRoutes } from './kibana_routes';
import { mlRoutes } from './ml_routes';
import { ingestRoutes } from './ingest';
import { MlNode, parseBytes } from './ml_node';
import { MlSim, type LatestMode } from './ml_sim';
import { startServer, type Credentials, type Shared } from './server';
import { newState, SUPERUSER, type PrivilegeSet, type RequestLogEntry, type StandinState, type Violation } from './state';

export type { Violation, PrivilegeSet, StandinState, RequestLogEntry, Credentials };
export { Faults } from './faults';
export type { RouteMatcher } from './faults';
export { getContract } from './contracts';

export interface StandinOptions {
  /** `GET /` version.number (default '9.1.0'). */
  esVersion?: string;
  /** `GET /api/status` version.number (default '9.1.0'). */
  kibanaVersion?: string;
  /** 'basic' makes every anomaly-detection API answer 403 "current license is non-compliant for [ml]". */
  license?: 'trial' | 'basic';
  /** false: ML routes answer 400 "no handler found" like a cluster with xpack.ml.enabled: false. */
  mlEnabled?: boolean;
  /** The authenticated user's privileges (default: superuser). Drives `_has_privileges` and 403s. */
  privileges?: Partial<PrivilegeSet>;
  /** Accepted credentials (default: any `ApiKey x` / `Basic` header; none -> 401). */
  credentials?: Credentials;
  /** Module/job/rule definitions (default: common/catalogue/catalogue.json). */
  catalogue?: unknown;
  /** Which job ids module setup installs (default: 'ea' when kibanaVersion >= 9.4, else 'classic'). */
  moduleVariant?: 'classic' | 'ea';
  /** Documents kept per data stream for inspection (default 10000; counts and timestamps are always kept). */
  keepDocs?: number;
  /** latest_record_timestamp after a datafeed run: its `end` (default) or the last document seen. */
  latestRecordTimestamp?: LatestMode;
  /** Close the job when a datafeed started with `end` finishes, as Elasticsearch does (default true). */
  autoCloseJobs?: boolean;
  /** How long a datafeed takes to reach `end` (default 0: done when `_start` returns). */
  datafeedRunMs?: number;
  /**
   * ML native memory of the one simulated ML node (`'1gb'`, bytes as a number; 0: no ML node).
   * When given, `_open` refuses a job that does not fit, as Elasticsearch does without lazy open.
   * Default: a 64 GB node that never refuses.
   */
  mlNodeMemory?: string | number;
}

export interface Standin {
  esUrl: string;
  kibanaUrl: string;
  state: StandinState;
  /** Every request a contract (or a hand check) rejected. Tests should expect this to be empty. */
  violations: Violation[];
  faults: Faults;
  /** The simulated ML node (peak memory and open jobs, for sizing tests). */
  mlNode: MlNode;
  requests: RequestLogEntry[];
  /** Requests for operations that exist in a contract but the stand-in does not implement (answered 501). */
  unhandled: Shared['unhandled'];
  /** The user's privileges; mutable between requests. */
  privileges: PrivilegeSet;
  /** Anomaly records `results/records` will return for this job (fields not given get realistic defaults). */
  preloadRecords(jobId: string, records: Record<string, unknown>[]): void;
  /** Documents in the data streams / indices matching an index expression (default all). */
  docCount(expr?: string): number;
  /** Throws with every violation listed when there is any. */
  assertNoViolations(): void;
  close(): Promise<void>;
}

const DEFAULT_CATALOGUE = path.resolve(__dirname, '../../common/catalogue/catalogue.json');

function versionAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

function prebuiltRules(cat: CatalogueLike, kibanaVersion: string): Record<string, unknown>[] {
  return (cat.rules ?? [])
    .filter((r) => !r.min_stack_version || versionAtLeast(kibanaVersion, String(r.min_stack_version)))
    .map((r) => {
      const out: Record<string, unknown> = { type: 'machine_learning' };
      for (const k of ['rule_id', 'name', 'description', 'machine_learning_job_id', 'anomaly_threshold', 'from', 'interval', 'severity', 'risk_score', 'tags', 'version', 'references', 'threat', 'note']) {
        if (r[k] !== null && r[k] !== undefined) out[k] = r[k];
      }
      return out;
    });
}

export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  const esVersion = opts.esVersion ?? '9.1.0';
  const kibanaVersion = opts.kibanaVersion ?? '9.1.0';
  const license = opts.license ?? 'trial';
  const catalogue = (opts.catalogue ?? JSON.parse(fs.readFileSync(DEFAULT_CATALOGUE, 'utf8'))) as CatalogueLike;
  const state = newState();
  state.indexTemplates.set(BUILTIN_LOGS_TEMPLATE.name, structuredClone(BUILTIN_LOGS_TEMPLATE));
  const faults = new Faults();
  faults.datafeedRunMs = opts.datafeedRunMs ?? 0;
  const shared: Shared = {
    state,
    faults,
    violations: [],
    privileges: { ...SUPERUSER, ...opts.privileges },
    credentials: opts.credentials,
    unhandled: [],
    esMajor: Number(esVersion.split('.')[0]),
  };
  const limited = opts.mlNodeMemory !== undefined;
  shared.mlNode = new MlNode(state, {
    maxBytes: !limited ? 64 * 1024 ** 3 : typeof opts.mlNodeMemory === 'number' ? opts.mlNodeMemory : parseBytes(opts.mlNodeMemory),
    enforce: limited,
  });
  const sim = new MlSim(shared, opts.latestRecordTimestamp ?? 'end', opts.autoCloseJobs ?? true);
  const es = await startServer(
    {
      name: 'es',
      contracts: ['elasticsearch'],
      routes: [...esRoutes(shared, { esVersion, license, keepDocs: opts.keepDocs ?? 10000 }), ...bulkRoutes(shared, opts.keepDocs ?? 10000), ...ingestRoutes(shared), ...mlRoutes(shared, sim, { esVersion, license, mlEnabled: opts.mlEnabled ?? true })],
    },
    shared,
  );
  const kibana = await startServer(
    {
      name: 'kibana',
      contracts: ['kibana-detections', 'kibana-ml'],
      gate: kibanaGate,
      routes: [
        ...kibanaRoutes(shared, { kibanaVersion, prebuilt: prebuiltRules(catalogue, kibanaVersion) }),
        ...kibanaMlRoutes(shared, sim, { catalogue, variant: opts.moduleVariant ?? (versionAtLeast(kibanaVersion, '9.4.0') ? 'ea' : 'classic') }),
      ],
    },
    shared,
  );

  return {
    esUrl: es.url,
    kibanaUrl: kibana.url,
    state,
    violations: shared.violations,
    faults,
    mlNode: shared.mlNode,
    requests: state.requests,
    unhandled: shared.unhandled,
    get privileges() {
      return shared.privileges;
    },
    set privileges(p: PrivilegeSet) {
      shared.privileges = p;
    },
    preloadRecords(jobId, records) {
      state.records.set(jobId, [...(state.records.get(jobId) ?? []), ...records]);
    },
    docCount(expr = '*') {
      return resolveTargets(shared, expr).streams.reduce((n, d) => n + d.docCount, 0);
    },
    assertNoViolations() {
      if (shared.violations.length) {
        throw new Error(`stand-in recorded ${shared.violations.length} contract violation(s):\n${shared.violations.map((v) => `  ${v.method} ${v.url} [${v.contract}${v.operationId ? ` ${v.operationId}` : ''}]: ${v.errors.join('; ')}`).join('\n')}`);
      }
    },
    async close() {
      sim.close();
      await Promise.all([es.close(), kibana.close()]);
    },
  };
}
