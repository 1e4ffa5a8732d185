/**
 * The installer core's narrow interfaces. The CLI passes an Elasticsearch client it built and an
 * HTTP Kibana API; the Kibana routes pass the request-scoped client (asCurrentUser) and a Kibana
 * API over the plugin contracts. Nothing here imports Kibana.
 */
import type { Client } from '@elastic/elasticsearch';
import type { RunProgress } from '../../common/api';
import type { GenerateOptions } from '../generators/options';
import type { ModulePlan } from '../generators/plan';
import type { StackSource } from './preflight';

/**
 * Mirrors Kibana's `ElasticsearchClient`
 * (src/core/packages/elasticsearch/server/src/client/client.ts):
 * `Omit<Client, 'connectionPool' | 'serializer' | 'extend' | 'close' | 'diagnostic'>`.
 */
export type EsClient = Omit<Client, 'connectionPool' | 'serializer' | 'extend' | 'close' | 'diagnostic'>;

export interface ModuleSetupResult {
  jobs: { id: string; success: boolean; error?: { msg?: string; reason?: string; statusCode?: number } | string }[];
  datafeeds: { id: string; success: boolean; started: boolean; error?: { msg?: string; reason?: string; statusCode?: number } | string }[];
}

export interface RuleSummary {
  id: string;
  rule_id: string;
  name: string;
  enabled: boolean;
  tags: string[];
  immutable?: boolean;
}

/** A prebuilt rule to install: Elastic's rule_id and the version the catalogue has (and its name, for reports). */
export interface PrebuiltRuleRef {
  rule_id: string;
  version?: number;
  name?: string;
}

/** Prebuilt rules installed (disabled, as Security installs them) and what to tell the user. */
export interface PrebuiltInstallResult {
  installed: RuleSummary[];
  notice?: string;
}

/** What the installer needs from Kibana. Every method may throw an Error with a `statusCode`. */
export interface KibanaApi {
  /** Kibana version, e.g. '9.1.0'. */
  version(): Promise<string>;
  /** The module as this Kibana ships it (job ids and configs), or undefined when Kibana lacks it. */
  getModule(moduleId: string): Promise<{ jobs: { id: string; config: unknown }[] } | undefined>;
  /** Kibana's own module setup (saved objects in this space, real definitions). */
  setupModule(moduleId: string, body: Record<string, unknown>): Promise<ModuleSetupResult>;
  /**
   * Makes jobs created through the ES ML APIs visible in the run's space (their ML saved
   * objects). The CLI calls ML's sync API (all jobs); the plugin creates the objects of `jobIds`
   * (none without them).
   */
  syncMlSavedObjects(jobIds?: string[]): Promise<void>;
  findRules(filter: { ruleIds?: string[]; tag?: string }): Promise<RuleSummary[]>;
  /** Creates a rule; resolves `conflict` when its rule_id exists (409). */
  createRule(body: Record<string, unknown>): Promise<RuleSummary | { conflict: true }>;
  /**
   * Installs Elastic's prebuilt rules by rule_id through Security's prebuilt-rules API when its
   * package is there (installers/prebuilt_rules.ts); returns those installed.
   */
  installPrebuiltRules?(rules: PrebuiltRuleRef[]): Promise<PrebuiltInstallResult>;
  enableRules(ids: string[]): Promise<void>;
  deleteRules(ids: string[]): Promise<void>;
  /**
   * Manual rule run over a time range (Kibana 8.16+), so a record outside a rule's look-back still
   * alerts: the CLI through the Detection Engine's bulk action `run`, the plugin through the
   * alerting rules client's `scheduleBackfill`. Resolves with one message per rule not scheduled.
   */
  runRules?(ids: string[], start: string, end: string): Promise<{ errors: string[] }>;
}

export interface InstallOptions extends GenerateOptions {
  /** Id of the run in progress reports (default: generated). */
  runId?: string;
  /** Poll interval while waiting for datafeeds (default 2 s). */
  pollMs?: number;
  /** First back-off after a failed bulk request (default 1 s). */
  retryWaitMs?: number;
  enableJobs?: boolean;
  installRules?: boolean;
  /** Documents per bulk request (default 5000). */
  chunkSize?: number;
  /** Bulk requests in flight (default 4). */
  concurrency?: number;
  /** How long to wait for the datafeeds to reach the end of the data (default 15 minutes). */
  waitTimeoutMs?: number;
  /** Size each job's model_memory_limit for the demo's data and run jobs in waves that fit the ML nodes (default true; sizing.ts). */
  sizeJobs?: boolean;
  /**
   * Re-base: every time of the plan (documents, datafeed window, anomaly buckets) moves by this
   * many milliseconds, a multiple of 15 minutes (a bundle loaded later than it was written).
   */
  shiftMs?: number;
  /** Where the module's documents come from instead of the generator (a bundle's files, already re-based): one JSON document per item. */
  documents?: (module: ModulePlan) => AsyncIterable<string>;
}

export interface InstallDeps {
  es: EsClient;
  kibana?: KibanaApi;
  /** Kibana space the jobs' saved objects and the rules go to (default 'default'). */
  space?: string;
  /** Inside Kibana: version and licence from Kibana, not from Elasticsearch as the user (preflight.ts). */
  stack?: StackSource;
  log?: (line: string) => void;
}

export type ProgressListener = (progress: RunProgress) => void;

export type { CleanupReport } from '../../common/api';
