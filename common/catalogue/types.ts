/**
 * Types of the Security ML catalogue: module, job and datafeed definitions as Kibana ships
 * them (x-pack/platform/plugins/shared/ml/server/models/data_recognizer/modules/<folder>/),
 * and the prebuilt ML detection rules (elastic/detection-rules) that read their results.
 */

export interface Detector {
  function: string;
  field_name?: string;
  by_field_name?: string;
  over_field_name?: string;
  partition_field_name?: string;
  detector_description?: string;
  detector_index?: number;
  custom_rules?: unknown[];
}

export interface MlJobConfig {
  description: string;
  groups: string[];
  analysis_config: {
    bucket_span: string;
    detectors: Detector[];
    influencers?: string[];
    [key: string]: unknown;
  };
  analysis_limits?: { model_memory_limit?: string; [key: string]: unknown };
  data_description: { time_field: string; [key: string]: unknown };
  custom_settings?: Record<string, unknown>;
  allow_lazy_open?: boolean;
  [key: string]: unknown;
}

export interface DatafeedConfig {
  job_id: string;
  indices: string[];
  query: unknown;
  runtime_mappings?: Record<string, { type: string; script?: unknown }>;
  script_fields?: unknown;
  max_empty_searches?: number;
  [key: string]: unknown;
}

/** Where a definition came from (repository, path, commit), or which twin it was inferred from. */
export interface SourceRef {
  repo: string;
  path: string;
  commit: string;
  /** Set when Kibana's own file could not be read and the classic/_ea twin's file is used. */
  inferredFrom?: string;
}

export type JobVariant = 'classic' | 'ea';

export interface CatalogueJob {
  id: string;
  moduleId: string;
  variant: JobVariant;
  /** The same job in the other naming generation (classic <-> _ea), if there is one. */
  twinId?: string;
  job: MlJobConfig;
  datafeed: DatafeedConfig;
  sources: { job: SourceRef; datafeed: SourceRef };
}

export interface CatalogueModule {
  id: string;
  folder: string;
  title: string;
  description: string;
  defaultIndexPattern: string;
  query: unknown;
  /** Job ids of the pre-9.4 module, in manifest order. */
  classicJobIds: string[];
  /** Job ids of the 9.4+ module, in manifest order. */
  eaJobIds: string[];
}

export interface CatalogueRule {
  rule_id: string;
  name: string;
  description: string;
  machine_learning_job_id: string | string[];
  anomaly_threshold: number;
  from: string;
  interval: string;
  severity: string;
  risk_score: number;
  tags: string[];
  min_stack_version: string | null;
  version: number | null;
  references: string[];
  threat: unknown[];
  note: string | null;
  source: SourceRef;
}

export interface Catalogue {
  modules: CatalogueModule[];
  jobs: CatalogueJob[];
  rules: CatalogueRule[];
}
