/**
 * Entities: correlated groups of ECS fields that vary together (a user with its id and domain,
 * a host with its id, IP and OS, a source IP with its geo, a process with its executable...).
 * Every entity is built from one key, so a datafeed constraint such as `process.name: arp`
 * or an anomaly value such as `xmrig` yields a complete, consistent entity.
 */
import { createHash } from 'node:crypto';
import * as V from './vocabulary';
import { fieldBaselineKeys, fieldEntityFields, fieldNovelKey, fieldOfKind, isFieldKind, type FieldFlavor, type FieldKind } from './field_values';

export type EntityKind =
  | 'user'
  | 'host'
  | 'source'
  | 'destination'
  | 'dport'
  | 'process'
  | 'parent'
  | 'workdir'
  | 'service'
  | 'script'
  | 'aws_action'
  | 'aws_error'
  | 'dns'
  | 'server_domain'
  | 'url'
  | 'user_agent'
  // Any other field, one kind per field (field_values.ts).
  | FieldKind;

/** How a module's entities look: Windows or Linux hosts and processes, internal or public source IPs. */
export interface Flavor extends FieldFlavor {
  os: 'linux' | 'windows';
  /** 'aws' users carry IAM identities. */
  users: 'windows' | 'linux' | 'aws';
  /** Public sources carry geo (CloudTrail); internal ones are RFC 1918 addresses. */
  sources: 'internal' | 'public';
  /**
   * 'every': the host pool holds the organisation's Windows hosts too, after its own OS's (a host
   * activity source that every machine's agent reports to, security_host).
   */
  hosts?: 'every';
  theme: V.Theme;
}

export interface Entity {
  kind: EntityKind;
  key: string;
  /** ECS field (dotted) -> value. */
  fields: Record<string, unknown>;
  /** The same values, JSON-serialised once so documents are assembled by concatenation. */
  json: Record<string, string>;
  /** Whole JSON objects of this entity (e.g. `host`), pre-rendered per document shape. */
  fragments: Record<string, string>;
  /** Users: a person who works office hours, in `utcOffset`, Monday to Friday. */
  human?: boolean;
  utcOffset?: number;
  /** Users: which person of the organisation this account belongs to (the same in every module). */
  person?: number;
  /** Built from an anomaly list: never part of a baseline pool. */
  novel?: boolean;
  /**
   * A fixed fraction in [0, 1) from the key: where this entity's dependent picks (its user's host
   * or IP) start inside their subset (lanes.ts pickEntities), so two users at the same quantile
   * do not pick their subsets' first value together, and where a host's event times start inside
   * a step (stream.ts).
   */
  phase: number;
}

/** Which entity kind supplies each ECS field. */
export const FIELD_KIND: Record<string, EntityKind> = {};
const KIND_FIELDS: Record<EntityKind, string[]> = {
  user: ['user.name', 'user.id', 'user.domain', 'aws.cloudtrail.user_identity.arn', 'aws.cloudtrail.user_identity.type'],
  host: [
    'host.name',
    'host.hostname',
    'host.id',
    'host.ip',
    'host.os.type',
    'host.os.family',
    'host.os.name',
    'host.os.platform',
    'host.os.version',
    'host.os.kernel',
  ],
  source: ['source.ip', 'source.geo.city_name', 'source.geo.region_name', 'source.geo.country_iso_code', 'source.geo.country_name', 'source.geo.location'],
  destination: ['destination.ip', 'destination.geo.city_name', 'destination.geo.country_iso_code', 'destination.geo.country_name'],
  dport: ['destination.port'],
  process: ['process.name', 'process.executable'],
  parent: ['process.parent.name', 'process.parent.executable'],
  workdir: ['process.working_directory'],
  service: ['winlog.event_data.ServiceName', 'winlog.event_data.ServiceFileName'],
  script: ['powershell.file.script_block_text', 'powershell.file.script_block_hash', 'powershell.file.script_block_id'],
  aws_action: ['event.action', 'event.provider'],
  aws_error: ['aws.cloudtrail.error_code', 'aws.cloudtrail.error_message'],
  dns: ['dns.question.name', 'dns.question.registered_domain', 'dns.question.top_level_domain', 'dns.question.subdomain', 'dns.question.type'],
  server_domain: ['server.domain'],
  url: ['url.full', 'url.domain', 'url.path', 'url.scheme'],
  user_agent: ['user_agent.original'],
};
for (const [kind, fields] of Object.entries(KIND_FIELDS)) for (const f of fields) FIELD_KIND[f] = kind as EntityKind;

export function kindFields(kind: EntityKind): readonly string[] {
  if (isFieldKind(kind)) return [fieldOfKind(kind)];
  return KIND_FIELDS[kind];
}

function entity(kind: EntityKind, key: string, fields: Record<string, unknown>, extra: Partial<Entity> = {}): Entity {
  const clean: Record<string, unknown> = {};
  const json: Record<string, string> = {};
  for (const [f, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    clean[f] = v;
    json[f] = JSON.stringify(v);
  }
  return { kind, key, fields: clean, json, fragments: {}, phase: stableNumber(`phase:${kind}:${key}`, 65536) / 65536, ...extra };
}

/** Small stable number from a string, for ids and addresses that must not change between runs. */
function stableNumber(text: string, modulo: number): number {
  return parseInt(createHash('sha1').update(text).digest('hex').slice(0, 8), 16) % modulo;
}

function stableHex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function uuidFrom(text: string): string {
  const h = stableHex(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Time zones whose office day (08:00-18:00 local) does not cross midnight UTC: the engine models
// time of day on a line, so a day that wraps around 00:00 UTC looks like two far-apart habits
// and its own logons alert (issue #8: 93-99 at shift changes).
const OFFICE_OFFSETS = [-5, -5, 0, 1, 1, -4, 5.5, 7];

/** Builds the entity of `kind` whose key (primary value) is `key`. */
export function buildEntity(kind: EntityKind, key: string, flavor: Flavor, extra: Partial<Entity> = {}): Entity {
  const t = flavor.theme;
  if (isFieldKind(kind)) return entity(kind, key, fieldEntityFields(fieldOfKind(kind), key, flavor), extra);
  switch (kind) {
    case 'user': {
      if (flavor.users === 'aws') {
        return entity(
          kind,
          key,
          {
            'user.name': key,
            'user.id': `AIDA${stableHex(key, 16).toUpperCase()}`,
            'aws.cloudtrail.user_identity.arn': `arn:aws:iam::${t.awsAccountId}:user/${key}`,
            'aws.cloudtrail.user_identity.type': 'IAMUser',
          },
          extra,
        );
      }
      const id =
        flavor.users === 'windows'
          ? `S-1-5-21-3541430928-2051711210-1391384369-${1100 + stableNumber(key, 8000)}`
          : String(key === 'root' ? 0 : 1000 + stableNumber(key, 9000));
      return entity(kind, key, { 'user.name': key, 'user.id': id, 'user.domain': flavor.users === 'windows' ? t.windowsDomain : undefined }, extra);
    }
    case 'host': {
      const list = flavor.os === 'windows' ? V.WINDOWS_OS : V.LINUX_OS;
      const os = list[stableNumber(key, list.length)];
      const n = stableNumber(key, 250);
      return entity(
        kind,
        key,
        {
          'host.name': key,
          'host.hostname': key,
          'host.id': uuidFrom(`host:${key}`),
          'host.ip': [`10.${flavor.os === 'windows' ? 20 : 10}.${1 + (n % 20)}.${10 + n}`],
          'host.os.type': flavor.os,
          'host.os.family': os.family,
          'host.os.name': os.name,
          'host.os.platform': os.platform,
          'host.os.version': os.version,
          'host.os.kernel': os.kernel,
        },
        extra,
      );
    }
    case 'source':
    case 'destination': {
      const prefix = kind === 'source' ? 'source' : 'destination';
      if (kind === 'source' && flavor.sources === 'internal') return entity(kind, key, { 'source.ip': key }, extra);
      const geo = [...V.GEO, ...V.ANOMALOUS_GEO].find((g) => key.startsWith(`${g[6]}.`));
      return entity(
        kind,
        key,
        {
          [`${prefix}.ip`]: key,
          [`${prefix}.geo.city_name`]: geo?.[0],
          [`${prefix}.geo.region_name`]: kind === 'source' ? geo?.[1] : undefined,
          [`${prefix}.geo.country_iso_code`]: geo?.[2],
          [`${prefix}.geo.country_name`]: geo?.[3],
          [`${prefix}.geo.location`]: kind === 'source' && geo ? { lat: geo[4], lon: geo[5] } : undefined,
        },
        extra,
      );
    }
    case 'dport':
      return entity(kind, key, { 'destination.port': Number(key) }, extra);
    case 'process':
    case 'parent': {
      const exe =
        flavor.os === 'windows'
          ? key.toLowerCase() === key
            ? `C:\\Windows\\System32\\${key}`
            : `C:\\Program Files\\${key.replace(/\.exe$/i, '')}\\${key}`
          : `/usr/bin/${key}`;
      return kind === 'process'
        ? entity(kind, key, { 'process.name': key, 'process.executable': exe }, extra)
        : entity(kind, key, { 'process.parent.name': key, 'process.parent.executable': exe }, extra);
    }
    case 'workdir':
      return entity(kind, key, { 'process.working_directory': key }, extra);
    case 'service':
      return entity(
        kind,
        key,
        { 'winlog.event_data.ServiceName': key, 'winlog.event_data.ServiceFileName': `C:\\Windows\\System32\\${key.toLowerCase()}.exe` },
        extra,
      );
    case 'script':
      return entity(
        kind,
        key,
        {
          'powershell.file.script_block_text': key,
          'powershell.file.script_block_hash': stableHex(key, 64),
          'powershell.file.script_block_id': uuidFrom(`script:${key}`),
        },
        extra,
      );
    case 'aws_action': {
      const provider = [...V.AWS_ACTIONS, ...V.ANOMALOUS_AWS_ACTIONS].find(([a]) => a === key)?.[1] ?? 'iam.amazonaws.com';
      return entity(kind, key, { 'event.action': key, 'event.provider': provider }, extra);
    }
    case 'aws_error': {
      const [code, message] = key.split('\u0000');
      return entity(kind, key, { 'aws.cloudtrail.error_code': code, 'aws.cloudtrail.error_message': message }, extra);
    }
    case 'dns': {
      const labels = key.split('.');
      // Reverse lookups: `ip6.arpa` and `in-addr.arpa` are public suffixes, so the registered
      // domain (what packetbeat's eTLD+1 gives) keeps one more label; their question type is PTR.
      const reverse = key.endsWith('.arpa');
      const registered = labels.slice(reverse ? -3 : -2).join('.');
      return entity(
        kind,
        key,
        {
          'dns.question.name': key,
          'dns.question.registered_domain': registered,
          'dns.question.top_level_domain': labels[labels.length - 1],
          'dns.question.subdomain': labels.length > 2 ? labels.slice(0, reverse ? -3 : -2).join('.') : undefined,
          'dns.question.type': reverse ? 'PTR' : 'A',
        },
        extra,
      );
    }
    case 'server_domain':
      return entity(kind, key, { 'server.domain': key }, extra);
    case 'url': {
      const u = new URL(key);
      return entity(kind, key, { 'url.full': key, 'url.domain': u.hostname, 'url.path': u.pathname, 'url.scheme': u.protocol.replace(':', '') }, extra);
    }
    case 'user_agent':
      return entity(kind, key, { 'user_agent.original': key }, extra);
  }
}

/** Baseline population keys of one kind for a module: the values its normal data uses. */
export function baselineKeys(kind: EntityKind, flavor: Flavor): { key: string; human?: boolean; utcOffset?: number; person?: number; os?: Flavor['os'] }[] {
  const t = flavor.theme;
  if (isFieldKind(kind)) return fieldBaselineKeys(fieldOfKind(kind), flavor);
  switch (kind) {
    case 'user': {
      const humans = t.firstNames.slice(0, 16).map((first, i) => ({
        key: flavor.users === 'windows' ? `${first}.${t.lastNames[i]}` : `${first[0]}${t.lastNames[i].replace(/\s/g, '')}`,
        human: true,
        person: i,
        utcOffset: OFFICE_OFFSETS[i % OFFICE_OFFSETS.length],
      }));
      const services =
        flavor.users === 'windows'
          ? V.WINDOWS_SERVICE_USERS
          : flavor.users === 'linux'
            ? V.LINUX_SERVICE_USERS
            : ['ci-deploy', 'terraform', 'backup-lambda', 'monitoring-ro'];
      return [...humans, ...services.map((key) => ({ key, human: false }))];
    }
    case 'host': {
      const named = (os: Flavor['os']) =>
        (os === 'windows' ? V.WINDOWS_HOST_ROLES : V.LINUX_HOST_ROLES).map((role, i) => ({
          key: `${t.hostPrefix}-${role}-${String(i + 1).padStart(2, '0')}`,
          os,
        }));
      return flavor.hosts === 'every' && flavor.os !== 'windows' ? [...named(flavor.os), ...named('windows')] : named(flavor.os);
    }
    case 'source':
      return flavor.sources === 'internal'
        ? Array.from({ length: 24 }, (_, i) => ({ key: `10.${i < 12 ? 10 : 30}.${1 + (i % 6)}.${20 + i * 7}` }))
        : V.GEO.flatMap((g, i) => [0, 1].map((j) => ({ key: `${g[6]}.${10 + i * 3 + j}.${40 + j * 9}` })));
    case 'destination':
      return V.GEO.flatMap((g, i) => [0, 1, 2].map((j) => ({ key: `${g[6]}.${100 + i * 5 + j}.${7 + j * 31}` })));
    case 'dport':
      return V.LINUX_PORTS.map((p) => ({ key: String(p) }));
    case 'process':
      return (flavor.os === 'windows' ? V.WINDOWS_PROCESSES : V.LINUX_PROCESSES).map((key) => ({ key }));
    case 'parent':
      return (flavor.os === 'windows' ? [...new Set(Object.values(V.WINDOWS_PARENT_OF).flat())] : V.LINUX_PARENTS).map((key) => ({ key }));
    case 'workdir':
      return V.WINDOWS_WORKDIRS.map((key) => ({ key }));
    case 'service':
      return V.WINDOWS_SERVICES.map((key) => ({ key }));
    case 'script':
      return V.BENIGN_SCRIPTS.map((key) => ({ key }));
    case 'aws_action':
      return V.AWS_ACTIONS.map(([key]) => ({ key }));
    case 'aws_error':
      return V.AWS_ERRORS.map(([code, msg]) => ({ key: `${code}\u0000${msg}` }));
    case 'dns':
      return V.DOMAINS.flatMap((d, i) => V.SUBDOMAINS.filter((_, j) => (i + j) % 3 === 0).map((s) => ({ key: `${s}.${d}` })));
    case 'server_domain':
      return V.DOMAINS.map((d, i) => ({ key: `${V.SUBDOMAINS[i % V.SUBDOMAINS.length]}.${d}` }));
    case 'url':
      return V.DOMAINS.slice(0, 8).flatMap((d, i) =>
        V.URL_PATHS.filter((_, j) => (i + j) % 4 === 0).map((p) => ({ key: `https://${V.SUBDOMAINS[i % 8]}.${d}${p}` })),
      );
    case 'user_agent':
      return V.USER_AGENTS.map((key) => ({ key }));
  }
}

/**
 * The i-th reverse lookup of an IPv6 client address (`<32 nibbles>.ip6.arpa`, type PTR): what a
 * mail relay or proxy asks for every peer it logs. Ordinary traffic whose names carry ~14 bytes
 * of information each, unlike the few fixed names of everyday A lookups.
 */
export function reverseLookupKey(i: number): string {
  const networks = ['20010db8853a0012', '2a0104f800ab0c01', '2600190012340a0b'];
  const address = networks[i % networks.length] + stableHex(`iid:${i}`, 16);
  return `${address.split('').reverse().join('.')}.ip6.arpa`;
}

/** The i-th never-seen value of a kind: the raw material of `rare` anomalies. */
export function novelKey(kind: EntityKind, flavor: Flavor, i: number): string {
  const at = <T>(list: readonly T[]): T => list[i % list.length];
  const round = Math.floor(i / 8);
  const suffix = round > 0 ? String(round) : '';
  if (isFieldKind(kind)) return fieldNovelKey(fieldOfKind(kind), i, flavor);
  switch (kind) {
    case 'user':
      return at(V.ANOMALOUS_USERS) + suffix;
    case 'host':
      return `${flavor.theme.hostPrefix}-tmp-${at(['kali', 'x7', 'rogue', 'lab'])}${i}`;
    // Live rounds go past 245 values: the next ones continue in 172.31.249.x, 172.31.248.x…
    case 'source':
      return flavor.sources === 'internal'
        ? i < 246
          ? `172.31.250.${10 + i}`
          : `172.31.${249 - Math.floor((i - 246) / 246)}.${10 + ((i - 246) % 246)}`
        : `${at(V.ANOMALOUS_GEO)[6]}.${200 + (i % 50)}.${11 + round}`;
    case 'destination':
      return `${at(V.ANOMALOUS_GEO)[6]}.${210 + (i % 40)}.${33 + round}`;
    case 'dport':
      return String(at(V.ANOMALOUS_PORTS) + round);
    case 'process':
      return (flavor.os === 'windows' ? at(V.ANOMALOUS_WINDOWS_PROCESSES) : at(V.ANOMALOUS_LINUX_PROCESSES)).replace(/(\.exe)?$/i, (m) => suffix + m);
    case 'parent':
      return flavor.os === 'windows' ? `mshta${suffix}.exe` : `kthreadd_x${suffix}`;
    case 'workdir':
      return at(V.ANOMALOUS_WINDOWS_WORKDIRS) + (suffix ? `${suffix}\\` : '');
    case 'service':
      return at(V.ANOMALOUS_WINDOWS_SERVICES) + suffix;
    case 'script':
      return `$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String("${createHash('sha512').update(`script${i}`).digest('base64')}"));IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()`;
    case 'aws_action':
      return at(V.ANOMALOUS_AWS_ACTIONS)[0] + suffix;
    case 'aws_error': {
      const [c, m] = at(V.ANOMALOUS_AWS_ERRORS);
      return `${c}${suffix}\u0000${m.replace('{n}', String(i))}`;
    }
    case 'dns':
      return `${stableHex(`dns${i}`, 10)}.${at(V.ANOMALOUS_DOMAINS)}`;
    case 'server_domain':
      return `${at(['cdn', 'dl', 'api', 'node'])}${i}.${at(V.ANOMALOUS_DOMAINS)}`;
    case 'url':
      return at(V.ANOMALOUS_URLS) + (suffix ? `?v=${suffix}` : '');
    case 'user_agent':
      return at(V.ANOMALOUS_USER_AGENTS) + (suffix ? ` r${suffix}` : '');
  }
}
