/**
 * Preflight: is there an Elasticsearch with machine learning, a licence that allows it, and a
 * user allowed to do what a run does? Each "no" is an InstallError naming what to fix.
 *
 * The CLI reads the version and licence from Elasticsearch (`GET /`, `GET _license`). Inside
 * Kibana those need the `monitor` cluster privilege an ML admin or analyst usually lacks, so the
 * plugin passes a StackSource instead (Kibana's version and the licensing plugin's licence); the
 * user is then only asked for what needs no extra privilege (`_ml/info` with monitor_ml,
 * `_has_privileges`).
 */
import { dataStreamPattern } from '../../common/constants';
import type { JobVariant } from '../../common/catalogue/types';
import { InstallError, statusOf, toInstallError } from './errors';
import type { EsClient, KibanaApi } from './types';

export interface StackInfo {
  esVersion: string;
  kibanaVersion?: string;
  /** Job ids the stack's modules use: classic before 9.4, _ea from 9.4. */
  variant: JobVariant;
}

const atLeast = (version: string, major: number, minor: number) => {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

export const REQUIRED_CLUSTER_PRIVILEGES = ['manage_ml', 'manage_index_templates'];
export const REQUIRED_INDEX_PRIVILEGES = ['create_doc', 'create_index', 'view_index_metadata', 'read', 'manage'];

/** Version and licence from the host (Kibana) rather than from Elasticsearch as the user. */
export interface StackSource {
  /** The stack version (Kibana's: it only runs against an Elasticsearch of the same major.minor). */
  version: string;
  /** The cluster's licence, e.g. from the licensing plugin (which reads it as kibana_system). */
  license(): Promise<{ type: string; status: string }>;
}

export async function preflight(es: EsClient, kibana: KibanaApi | undefined, namespace: string, stack?: StackSource): Promise<StackInfo> {
  let info: unknown;
  try {
    info = stack ? { version: { number: stack.version } } : await es.info();
  } catch (error) {
    throw toInstallError(error, 'Connecting to Elasticsearch');
  }
  const number = (info as { version?: { number?: unknown } } | undefined)?.version?.number;
  if (typeof number !== 'string' || !/^\d+\.\d+/.test(number)) {
    throw new InstallError('Connecting to Elasticsearch: the server answered without an Elasticsearch version; check that the Elasticsearch URL points at Elasticsearch (port 9200 by default), not Kibana or a proxy page.', 502, 'not_elasticsearch');
  }
  const esVersion = number;
  try {
    let type: string;
    let status: string | undefined;
    if (stack) {
      ({ type, status } = await stack.license());
    } else {
      const license = (await es.license.get()) as { license?: { type?: string; status?: string } };
      if (!license?.license || typeof license.license.type !== 'string') {
        throw new InstallError('Reading the licence: Elasticsearch answered GET /_license without a licence; check that the URL points at Elasticsearch and that the cluster is healthy.', 502, 'not_elasticsearch');
      }
      type = license.license.type;
      status = license.license.status;
    }
    if (!['trial', 'platinum', 'enterprise'].includes(type) || status !== 'active') {
      throw new InstallError(`Machine learning anomaly detection needs a Platinum, Enterprise or trial licence; this cluster has an ${status} ${type} licence. Start a trial (POST _license/start_trial?acknowledge=true) or upgrade.`, 400, 'license');
    }
  } catch (error) {
    throw toInstallError(error, 'Reading the licence');
  }
  try {
    await es.ml.info();
  } catch (error) {
    const e = toInstallError(error, 'Machine learning');
    if (e.reason === 'missing_privilege') throw e;
    throw new InstallError(`Machine learning is not available on this cluster (${e.message}). Enable xpack.ml and make sure there is an ML node.`, 400, 'ml_unavailable');
  }
  try {
    const res = await es.security.hasPrivileges({
      cluster: REQUIRED_CLUSTER_PRIVILEGES,
      index: [{ names: [dataStreamPattern(namespace)], privileges: REQUIRED_INDEX_PRIVILEGES }],
    });
    if (!res.has_all_requested) {
      const cluster = Object.entries(res.cluster).filter(([, ok]) => !ok).map(([p]) => p);
      const index = Object.values(res.index).flatMap((p) => Object.entries(p).filter(([, ok]) => !ok).map(([name]) => name));
      const missing = [...cluster.map((p) => `cluster privilege "${p}"`), ...index.map((p) => `index privilege "${p}" on ${dataStreamPattern(namespace)}`)];
      throw new InstallError(`User ${res.username} is missing ${missing.join(', ')}.`, 403, 'missing_privilege');
    }
  } catch (error) {
    const status = statusOf(error);
    // Security disabled: nothing to check (ES answers 400/500 "security is not enabled").
    if (!(error instanceof InstallError) && (status === 400 || status === 500)) return finish();
    throw toInstallError(error, 'Checking privileges');
  }
  return finish();

  async function finish(): Promise<StackInfo> {
    let kibanaVersion: string | undefined;
    if (kibana) {
      try {
        kibanaVersion = await kibana.version();
      } catch (error) {
        throw toInstallError(error, 'Connecting to Kibana');
      }
    }
    const version = kibanaVersion ?? esVersion;
    return { esVersion, kibanaVersion, variant: atLeast(version, 9, 4) ? 'ea' : 'classic' };
  }
}
