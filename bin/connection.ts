/**
 * Connection to a stack, as Elastic's tools take it: flags, else environment variables
 * (ES_URL, KIBANA_URL, ELASTIC_API_KEY, ES_USERNAME/ES_PASSWORD, KIBANA_SPACE). Secrets are
 * never printed: `describe()` shows the URL and the kind of credential only.
 */
import type { Transport } from '@elastic/transport';
import type { Command } from 'commander';
import type { InstallDeps } from '../server/installers/types';
import { kibanaHttpApi } from '../server/installers/kibana_http';

// The Elasticsearch client is loaded only when a command connects: the offline commands start faster.

export interface ConnectionFlags {
  esUrl?: string;
  kibanaUrl?: string;
  apiKey?: string;
  username?: string;
  password?: string;
  space?: string;
  insecure?: boolean;
}

export interface Connection {
  esUrl: string;
  kibanaUrl?: string;
  space: string;
  auth?: { apiKey: string } | { username: string; password: string };
  insecure: boolean;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--es-url <url>', 'Elasticsearch URL (env ES_URL)')
    .option('--kibana-url <url>', 'Kibana URL (env KIBANA_URL); needed for rules and Kibana module setup')
    .option('--api-key <key>', 'API key, base64 "id:key" (env ELASTIC_API_KEY)')
    .option('--username <name>', 'user (env ES_USERNAME, default elastic when a password is given)')
    .option('--password <password>', 'password (env ES_PASSWORD)')
    .option('--space <id>', 'Kibana space (env KIBANA_SPACE)', undefined)
    .option('--insecure', 'accept self-signed TLS certificates');
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection | undefined {
  const esUrl = flags.esUrl ?? env.ES_URL ?? env.ELASTICSEARCH_URL;
  if (!esUrl) return undefined;
  const check = (name: string, url: string) => {
    try {
      new URL(url);
    } catch {
      throw new Error(`${name} is not a URL: "${url}" (expected e.g. https://localhost:9200)`);
    }
  };
  check('Elasticsearch URL', esUrl);
  const kibanaUrl = flags.kibanaUrl ?? env.KIBANA_URL;
  if (kibanaUrl) check('Kibana URL', kibanaUrl);
  const apiKey = flags.apiKey ?? env.ELASTIC_API_KEY ?? env.ES_API_KEY;
  const password = flags.password ?? env.ES_PASSWORD ?? env.ELASTIC_PASSWORD;
  const username = flags.username ?? env.ES_USERNAME ?? env.ELASTIC_USERNAME ?? (password ? 'elastic' : undefined);
  if (username && !password) throw new Error(`a password is needed for user "${username}" (--password or ES_PASSWORD)`);
  return {
    esUrl, kibanaUrl, space: flags.space ?? env.KIBANA_SPACE ?? 'default',
    auth: apiKey ? { apiKey } : username && password ? { username, password } : undefined,
    insecure: Boolean(flags.insecure ?? /^(1|true)$/i.test(env.ML_DEMO_INSECURE ?? '')),
  };
}

export function describeConnection(c: Connection): string {
  const who = !c.auth ? 'no credentials' : 'apiKey' in c.auth ? 'API key' : `user ${c.auth.username}`;
  return `Elasticsearch ${c.esUrl}${c.kibanaUrl ? `, Kibana ${c.kibanaUrl} (space ${c.space})` : ''} with ${who}${c.insecure ? ', TLS verification off' : ''}`;
}

function authorizationHeader(c: Connection): string | undefined {
  if (!c.auth) return undefined;
  if ('apiKey' in c.auth) return `ApiKey ${c.auth.apiKey}`;
  return `Basic ${Buffer.from(`${c.auth.username}:${c.auth.password}`).toString('base64')}`;
}

/**
 * The 9.x client asks for REST compatibility with 9 (`compatible-with=9`), which an 8.x cluster
 * refuses; against 8.x it asks for 8 instead, so one CLI serves both generations.
 */
export async function compat8Transport(): Promise<typeof Transport> {
  const { Transport: Base } = await import('@elastic/transport');
  return class Compat8Transport extends Base {
    constructor(options: ConstructorParameters<typeof Transport>[0]) {
      super({
        ...options,
        vendoredHeaders: {
          jsonContentType: 'application/vnd.elasticsearch+json; compatible-with=8',
          ndjsonContentType: 'application/vnd.elasticsearch+x-ndjson; compatible-with=8',
          accept: 'application/vnd.elasticsearch+json; compatible-with=8,text/plain',
        },
      });
    }
  };
}

/** The cluster's major version, asked with plain JSON headers every version accepts. */
async function serverMajor(c: Connection): Promise<number | undefined> {
  if (c.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = authorizationHeader(c);
  if (authorization) headers.authorization = authorization;
  try {
    const res = await fetch(c.esUrl.replace(/\/$/, '') + '/', { headers });
    const body = (await res.json()) as { version?: { number?: string } };
    return body.version?.number ? Number(body.version.number.split('.')[0]) : undefined;
  } catch {
    return undefined; // the run's preflight reports connection problems with a clear message
  }
}

export async function connect(c: Connection): Promise<InstallDeps & { close(): Promise<void> }> {
  const major = await serverMajor(c);
  const { Client } = await import('@elastic/elasticsearch');
  const es = new Client({
    node: c.esUrl, auth: c.auth, tls: c.insecure ? { rejectUnauthorized: false } : undefined, maxRetries: 3, requestTimeout: 120_000,
    ...(major !== undefined && major < 9 ? { Transport: await compat8Transport() } : {}),
  });
  const kibana = c.kibanaUrl ? kibanaHttpApi({ url: c.kibanaUrl, authorization: authorizationHeader(c), space: c.space, insecure: c.insecure }) : undefined;
  return { es, kibana, space: c.space, close: () => es.close() };
}
