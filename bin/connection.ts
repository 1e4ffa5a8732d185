/**
 * Connection to a stack, as Elastic's tools take it: flags, else environment variables
 * (ES_URL, KIBANA_URL, ELASTIC_API_KEY, ES_USERNAME/ES_PASSWORD, KIBANA_SPACE), or credentials in
 * the URL. Secrets are never printed: they are registered with ./redact and every output line is
 * redacted; `describeConnection()` shows the URL without userinfo and the kind of credential only.
 */
import type { Serializer, Transport } from '@elastic/transport';
import type { Command } from 'commander';
import type { InstallDeps } from '../server/installers/types';
import { OptionsError, parseOptionText, show } from '../common/options';
import { kibanaHttpApi } from '../server/installers/kibana_http';
import { setRuntimeV8Flags } from '../server/parallel/v8_flags';
import { addBasicAuth, addSecret, redact } from './redact';

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
  /** Kibana's credentials: the same, unless the Kibana URL carries its own. */
  kibanaAuth?: { apiKey: string } | { username: string; password: string };
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

/** A value with the name of where it came from (flag or environment variable), for messages. */
function pick(flagName: string, flag: string | undefined, env: NodeJS.ProcessEnv, ...envNames: string[]): { value: string; from: string } | undefined {
  if (flag !== undefined) return { value: flag, from: flagName };
  for (const name of envNames) if (env[name] !== undefined && env[name] !== '') return { value: env[name]!, from: name };
  return undefined;
}

// Control characters or spaces in a credential would break (or inject into) the HTTP header.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * A stack URL, checked, with its userinfo taken out (as curl and the Elasticsearch client do):
 * the URL that is used and printed never carries the credentials.
 */
export function parseStackUrl(text: string, from: string): { url: string; auth?: { username: string; password: string } } {
  const shown = redact(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new OptionsError(`${from} is not a URL: "${shown}" (expected e.g. https://localhost:9200)`, from);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OptionsError(`${from} must be an http:// or https:// URL; got "${shown}"`, from);
  if (!u.hostname) throw new OptionsError(`${from} has no host: "${shown}"`, from);
  if (u.search || u.hash) throw new OptionsError(`${from} must not have a query or fragment (?…, #…); got "${shown}"`, from);
  let auth: { username: string; password: string } | undefined;
  if (u.username || u.password) {
    let username: string;
    let password: string;
    try {
      username = decodeURIComponent(u.username);
      password = decodeURIComponent(u.password);
    } catch {
      throw new OptionsError(`${from} has badly encoded credentials (percent-encode special characters of the user and password)`, from);
    }
    if (password) addBasicAuth(username, password);
    if (!username) throw new OptionsError(`${from} has a password but no user name`, from);
    if (!password) throw new OptionsError(`${from} names user "${username}" but no password (https://user:password@host)`, from);
    auth = { username, password };
    u.username = '';
    u.password = '';
  }
  return { url: u.pathname === '/' ? u.origin : `${u.origin}${u.pathname.replace(/\/$/, '')}`, auth };
}

/**
 * The connection from flags, else environment variables, every value checked before anything is
 * sent: URLs (credentials in them are taken out and used), space id, credentials, ML_DEMO_INSECURE.
 * Flags and variables win over credentials in the URL, as curl's -u does.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection | undefined {
  const es = pick('--es-url', flags.esUrl, env, 'ES_URL', 'ELASTICSEARCH_URL');
  if (!es) return undefined;
  const esUrl = parseStackUrl(es.value, es.from);
  const kb = pick('--kibana-url', flags.kibanaUrl, env, 'KIBANA_URL');
  const kibanaUrl = kb ? parseStackUrl(kb.value, kb.from) : undefined;

  const apiKey = pick('--api-key', flags.apiKey, env, 'ELASTIC_API_KEY', 'ES_API_KEY');
  const password = pick('--password', flags.password, env, 'ES_PASSWORD', 'ELASTIC_PASSWORD');
  const user = pick('--username', flags.username, env, 'ES_USERNAME', 'ELASTIC_USERNAME');
  addSecret(apiKey?.value);
  addSecret(password?.value);
  if (apiKey && !HEADER_SAFE.test(apiKey.value))
    throw new OptionsError(`${apiKey.from} must be an API key (base64 "id:key", no spaces or control characters)`, apiKey.from);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (user && !/^[^\x00-\x1f\x7f:]{1,1024}$/.test(user.value))
    throw new OptionsError(`${user.from} must be a user name (no ":" or control characters); got ${show(user.value)}`, user.from);
  if (password && password.value.length > 1024) throw new OptionsError(`${password.from} is longer than 1024 characters`, password.from);
  const username = user?.value ?? (password ? 'elastic' : undefined);
  if (username && !password) throw new OptionsError(`a password is needed for user "${username}" (--password or ES_PASSWORD)`, user?.from);
  if (apiKey && password) throw new OptionsError(`give either an API key (${apiKey.from}) or a user and password (${password.from}), not both`, apiKey.from);
  if (username && password) addBasicAuth(username, password.value);
  const given: Connection['auth'] = apiKey ? { apiKey: apiKey.value } : username && password ? { username, password: password.value } : undefined;

  const space = pick('--space', flags.space, env, 'KIBANA_SPACE');
  if (space) parseOptionText('space', space.value, space.from);
  const insecureText = env.ML_DEMO_INSECURE;
  if (insecureText !== undefined && !/^(1|0|true|false|)$/i.test(insecureText))
    throw new OptionsError(`ML_DEMO_INSECURE must be 1, true, 0 or false; got ${show(insecureText)}`, 'ML_DEMO_INSECURE');

  const auth = given ?? esUrl.auth;
  return {
    esUrl: esUrl.url,
    kibanaUrl: kibanaUrl?.url,
    space: space?.value ?? 'default',
    auth,
    // Kibana takes the same credentials, unless its own URL carries others.
    kibanaAuth: given ?? kibanaUrl?.auth ?? esUrl.auth,
    insecure: Boolean(flags.insecure ?? /^(1|true)$/i.test(insecureText ?? '')),
  };
}

export function describeConnection(c: Connection): string {
  const who = !c.auth ? 'no credentials' : 'apiKey' in c.auth ? 'API key' : `user ${c.auth.username}`;
  return redact(
    `Elasticsearch ${c.esUrl}${c.kibanaUrl ? `, Kibana ${c.kibanaUrl} (space ${c.space})` : ''} with ${who}${c.insecure ? ', TLS verification off' : ''}`,
  );
}

function authorizationHeader(auth: Connection['auth']): string | undefined {
  if (!auth) return undefined;
  if ('apiKey' in auth) return `ApiKey ${auth.apiKey}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
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

/**
 * The client's serializer, but a bulk body is built straight into one Buffer. The stock one
 * concatenates the request's strings into one string (a rope of two small strings per line, then
 * a flat copy of several MB in V8's large-object space) that the HTTP layer copies into a Buffer
 * again: both outlive the request, so each bulk request left two bodies of garbage in the old
 * generation. Same bytes on the wire.
 */
export async function bulkBufferSerializer(): Promise<typeof Serializer> {
  const { Serializer: Base } = await import('@elastic/transport');
  return class BulkBufferSerializer extends Base {
    override ndserialize(array: Array<Record<string, unknown> | string>): string {
      const lines = array.map((line) => (typeof line === 'string' ? line : this.serialize(line)));
      let bytes = 0;
      for (const line of lines) bytes += Buffer.byteLength(line) + 1;
      const body = Buffer.allocUnsafeSlow(bytes);
      let at = 0;
      for (const line of lines) {
        at += body.write(line, at);
        body[at++] = 10;
      }
      // The transport sends a Buffer body as it is (its content-length is the Buffer's length).
      return body as unknown as string;
    }
  };
}

/**
 * Bounds the CLI's heap while it indexes. V8 lets the old generation grow to about four times
 * what survived the last full collection before it collects again; indexing promotes every
 * in-flight bulk request (its documents outlive several young-generation collections), so the
 * heap sat at 250 MB for ~50 MB of live data. Growing by at most its live size keeps it near
 * twice that, at a few more (short: little is live) full collections. The heap's size limit
 * cannot be changed once the process runs; the growing factor is read at each collection.
 *
 * The young generation too: V8 doubles a semi-space (1 MB at start) each time a scavenge finds
 * much alive, up to 16 MB, two of them resident: while indexing, every scavenge finds the
 * in-flight documents alive, so it reached 2 x 16 MB (34 MB of new space, with the rest of the
 * young-generation's garbage) within seconds. `--max-semi-space-size` is read only when the heap
 * is made; the growth factor is read each time new space grows, so a factor of 1 keeps it at the
 * size it has (2 x 4 MB once the CLI's modules are loaded, before the client is), in threads
 * started after this too.
 * Only the CLI calls this (never inside Kibana, whose process is not ours to tune).
 */
export function boundHeapGrowth(): void {
  // Kept for worker threads: starting one resets run-time flags (server/parallel/v8_flags.ts).
  setRuntimeV8Flags('--heap-growing-percent=100', '--semi-space-growth-factor=1');
}

/** The cluster's major version, asked with plain JSON headers every version accepts. */
async function serverMajor(c: Connection): Promise<number | undefined> {
  if (c.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = authorizationHeader(c.auth);
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
  // First: loading the client (and fetch's own code) would have grown the young generation already.
  boundHeapGrowth();
  const major = await serverMajor(c);
  const { Client } = await import('@elastic/elasticsearch');
  const es = new Client({
    Serializer: await bulkBufferSerializer(),
    node: c.esUrl,
    auth: c.auth,
    tls: c.insecure ? { rejectUnauthorized: false } : undefined,
    maxRetries: 3,
    requestTimeout: 120_000,
    ...(major !== undefined && major < 9 ? { Transport: await compat8Transport() } : {}),
  });
  const kibana = c.kibanaUrl
    ? kibanaHttpApi({ url: c.kibanaUrl, authorization: authorizationHeader(c.kibanaAuth), space: c.space, insecure: c.insecure })
    : undefined;
  return { es, kibana, space: c.space, close: () => es.close() };
}
