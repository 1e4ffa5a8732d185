/**
 * What each module's demo data looks like as a source: which data stream it goes to, what kind
 * of hosts and users it has, which fields every event carries, and how entities relate (a user
 * uses a few hosts; a host runs its own set of processes). Jobs decide WHICH events exist (from
 * their datafeed queries and detectors); profiles only make those events look like real ECS data.
 */
import type { EntityKind, Flavor } from './entities';
import type { Preferences } from './constraints';

type Fields = Record<string, unknown>;

export interface ModuleProfile {
  moduleId: string;
  /** data_stream.dataset of the module's one stream: logs-<dataset>-<namespace>. */
  dataset: string;
  /** What the data fakes, for people choosing modules. */
  summary: string;
  flavor: Omit<Flavor, 'theme'>;
  base: Fields;
  prefer: Preferences;
  /** Choice order: a kind is picked after the kinds it depends on. */
  kindOrder: EntityKind[];
  /** [from, to, subset size]: each `from` entity uses its own stable subset of `to` entities. */
  affinities: [EntityKind, EntityKind, number][];
  /** Fills in the fields a real event of this shape has, given what the datafeed demands. */
  complete(fields: Fields): { fields: Fields; kinds: EntityKind[] };
  /**
   * Every job's lane is steady (detectors/steady.ts), not only the drops' and sums': for data with
   * no source of its own to imitate (the custom module), so the injected anomaly is the only one.
   */
  steady?: boolean;
  /**
   * With `steady`: hosts of another OS (the flavor's `hosts: 'every'`) report here too, each at
   * `share` of a busy server's steady rate: a floor under every host of the organisation. A
   * host-count job reading every stream (logs-*) otherwise sees a Windows host only through its
   * people's logons and processes, a few an hour in a lull between two time zones' office days,
   * and scores its empty 5-minute buckets as drops (issue #8).
   */
  steadyFloor?: { os: Flavor['os']; share: number };
}

const has = (f: Fields, field: string, value: string) => {
  const v = f[field];
  return Array.isArray(v) ? v.includes(value) : v === value;
};

const ECS = { 'ecs.version': '8.11.0', 'event.kind': 'event' };

const auth: ModuleProfile = {
  moduleId: 'security_auth',
  dataset: 'ml_demo.auth',
  summary: 'Windows Security log logons (4624/4625) from workstations and servers',
  flavor: { os: 'windows', users: 'windows', sources: 'internal' },
  base: { ...ECS, 'agent.type': 'filebeat', 'event.module': 'system', 'event.dataset': 'system.security', 'event.provider': 'Microsoft-Windows-Security-Auditing', 'winlog.channel': 'Security', 'event.category': ['authentication'] },
  prefer: {},
  kindOrder: ['user', 'host', 'source'],
  affinities: [['user', 'host', 2], ['user', 'source', 2]],
  complete(f) {
    const failure = f['event.outcome'] === 'failure';
    return {
      fields: {
        'event.outcome': 'success', 'event.type': ['start'], 'event.code': failure ? '4625' : '4624', 'event.action': failure ? 'logon-failed' : 'logged-in',
        'winlog.event_id': failure ? '4625' : '4624', 'winlog.event_data.LogonType': failure ? '3' : '2', 'winlog.logon.type': failure ? 'Network' : 'Interactive', ...f,
      },
      kinds: ['user', 'host', 'source'],
    };
  },
};

function endpointEvent(f: Fields, os: 'linux' | 'windows'): { fields: Fields; kinds: EntityKind[] } {
  const network = has(f, 'event.category', 'network') || f['destination.ip'] !== undefined;
  const kinds: EntityKind[] = ['host', 'user', 'process'];
  if (network) {
    kinds.push('destination', 'dport');
    return {
      fields: { 'event.category': ['network'], 'event.type': ['start'], 'event.action': 'connection_attempted', 'event.dataset': 'endpoint.events.network', 'network.transport': 'tcp', 'network.direction': 'egress', ...f, 'destination.port': f['destination.ip'] === '169.254.169.254' ? 80 : undefined },
      kinds: f['destination.ip'] === '169.254.169.254' ? ['host', 'user', 'process', 'destination'] : kinds,
    };
  }
  kinds.push('parent');
  if (os === 'windows') kinds.push('workdir');
  return { fields: { 'event.category': ['process'], 'event.type': ['start'], 'event.action': os === 'windows' ? 'start' : 'exec', 'event.dataset': 'endpoint.events.process', ...f }, kinds };
}

const linux: ModuleProfile = {
  moduleId: 'security_linux_v3',
  dataset: 'ml_demo.linux',
  summary: 'Elastic Defend process and network events from Linux servers',
  flavor: { os: 'linux', users: 'linux', sources: 'internal' },
  base: { ...ECS, 'agent.type': 'endpoint', 'event.module': 'endpoint' },
  prefer: {},
  kindOrder: ['user', 'host', 'process', 'parent', 'destination', 'dport'],
  affinities: [['user', 'host', 3], ['host', 'process', 14], ['process', 'parent', 2]],
  complete: (f) => endpointEvent(f, 'linux'),
};

const windows: ModuleProfile = {
  moduleId: 'security_windows_v3',
  dataset: 'ml_demo.windows',
  summary: 'Elastic Defend process/network events, PowerShell script blocks, logons and service installs from Windows hosts',
  flavor: { os: 'windows', users: 'windows', sources: 'internal' },
  base: { ...ECS, 'agent.type': 'endpoint', 'event.module': 'endpoint' },
  prefer: { 'event.action': 'logged-in' },
  kindOrder: ['user', 'host', 'process', 'parent', 'workdir', 'service', 'script', 'source', 'destination', 'dport'],
  affinities: [['user', 'host', 2], ['user', 'source', 2], ['host', 'process', 14], ['process', 'parent', 2], ['host', 'service', 6]],
  complete(f) {
    const winlog = { 'agent.type': 'filebeat', 'event.module': 'windows' };
    if (f['event.provider'] === 'Microsoft-Windows-PowerShell') {
      return { fields: { ...winlog, 'event.dataset': 'windows.powershell_operational', 'event.code': '4104', 'event.action': 'Execute a Remote Command', 'event.category': ['process'], 'event.type': ['info'], 'winlog.channel': 'Microsoft-Windows-PowerShell/Operational', ...f }, kinds: ['host', 'user', 'script'] };
    }
    if (f['event.code'] === '4648') {
      return { fields: { ...winlog, 'event.module': 'system', 'event.dataset': 'system.security', 'event.provider': 'Microsoft-Windows-Security-Auditing', 'event.action': 'logged-in-explicit', 'event.category': ['authentication'], 'event.type': ['start'], 'event.outcome': 'success', ...f }, kinds: ['host', 'user', 'process'] };
    }
    if (f['event.code'] === '7045') {
      return { fields: { ...winlog, 'event.module': 'system', 'event.dataset': 'system.system', 'event.provider': 'Service Control Manager', 'event.action': 'Service Installed', 'event.category': ['configuration'], 'event.type': ['creation'], ...f }, kinds: ['host', 'user', 'service'] };
    }
    if (f['winlog.event_data.LogonType'] !== undefined) {
      return { fields: { ...winlog, 'event.module': 'system', 'event.dataset': 'system.security', 'event.provider': 'Microsoft-Windows-Security-Auditing', 'event.code': '4624', 'event.category': ['authentication'], 'event.type': ['start'], 'event.outcome': 'success', 'winlog.logon.type': 'RemoteInteractive', ...f }, kinds: ['host', 'user', 'source'] };
    }
    return endpointEvent(f, 'windows');
  },
};

const cloudtrail: ModuleProfile = {
  moduleId: 'security_cloudtrail',
  dataset: 'ml_demo.cloudtrail',
  summary: 'AWS CloudTrail API calls by IAM users from offices around the world',
  flavor: { os: 'linux', users: 'aws', sources: 'public' },
  base: { ...ECS, 'agent.type': 'filebeat', 'event.module': 'aws', 'event.dataset': 'aws.cloudtrail', 'cloud.provider': 'aws', 'cloud.region': 'us-east-1', 'cloud.account.id': '123456789012', 'aws.cloudtrail.event_version': '1.08', 'aws.cloudtrail.event_type': 'AwsApiCall' },
  prefer: {},
  kindOrder: ['user', 'source', 'aws_action', 'aws_error'],
  affinities: [['user', 'source', 2], ['user', 'aws_action', 8]],
  complete(f) {
    const error = Object.keys(f).some((k) => k.startsWith('aws.cloudtrail.error'));
    return { fields: { 'event.outcome': error ? 'failure' : 'success', 'event.category': ['web'], 'event.type': ['access'], ...f }, kinds: error ? ['user', 'source', 'aws_action', 'aws_error'] : ['user', 'source', 'aws_action'] };
  },
};

const network: ModuleProfile = {
  moduleId: 'security_network',
  dataset: 'ml_demo.network',
  summary: 'Perimeter firewall traffic logs (allowed and denied sessions, DNS) with destination geo',
  flavor: { os: 'linux', users: 'linux', sources: 'internal' },
  base: { ...ECS, 'agent.type': 'filebeat', 'event.module': 'panw', 'event.dataset': 'panw.panos', 'observer.vendor': 'Palo Alto Networks', 'observer.product': 'PAN-OS', 'observer.type': 'firewall', 'event.category': ['network'] },
  prefer: { 'event.type': 'denied' },
  kindOrder: ['source', 'destination', 'dport', 'dns'],
  affinities: [],
  complete(f) {
    const denied = has(f, 'event.type', 'denied');
    const dnsLane = Object.keys(f).some((k) => k.startsWith('dns.'));
    return {
      fields: { 'event.type': denied ? ['denied', 'connection'] : ['allowed', 'connection'], 'event.action': denied ? 'flow_denied' : 'flow_started', 'event.outcome': denied ? 'failure' : 'success', 'network.transport': 'tcp', ...(dnsLane ? { 'network.protocol': 'dns' } : {}), ...f },
      kinds: dnsLane ? ['source', 'destination', 'dns'] : ['source', 'destination', 'dport'],
    };
  },
};

const packetbeat: ModuleProfile = {
  moduleId: 'security_packetbeat',
  dataset: 'ml_demo.packetbeat',
  summary: 'Packetbeat DNS, HTTP and TLS transactions seen on a network sensor',
  flavor: { os: 'linux', users: 'linux', sources: 'internal' },
  base: { ...ECS, 'agent.type': 'packetbeat', 'event.module': 'network_traffic' },
  prefer: { 'event.dataset': 'network_traffic.dns' },
  kindOrder: ['host', 'source', 'destination', 'dns', 'url', 'user_agent', 'server_domain'],
  affinities: [],
  complete(f) {
    const ds = String(f['event.dataset'] ?? '');
    if (ds.endsWith('dns')) {
      return { fields: { 'event.category': ['network'], 'event.type': ['connection', 'protocol'], 'network.protocol': 'dns', 'network.transport': 'udp', 'destination.port': 53, 'dns.type': 'query', ...f }, kinds: ['host', 'source', 'dns'] };
    }
    if (ds.endsWith('http') || f['url.full'] !== undefined) {
      return { fields: { 'event.dataset': 'network_traffic.http', 'event.category': ['network', 'web'], 'event.type': ['connection', 'protocol'], 'network.protocol': 'http', 'network.transport': 'tcp', 'http.request.method': 'GET', 'http.response.status_code': 200, ...f }, kinds: ['host', 'source', 'destination', 'url', 'user_agent'] };
    }
    return { fields: { 'event.dataset': 'network_traffic.tls', 'event.category': ['network'], 'event.type': ['connection', 'protocol'], 'network.protocol': 'tls', 'network.transport': 'tcp', 'destination.port': 443, ...f }, kinds: ['host', 'source', 'destination', 'server_domain'] };
  },
};

const host: ModuleProfile = {
  moduleId: 'security_host',
  dataset: 'ml_demo.host',
  summary: 'Host activity from Auditbeat on every host: process starts, every one successful (Linux servers busy, Windows hosts at a floor)',
  flavor: { os: 'linux', users: 'linux', sources: 'internal', hosts: 'every' },
  base: { ...ECS, 'agent.type': 'auditbeat', 'event.module': 'system', 'event.dataset': 'system.process', 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'process_started' },
  prefer: {},
  kindOrder: ['host'],
  affinities: [],
  complete: (f) => ({ fields: { 'event.outcome': 'success', ...f }, kinds: ['host'] }),
  // Its jobs count every event of a host (a spike and a drop): servers that report steadily.
  steady: true,
  steadyFloor: { os: 'windows', share: 1 / 3 },
};

export const PROFILES: Record<string, ModuleProfile> = Object.fromEntries([auth, linux, windows, cloudtrail, network, packetbeat, host].map((p) => [p.moduleId, p]));

export function getProfile(moduleId: string): ModuleProfile {
  const profile = PROFILES[moduleId];
  if (!profile) throw new Error(`No demo-data profile for module ${moduleId}`);
  return profile;
}
