import * as fs from 'fs';
import * as path from 'path';
import { testPlan } from '../../test/helpers/generate';
import { moduleStream } from '../generators/stream';
import { compileQuery, compileQuerySet, getFieldValues, UnsupportedQueryError, type Doc } from './query_evaluator';

// The shared reference copy (with _alt_versions) and the project's own vendored copy; either may be absent.
const SHARED_MODULES = '/work/shared/reference/kibana-ml-modules';
const VENDORED_MODULES = path.resolve(__dirname, '../../catalogue-src/kibana');
const MODULE_ROOTS = [SHARED_MODULES, VENDORED_MODULES].filter((d) => fs.existsSync(d));
const MODULES = MODULE_ROOTS[0];

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? jsonFiles(p) : e.name.endsWith('.json') ? [p] : [];
  });
}
const readJson = (p: string): Record<string, unknown> => JSON.parse(fs.readFileSync(p, 'utf8'));
const datafeedQuery = (rel: string): unknown => readJson(path.join(MODULES, rel)).query;

/** Every datafeed and manifest query, labelled by file. */
const REAL_QUERIES: Array<[string, unknown]> = MODULE_ROOTS.flatMap((root) =>
  jsonFiles(root)
    .filter((f) => /^(datafeed|manifest)/.test(path.basename(f)))
    .map((f): [string, unknown] => [path.join(path.basename(root), path.relative(root, f)), readJson(f).query]),
);

const ES_AGENTS = [
  'elastic-agent.exe',
  'elastic-agent',
  'metricbeat.exe',
  'metricbeat',
  'filebeat.exe',
  'filebeat',
  'packetbeat.exe',
  'packetbeat',
  'winlogbeat.exe',
  'winlogbeat',
];

/** Compiles a single-clause query and evaluates it on each doc. */
const evalAll = (query: unknown, docs: Doc[]): boolean[] => {
  const pred = compileQuery(query);
  return docs.map((d) => pred(d));
};

function expectUnsupported(query: unknown, pathPrefix: string): UnsupportedQueryError {
  let caught: unknown;
  try {
    compileQuery(query);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UnsupportedQueryError);
  const err = caught as UnsupportedQueryError;
  expect(err.path.startsWith(pathPrefix)).toBe(true);
  expect(err.message).toContain(err.path || '<root>');
  return err;
}

describe('real Kibana Security ML module queries', () => {
  it('finds the module definitions', () => {
    expect(MODULE_ROOTS.length).toBeGreaterThan(0);
    expect(REAL_QUERIES.filter(([f]) => path.basename(f).startsWith('datafeed')).length).toBeGreaterThanOrEqual(60);
    expect(REAL_QUERIES.filter(([f]) => path.basename(f).startsWith('manifest')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(REAL_QUERIES)('%s has a query that compiles', (_file, query) => {
    expect(query).toBeDefined();
    expect(typeof compileQuery(query)).toBe('function');
  });

  describe('v3_linux_rare_sudo_user', () => {
    const pred = compileQuery(datafeedQuery('security_linux/ml/datafeed_v3_linux_rare_sudo_user.json'));
    const hit: Doc = { event: { type: ['start'], category: ['process'] }, process: { name: 'sudo' }, host: { os: { type: 'linux' } }, user: { name: 'alice' } };

    it('matches a sudo start on linux (nested and dotted shapes)', () => {
      expect(pred(hit)).toBe(true);
      expect(pred({ 'event.type': 'start', 'process.name': 'sudo', 'host.os.family': 'ubuntu' })).toBe(true);
      expect(pred({ event: { type: 'start' }, 'process.name': 'sudo', 'host.os': { family: 'redhat' } })).toBe(true);
    });
    it('rejects near misses', () => {
      expect(pred({ ...hit, process: { name: ['sudo', 'elastic-agent'] } })).toBe(false); // must_not on any value
      expect(pred({ ...hit, process: { name: 'elastic-agent' } })).toBe(false);
      expect(pred({ ...hit, host: { os: { type: 'windows' } } })).toBe(false);
      expect(pred({ ...hit, host: { os: { type: 'Linux' } } })).toBe(false); // keyword match is case-sensitive
      expect(pred({ ...hit, host: { name: 'h1' } })).toBe(false);
      expect(pred({ ...hit, event: { type: ['end'] } })).toBe(false);
    });
  });

  describe('packetbeat_rare_user_agent', () => {
    const pred = compileQuery(datafeedQuery('security_packetbeat/ml/datafeed_packetbeat_rare_user_agent.json'));
    const base: Doc = { agent: { type: 'packetbeat' }, event: { dataset: 'network_traffic.http' }, user_agent: { original: 'curl/8.4.0' } };

    it('keeps non-browser agents and excludes Mozilla*', () => {
      expect(pred(base)).toBe(true);
      expect(pred({ ...base, event: { dataset: 'http' } })).toBe(true);
      expect(pred({ ...base, user_agent: { original: 'Mozilla/5.0 (X11; Linux x86_64)' } })).toBe(false);
      expect(pred({ ...base, user_agent: { original: 'mozilla/5.0' } })).toBe(true); // wildcard is case-sensitive
    });
    it('requires packetbeat and one of the http datasets', () => {
      expect(pred({ ...base, event: { dataset: 'dns' } })).toBe(false);
      expect(pred({ ...base, agent: { type: 'filebeat' } })).toBe(false);
      expect(pred({ ...base, process: { name: 'packetbeat' } })).toBe(false);
    });
  });

  describe('high_count_network_denies', () => {
    const pred = compileQuery(datafeedQuery('security_network/ml/datafeed_high_count_network_denies.json'));
    it('needs network plus outcome deny OR type denied', () => {
      expect(pred({ event: { category: ['network'], outcome: 'deny' } })).toBe(true);
      expect(pred({ event: { category: 'network', type: ['connection', 'denied'] } })).toBe(true);
      expect(pred({ event: { category: 'network', outcome: 'success', type: ['connection'] } })).toBe(false);
      expect(pred({ event: { category: 'process', outcome: 'deny' } })).toBe(false);
    });
  });

  describe('v3_linux_anomalous_network_activity (IP must_not)', () => {
    const pred = compileQuery(datafeedQuery('security_linux/ml/datafeed_v3_linux_anomalous_network_activity.json'));
    const base: Doc = {
      event: { category: 'network', type: 'start' },
      host: { os: { family: 'debian' } },
      destination: { ip: '10.1.2.3' },
      user: { name: 'bob' },
    };
    it('excludes loopback (any IPv6 spelling) and jenkins', () => {
      expect(pred(base)).toBe(true);
      expect(pred({ ...base, destination: { ip: '127.0.0.1' } })).toBe(false);
      expect(pred({ ...base, destination: { ip: '0:0:0:0:0:0:0:1' } })).toBe(false);
      expect(pred({ ...base, destination: { ip: '::' } })).toBe(false);
      expect(pred({ ...base, user: { name: 'jenkins' } })).toBe(false);
      expect(pred({ ...base, user: { name: 'jenkins-user' } })).toBe(true);
    });
  });

  describe('v3_windows_rare_user_runas_event', () => {
    const pred = compileQuery(datafeedQuery('security_windows/ml/datafeed_v3_windows_rare_user_runas_event.json'));
    it('matches event.code given as a number or a string', () => {
      expect(pred({ event: { code: 4648 }, host: { os: { family: 'windows' } } })).toBe(true);
      expect(pred({ event: { code: '4648' }, host: { os: { type: 'windows' } } })).toBe(true);
      expect(pred({ event: { code: '4624' }, host: { os: { type: 'windows' } } })).toBe(false);
      expect(pred({ event: { code: 4648 }, host: { os: { type: 'linux' } } })).toBe(false);
    });
  });

  describe('dns_tunneling_ea (explicit minimum_should_match, nested must_not bool)', () => {
    const pred = compileQuery(datafeedQuery('security_network/ml/datafeed_dns_tunneling_ea.json'));
    it('needs a registered domain and excludes the metadata IP', () => {
      expect(pred({ event: { category: 'network' }, dns: { question: { registered_domain: 'example.com' } } })).toBe(true);
      expect(pred({ event: { category: 'network' }, dns: { question: { name: 'x.example.com' } } })).toBe(false);
      expect(pred({ event: { category: 'network' }, dns: { question: { etld_plus_one: 'example.com' } }, destination: { ip: '169.254.169.254' } })).toBe(false);
    });
  });

  describe('module recognizer query', () => {
    const pred = compileQuery(readJson(path.join(MODULES, 'security_auth/manifest.json')).query);
    it('ignores _tier (always absent) and checks event.category', () => {
      expect(pred({ event: { category: ['authentication'] } })).toBe(true);
      expect(pred({ event: { category: ['authentication'] }, _tier: 'data_frozen' })).toBe(true);
      expect(pred({ event: { category: ['process'] } })).toBe(false);
    });
  });
});

describe('getFieldValues', () => {
  it('reads nested objects, dotted keys and mixtures', () => {
    expect(getFieldValues({ host: { os: { type: 'linux' } } }, 'host.os.type')).toEqual(['linux']);
    expect(getFieldValues({ 'host.os.type': 'linux' }, 'host.os.type')).toEqual(['linux']);
    expect(getFieldValues({ 'host.os': { type: 'x' } }, 'host.os.type')).toEqual(['x']);
    expect(getFieldValues({ host: { 'os.type': 'y' } }, 'host.os.type')).toEqual(['y']);
    expect(getFieldValues({ host: { os: { type: 'a' } }, 'host.os.type': 'b' }, 'host.os.type').sort()).toEqual(['a', 'b']);
  });
  it('flattens arrays at any depth and skips nulls and objects', () => {
    expect(getFieldValues({ a: [{ b: 1 }, { b: [2, [3]] }, { b: null }] }, 'a.b')).toEqual([1, 2, 3]);
    expect(getFieldValues({ a: { b: [] } }, 'a.b')).toEqual([]);
    expect(getFieldValues({ a: { b: { c: 1 } } }, 'a.b')).toEqual([]);
    expect(getFieldValues({ a: 'x' }, 'a.b')).toEqual([]);
    expect(getFieldValues({}, 'missing')).toEqual([]);
  });
  it('treats _tier as absent and ignores inherited properties', () => {
    expect(getFieldValues({ _tier: 'data_hot' }, '_tier')).toEqual([]);
    expect(getFieldValues({}, 'constructor')).toEqual([]);
  });
});

describe('term / terms / match', () => {
  it('compares keyword values by string form, any array element', () => {
    expect(evalAll({ term: { 'event.code': 4648 } }, [{ event: { code: '4648' } }, { event: { code: 4648 } }, { event: { code: 46480 } }])).toEqual([
      true,
      true,
      false,
    ]);
    expect(evalAll({ term: { 'a.flag': 'true' } }, [{ a: { flag: true } }, { a: { flag: false } }])).toEqual([true, false]);
    expect(evalAll({ term: { tags: 'x' } }, [{ tags: ['w', 'x'] }, { tags: ['w'] }, { tags: [] }, {}, { tags: { x: 1 } }])).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });
  it('supports the {value} form and case_insensitive', () => {
    expect(evalAll({ term: { 'process.name': { value: 'sudo', boost: 2 } } }, [{ process: { name: 'sudo' } }, { process: { name: 'SUDO' } }])).toEqual([
      true,
      false,
    ]);
    expect(evalAll({ term: { 'process.name': { value: 'sudo', case_insensitive: true } } }, [{ process: { name: 'SUDO' } }])).toEqual([true]);
  });
  it('terms matches any listed value; an empty list matches nothing', () => {
    expect(evalAll({ terms: { 'process.name': ES_AGENTS, boost: 1.0 } }, [{ 'process.name': 'filebeat' }, { 'process.name': 'bash' }])).toEqual([true, false]);
    expect(evalAll({ terms: { 'process.name': [] } }, [{ 'process.name': 'bash' }])).toEqual([false]);
    expect(
      evalAll({ terms: { 'destination.port': [22, '80'] } }, [{ destination: { port: 80 } }, { destination: { port: '22' } }, { destination: { port: 443 } }]),
    ).toEqual([true, true, false]);
  });
  it('match is equality on keyword fields in both shapes', () => {
    expect(evalAll({ match: { 'host.os.type': { query: 'linux', operator: 'OR' } } }, [{ 'host.os.type': 'linux' }, { 'host.os.type': 'linux x' }])).toEqual([
      true,
      false,
    ]);
    expect(evalAll({ match: { 'host.os.type': 'linux' } }, [{ 'host.os.type': 'linux' }, { 'host.os.type': 'windows' }])).toEqual([true, false]);
  });
});

describe('IP fields', () => {
  it('matches IPv4 CIDR blocks', () => {
    const docs = ['10.0.0.1', '10.255.255.255', '11.0.0.1', 'not-an-ip', '::ffff:10.1.1.1'].map((ip) => ({ source: { ip } }));
    expect(evalAll({ term: { 'source.ip': '10.0.0.0/8' } }, docs)).toEqual([true, true, false, false, true]);
    expect(
      evalAll({ terms: { 'destination.ip': ['192.168.1.0/24', '8.8.8.8'] } }, [
        { destination: { ip: '192.168.1.77' } },
        { destination: { ip: '192.168.2.1' } },
        { destination: { ip: ['1.1.1.1', '8.8.8.8'] } },
      ]),
    ).toEqual([true, false, true]);
    const anyV4 = ['203.0.113.9', '::1', '1.2.3', '1.2.3.4.', '1..2.3', '256.1.1.1', '1.2.3.4/8', ' 1.2.3.4'].map((ip) => ({ host: { ip } }));
    expect(evalAll({ term: { 'host.ip': '0.0.0.0/0' } }, anyV4)).toEqual([true, false, false, false, false, false, false, false]);
    expect(evalAll({ term: { 'client.ip': '192.0.2.1/32' } }, [{ client: { ip: '192.0.2.1' } }, { client: { ip: '192.0.2.2' } }])).toEqual([true, false]);
  });
  it('compares IPv6 exactly after canonicalisation; CIDR only applies to ip fields', () => {
    expect(evalAll({ term: { 'server.ip': '2001:db8::1' } }, [{ server: { ip: '2001:0DB8:0:0:0:0:0:1' } }, { server: { ip: '2001:db8::2' } }])).toEqual([
      true,
      false,
    ]);
    expect(evalAll({ term: { 'user.name': '10.0.0.0/8' } }, [{ user: { name: '10.0.0.1' } }, { user: { name: '10.0.0.0/8' } }])).toEqual([false, true]);
  });
  it('refuses IPv6 CIDR and malformed addresses', () => {
    expectUnsupported({ term: { 'source.ip': '2001:db8::/32' } }, 'term.source.ip');
    expectUnsupported({ term: { 'source.ip': '10.0.0.300' } }, 'term.source.ip');
    expectUnsupported({ term: { 'source.ip': '10.0.0.0/33' } }, 'term.source.ip');
    expectUnsupported({ range: { 'source.ip': { gte: '10.0.0.0' } } }, 'range.source.ip');
  });
});

describe('wildcard / prefix', () => {
  it('globs with * and ? (case-sensitive by default)', () => {
    const docs = ['jenkins', 'jenkins-worker', 'Jenkins', 'xjenkins'].map((name) => ({ process: { name } }));
    expect(evalAll({ wildcard: { 'process.name': { wildcard: 'jenkins*' } } }, docs)).toEqual([true, true, false, false]);
    expect(evalAll({ wildcard: { 'process.name': { value: 'jenkins*', case_insensitive: true } } }, docs)).toEqual([true, true, true, false]);
    expect(evalAll({ wildcard: { 'process.name': 'j?nkins' } }, docs)).toEqual([true, false, false, false]);
  });
  it('treats regex metacharacters literally and honours backslash escapes', () => {
    expect(evalAll({ wildcard: { f: 'a.b*' } }, [{ f: 'a.bc' }, { f: 'axbc' }])).toEqual([true, false]);
    expect(evalAll({ wildcard: { f: 'a\\*' } }, [{ f: 'a*' }, { f: 'ab' }])).toEqual([true, false]);
    expect(evalAll({ wildcard: { f: '*' } }, [{ f: 'line1\nline2' }, { f: [] }])).toEqual([true, false]);
  });
  it('prefix', () => {
    expect(evalAll({ prefix: { 'file.path': '/etc/' } }, [{ file: { path: '/etc/passwd' } }, { file: { path: '/ETC/x' } }])).toEqual([true, false]);
    expect(evalAll({ prefix: { 'file.path': { value: '/etc/', case_insensitive: true } } }, [{ file: { path: '/ETC/x' } }])).toEqual([true]);
  });
});

describe('exists', () => {
  it('needs at least one non-null value', () => {
    const docs: Doc[] = [
      { user: { name: 'a' } },
      { user: { name: '' } },
      { user: { name: 0 } },
      { user: { name: false } },
      { user: { name: [] } },
      { user: { name: null } },
      { user: { name: [null] } },
      { user: {} },
      { 'user.name': 'dotted' },
    ];
    expect(evalAll({ exists: { field: 'user.name' } }, docs)).toEqual([true, true, true, true, false, false, false, false, true]);
  });
  it('_tier never exists', () => {
    expect(evalAll({ exists: { field: '_tier' } }, [{ _tier: 'data_hot' }])).toEqual([false]);
  });
});

describe('range', () => {
  it('compares numbers and numeric strings at the boundaries', () => {
    const docs = [9, 10, 15, 20, 21, '15', 'abc'].map((port) => ({ destination: { port } }));
    expect(evalAll({ range: { 'destination.port': { gte: 10, lte: 20 } } }, docs)).toEqual([false, true, true, true, false, true, false]);
    expect(evalAll({ range: { 'destination.port': { gt: '10', lt: 20 } } }, docs)).toEqual([false, false, true, false, false, true, false]);
    expect(evalAll({ range: { 'destination.port': { gte: 10, lt: null } } }, docs)).toEqual([false, true, true, true, true, true, false]);
  });
  it('compares ISO dates and epoch millis as dates', () => {
    const docs = [
      '2024-01-01T00:00:00Z',
      '2024-01-01T23:30:00.000Z',
      '2024-01-02T00:00:00Z',
      Date.parse('2024-01-01T12:00:00Z'),
      new Date('2023-12-31T00:00:00Z'),
    ].map((t) => ({ '@timestamp': t }));
    expect(
      evalAll(
        { range: { '@timestamp': { gte: '2024-01-01T00:00:00Z', lt: '2024-01-02T00:00:00Z', format: 'strict_date_optional_time||epoch_millis' } } },
        docs,
      ),
    ).toEqual([true, true, false, true, false]);
    // ES rounds a date-only lte/gt bound up to the end of that day.
    expect(evalAll({ range: { '@timestamp': { lte: '2024-01-01' } } }, docs)).toEqual([true, true, false, true, true]);
    expect(evalAll({ range: { '@timestamp': { gt: '2024-01-01' } } }, docs)).toEqual([false, false, true, false, false]);
    expect(evalAll({ range: { '@timestamp': { lt: Date.parse('2024-01-01T12:00:00Z') } } }, docs)).toEqual([true, false, false, false, true]);
  });
  it('supports now with fixed-size offsets, evaluated at match time', () => {
    const pred = compileQuery({ range: { '@timestamp': { gte: 'now-1d', lte: 'now+1h' } } });
    expect(pred({ '@timestamp': new Date(Date.now() - 3600e3).toISOString() })).toBe(true);
    expect(pred({ '@timestamp': new Date(Date.now() - 2 * 864e5).toISOString() })).toBe(false);
    expect(pred({ '@timestamp': Date.now() + 2 * 3600e3 })).toBe(false);
  });
  it('refuses what it cannot evaluate faithfully', () => {
    expectUnsupported({ range: { '@timestamp': { gte: 'now-1d/d' } } }, 'range.@timestamp.gte');
    expectUnsupported({ range: { '@timestamp': { gte: 'now-1M' } } }, 'range.@timestamp.gte');
    expectUnsupported({ range: { '@timestamp': { gte: '01/02/2024', format: 'dd/MM/yyyy' } } }, 'range.@timestamp.format');
    expectUnsupported({ range: { '@timestamp': { gte: 'yesterday' } } }, 'range.@timestamp.gte');
    expectUnsupported({ range: { '@timestamp': { gte: 1, time_zone: '+01:00' } } }, 'range.@timestamp.time_zone');
    expectUnsupported({ range: { '@timestamp': {} } }, 'range.@timestamp');
  });
});

describe('bool', () => {
  const a = { term: { k: 'a' } };
  const b = { term: { k: 'b' } };
  const c = { term: { k: 'c' } };
  const d = { term: { k: 'd' } };
  const docs: Doc[] = [{ k: [] }, { k: ['a'] }, { k: ['a', 'b'] }, { k: ['a', 'b', 'c'] }, { k: ['a', 'b', 'c', 'd'] }];
  const shouldWith = (msm?: unknown) => ({ bool: { should: [a, b, c, d], ...(msm === undefined ? {} : { minimum_should_match: msm }) } });

  it('empty bool matches everything; must_not-only excludes', () => {
    expect(evalAll({ bool: {} }, docs)).toEqual([true, true, true, true, true]);
    expect(evalAll({ bool: { must_not: a } }, docs)).toEqual([true, false, false, false, false]);
    expect(evalAll({ bool: { must_not: [b, c] } }, docs)).toEqual([true, true, false, false, false]);
  });
  it('filter and must (object or array) all have to match', () => {
    expect(evalAll({ bool: { filter: a, must: [b] } }, docs)).toEqual([false, false, true, true, true]);
    expect(evalAll({ bool: { filter: [a, c] } }, docs)).toEqual([false, false, false, true, true]);
  });
  it('should defaults to one required only when there is no filter/must', () => {
    expect(evalAll({ bool: { should: [b, d] } }, docs)).toEqual([false, false, true, true, true]);
    expect(evalAll({ bool: { filter: a, should: [d] } }, docs)).toEqual([false, true, true, true, true]);
    expect(evalAll({ bool: { filter: a, should: [d], minimum_should_match: 1 } }, docs)).toEqual([false, false, false, false, true]);
  });
  it('minimum_should_match: integers, negatives, strings and percentages like ES', () => {
    expect(evalAll(shouldWith(2), docs)).toEqual([false, false, true, true, true]);
    expect(evalAll(shouldWith('3'), docs)).toEqual([false, false, false, true, true]);
    expect(evalAll(shouldWith(-1), docs)).toEqual([false, false, false, true, true]); // 4 - 1 = 3
    expect(evalAll(shouldWith('50%'), docs)).toEqual([false, false, true, true, true]); // 2
    expect(evalAll(shouldWith('-25%'), docs)).toEqual([false, false, false, true, true]); // 4 - 1 = 3
    expect(evalAll(shouldWith('74%'), docs)).toEqual([false, false, true, true, true]); // trunc(2.96) = 2
    expect(evalAll(shouldWith(0), docs)).toEqual([true, true, true, true, true]);
    expect(evalAll(shouldWith(-10), docs)).toEqual([true, true, true, true, true]); // clamps to 0
    expect(evalAll(shouldWith(5), docs)).toEqual([false, false, false, false, false]); // more than there are
    expect(evalAll({ bool: { should: [a, b, c], minimum_should_match: '-25%' } }, docs)).toEqual([false, false, false, true, true]); // 3 + trunc(-0.75) = 3
    expect(evalAll({ bool: { filter: a, minimum_should_match: 1 } }, docs)).toEqual([false, false, false, false, false]);
  });
  it('nests', () => {
    const q = { bool: { filter: a, must_not: { bool: { should: [c, d], minimum_should_match: 2 } } } };
    expect(evalAll(q, docs)).toEqual([false, true, true, true, false]);
  });
  it('match_all and match_none', () => {
    expect(evalAll({ match_all: {} }, [{}])).toEqual([true]);
    expect(evalAll({ match_none: {} }, [{}])).toEqual([false]);
    expect(evalAll({ bool: { should: [{ match_none: {} }, { match_all: { boost: 1 } }] } }, [{}])).toEqual([true]);
  });
});

describe('unsupported and malformed queries throw with a JSON path', () => {
  const t1 = { term: { a: '1' } };
  it('names the unknown clause', () => {
    const q = { bool: { must: [{ bool: { should: [t1, t1, { fuzzy: { 'user.name': 'x' } }] } }] } };
    const err = expectUnsupported(q, 'bool.must[0].bool.should[2].fuzzy');
    expect(err.path).toBe('bool.must[0].bool.should[2].fuzzy');
    expect(err.message).toContain('bool.must[0].bool.should[2].fuzzy');
    expectUnsupported({ bool: { must_not: { query_string: { query: 'x' } } } }, 'bool.must_not.query_string');
    expectUnsupported({ nested: { path: 'x', query: { match_all: {} } } }, 'nested');
  });
  it('rejects malformed clauses', () => {
    expect(expectUnsupported(null, '').path).toBe('');
    expectUnsupported('term', '');
    expectUnsupported({}, '');
    expectUnsupported({ term: { a: 'x' }, match: { a: 'x' } }, '');
    expectUnsupported({ bool: { filter: [1] } }, 'bool.filter[0]');
    expectUnsupported({ bool: { should: [], bogus: [] } }, 'bool.bogus');
    expectUnsupported({ bool: { should: [t1], minimum_should_match: '3<90%' } }, 'bool.minimum_should_match');
    expectUnsupported({ term: { a: 'x', b: 'y' } }, 'term');
    expectUnsupported({ term: {} }, 'term');
    expectUnsupported({ term: { a: null } }, 'term.a');
    expectUnsupported({ term: { a: { value: 'x', foo: 1 } } }, 'term.a.foo');
    expectUnsupported({ terms: { a: { index: 'i', id: '1', path: 'p' } } }, 'terms.a');
    expectUnsupported({ match: { a: { query: 'x', fuzziness: 'AUTO' } } }, 'match.a.fuzziness');
    expectUnsupported({ match: { message: 'failed login' } }, 'match.message');
    expectUnsupported({ wildcard: { a: { value: 'x*', wildcard: 'y*' } } }, 'wildcard.a');
    expectUnsupported({ exists: { field: 'host.*' } }, 'exists.field');
    expectUnsupported({ match_all: { foo: 1 } }, 'match_all.foo');
  });
});

describe('performance', () => {
  it('evaluates compiled queries quickly', () => {
    const pred = compileQuery(datafeedQuery('security_linux/ml/datafeed_v3_linux_anomalous_network_activity.json'));
    const doc: Doc = {
      event: { category: 'network', type: 'start' },
      host: { os: { family: 'debian' } },
      destination: { ip: '10.1.2.3' },
      process: { name: 'curl' },
      user: { name: 'bob' },
    };
    const start = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < 100_000; i++) if (pred(doc)) n++;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(n).toBe(100_000);
    expect(ms).toBeLessThan(5000);
  });
});

describe('compileQuerySet', () => {
  it("answers every query as compileQuery does, on every module's documents and hand-made edge cases", () => {
    const plan = testPlan({
      modules: ['security_auth', 'security_linux_v3', 'security_windows_v3', 'security_cloudtrail', 'security_network', 'security_packetbeat'],
      historyDays: 3,
    });
    const queries = [...plan.modules.flatMap((m) => m.jobs.map((j) => j.job.datafeed.query)), ...REAL_QUERIES.slice(0, 40).map(([, q]) => q)].filter((q) => {
      try {
        compileQuery(q);
        return true;
      } catch {
        return false;
      }
    });
    const single = queries.map((q) => compileQuery(q));
    const set = compileQuerySet(queries);
    const docs: Doc[] = [
      { 'host.os': { type: 'linux' }, event: { category: ['process', 'network'], type: 'start' }, 'process.name': ['sudo', null] },
      { host: { 'os.family': 'windows' }, event: { code: 4648, category: 'authentication', outcome: 'success' }, source: { ip: '10.0.0.1' } },
      {},
    ];
    for (const m of plan.modules) {
      let k = 0;
      for (const line of moduleStream(plan, m, { chunkDocs: 200 }).next().value!.ndjson.split('\n'))
        if (line && k++ % 7 === 0) docs.push(JSON.parse(line) as Doc);
    }
    let matched = 0;
    for (const doc of docs) {
      set.begin(doc);
      const got = set.predicates.map((p) => p(doc));
      expect(got).toEqual(single.map((p) => p(doc)));
      matched += got.filter(Boolean).length;
    }
    expect(queries.length).toBeGreaterThan(30);
    expect(matched).toBeGreaterThan(20);
  });
});
