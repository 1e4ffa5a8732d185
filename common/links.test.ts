import {
  alertsPath,
  alertsTimeRange,
  alertsUrl,
  anomalyExplorerPath,
  anomalyExplorerUrl,
  encodeUriQuery,
  explorerLocatorParams,
  kibanaAppUrl,
  risonEncode,
  ruleIdsKql,
  ruleUrl,
  spaceFromBasePath,
  spacePrefix,
} from './links';

const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-15T00:00:00.000Z' };

describe('risonEncode', () => {
  it('encodes like rison-node: sorted keys, ids bare, other strings quoted', () => {
    expect(risonEncode({ b: 1, a: 'x y', c: [true, false, null] })).toBe("(a:'x y',b:1,c:!(!t,!f,!n))");
    expect(risonEncode('')).toBe("''");
    expect(risonEncode('auth_rare_user')).toBe('auth_rare_user');
    expect(risonEncode('1abc')).toBe("'1abc'");
    expect(risonEncode('-x')).toBe("'-x'");
    expect(risonEncode("it's!")).toBe("'it!'s!!'");
    expect(risonEncode({})).toBe('()');
    expect(risonEncode([])).toBe('!()');
    expect(risonEncode({ a: undefined, b: 2 })).toBe('(b:2)');
    expect(risonEncode(1e21)).toBe('1e21');
  });
});

describe('encodeUriQuery', () => {
  it('keeps rison punctuation readable and percent-encodes the rest', () => {
    expect(encodeUriQuery("(a:'x y',b:!(1,2))")).toBe("(a:'x%20y',b:!(1,2))");
    expect(encodeUriQuery('"a"&b=c#')).toBe('%22a%22%26b%3Dc%23');
  });
});

describe('space prefix', () => {
  it('is empty for the default space and /s/<id> otherwise', () => {
    expect(spacePrefix()).toBe('');
    expect(spacePrefix('default')).toBe('');
    expect(spacePrefix('demo')).toBe('/s/demo');
    expect(kibanaAppUrl('ml', '/explorer', { space: 'demo', kibanaUrl: 'https://kb:5601/' })).toBe('https://kb:5601/s/demo/app/ml/explorer');
    expect(kibanaAppUrl('securitySolutionUI', '/alerts')).toBe('/app/security/alerts');
  });
  it('reads the space from a base path', () => {
    expect(spaceFromBasePath('')).toBe('default');
    expect(spaceFromBasePath('/kbn')).toBe('default');
    expect(spaceFromBasePath('/kbn/s/demo')).toBe('demo');
    expect(spaceFromBasePath('/s/my%20space/')).toBe('my space');
  });
});

describe('Anomaly Explorer', () => {
  it('builds the URL ML itself builds (reference §4)', () => {
    expect(anomalyExplorerPath({ jobIds: ['job_a', 'job_b'], timeRange: range })).toBe(
      "/explorer?_g=(ml:(jobIds:!(job_a,job_b)),time:(from:'2026-01-01T00:00:00.000Z',mode:absolute,to:'2026-01-15T00:00:00.000Z'))&_a=(explorer:(mlExplorerFilter:(),mlExplorerSwimlane:()))",
    );
  });
  it('is space-aware and absolute when given a Kibana URL', () => {
    const url = anomalyExplorerUrl({ jobIds: ['auth_rare_user'], timeRange: range }, { space: 'sec', kibanaUrl: 'http://localhost:5601' });
    expect(url.startsWith('http://localhost:5601/s/sec/app/ml/explorer?_g=(ml:(jobIds:!(auth_rare_user))')).toBe(true);
    const parsed = new URL(url);
    expect(parsed.searchParams.get('_g')).toContain("time:(from:'2026-01-01T00:00:00.000Z',mode:absolute,to:'2026-01-15T00:00:00.000Z')");
  });
  it('gives the ML locator params', () => {
    expect(explorerLocatorParams({ jobIds: ['a'], timeRange: range })).toEqual({
      page: 'explorer',
      pageState: { jobIds: ['a'], timeRange: { ...range, mode: 'absolute' } },
    });
  });
  it('refuses an empty job list', () => {
    expect(() => anomalyExplorerPath({ jobIds: [], timeRange: range })).toThrow(/at least one/);
  });
});

describe('Security alerts and rules', () => {
  it('filters on kibana.alert.rule.rule_id with KQL', () => {
    expect(ruleIdsKql(['a', 'b'])).toBe('kibana.alert.rule.rule_id: ("a" or "b")');
    expect(ruleIdsKql(['q"x\\'])).toBe('kibana.alert.rule.rule_id: ("q\\"x\\\\")');
    expect(() => ruleIdsKql([])).toThrow();
  });
  it('puts the KQL in the query URL state the alerts page reads', () => {
    const path = alertsPath({ ruleIds: ['29b53942-7cd4-11ee-b962-0242ac120002', 'b'] });
    expect(path).toBe("/alerts?query=(language:kuery,query:'kibana.alert.rule.rule_id:%20(%2229b53942-7cd4-11ee-b962-0242ac120002%22%20or%20%22b%22)')");
    const query = new URL(`http://x${path}`).searchParams.get('query');
    expect(query).toBe(`(language:kuery,query:'kibana.alert.rule.rule_id: ("29b53942-7cd4-11ee-b962-0242ac120002" or "b")')`);
  });
  it('adds an absolute timerange for global and timeline', () => {
    const url = alertsUrl({ ruleIds: ['r1'], timeRange: range }, { space: 'demo' });
    expect(url.startsWith('/s/demo/app/security/alerts?query=')).toBe(true);
    const timerange = new URL(`http://x${url}`).searchParams.get('timerange');
    expect(timerange).toBe(
      "(global:(linkTo:!(timeline),timerange:(from:'2026-01-01T00:00:00.000Z',kind:absolute,to:'2026-01-15T00:00:00.000Z')),timeline:(linkTo:!(global),timerange:(from:'2026-01-01T00:00:00.000Z',kind:absolute,to:'2026-01-15T00:00:00.000Z')))",
    );
  });
  it('links a rule by its saved-object id', () => {
    expect(ruleUrl('abc-123', { space: 'demo' })).toBe('/s/demo/app/security/rules/id/abc-123');
  });
  it('covers the alerts of a run: an hour before it started to a day after', () => {
    expect(alertsTimeRange('2026-01-15T10:00:00.000Z')).toEqual({ from: '2026-01-15T09:00:00.000Z', to: '2026-01-16T10:00:00.000Z' });
  });
});
