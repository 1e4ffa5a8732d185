/**
 * Connection to a stack, as Elastic's tools take it: flags, else environment variables
 * (ES_URL, KIBANA_URL, ELASTIC_API_KEY, ES_USERNAME/ES_PASSWORD, KIBANA_SPACE). Secrets are
 * never printed: `describe()` shows the URL and the kind of credential only.
 */
import { Client } from '@elastic/elasticsearch';
import type { Command } from 'commander';
import type { InstallDeps } from '../server/installers/types';
import { kibanaHttpApi } from '../server/installers/kibana_http';

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

export function connect(c: Connection): InstallDeps & { close(): Promise<void> } {
  const es = new Client({ node: c.esUrl, auth: c.auth, tls: c.insecure ? { rejectUnauthorized: false } : undefined, maxRetries: 3, requestTimeout: 120_000 });
  const kibana = c.kibanaUrl ? kibanaHttpApi({ url: c.kibanaUrl, authorization: authorizationHeader(c), space: c.space, insecure: c.insecure }) : undefined;
  return { es, kibana, space: c.space, close: () => es.close() };
}
