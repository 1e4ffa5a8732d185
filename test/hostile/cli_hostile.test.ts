/**
 * Hostile command lines and environment variables, run through the real CLI entry point (in
 * process, so hundreds of cases take seconds). Every one must exit non-zero with one line naming
 * the flag or variable, no stack trace, nothing on stdout (no "Connecting…") and not one request
 * to the stack: options and connection are checked before anything is sent.
 */
import { main } from '../../bin/ml_demo_data';
import { clearSecrets } from '../../bin/redact';
import { startStandin, type Standin } from '../standin';

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Text the error line must contain (the flag or variable), case-insensitive. */
  names: string;
}

const GENERATION_BAD: Record<string, string[]> = {
  '--history-days': ['2', '91', '3.5', '0x5', '', '1e1', ' 3', '-3', 'abc', 'Infinity', 'NaN', '14x', '99999999999', '2.999'],
  '--scale': ['0', '1e-9', '-1', '0.5', '0.99', '101', 'abc', '', '1e2', '0x1', 'Infinity', '1,5'],
  '--anomalies-per-job': ['0', '11', '1.5', '', 'x', '-1', '1e0'],
  '--end': [
    '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '0', '2026', '1700000000000',
    'yesterday', '2026-11-20', '2026-11-20T25:00:00Z', '2026-13-01T00:00:00Z', '', '2026-11-20T10:00:00+01:00', '2026-11-20T10:60:00Z', 'now',
  ],
  '--seed': ['', 'a b', 'x'.repeat(65), 'ü', '../x', 'a;b', 'x\ny'],
  '--namespace': ['zz,logs-other-default', '*', 'x,my-template', 'Default', 'has-dash', '', 'a'.repeat(101), '../x', 'a b', 'logs-*'],
  '--theme': ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'initech', '', 'ACME'],
  '--variant': ['v9', '', 'constructor'],
  '--modules': ['nope', '', ',', 'constructor', '__proto__', 'UPPER', 'a b', 'x'.repeat(81), 'security_auth,nope', 'toString', 'security_auth;rm'],
};

function generationCases(): Case[] {
  const out: Case[] = [];
  for (const command of ['setup', 'bundle', 'verify', 'generate-ml-data']) {
    for (const [flag, values] of Object.entries(GENERATION_BAD)) {
      values.forEach((value, i) => out.push({ name: `${command} ${flag} #${i} ${JSON.stringify(value).slice(0, 30)}`, args: [command, flag, value], names: flag }));
    }
  }
  return out;
}

const NAMESPACE_BAD = GENERATION_BAD['--namespace'];
const URL_BAD = ['notaurl', 'ftp://x', 'javascript:alert(1)', 'http://', 'http://host:9200?x=1', 'http://host#f', 'file:///etc/passwd', 'http://:pw@host', 'http://user@host', 'http://user:%ZZ@host'];

function stackCases(): Case[] {
  const out: Case[] = [];
  for (const command of ['cleanup', 'status']) {
    NAMESPACE_BAD.forEach((ns, i) => out.push({ name: `${command} --namespace #${i}`, args: [command, '--namespace', ns], names: '--namespace' }));
  }
  for (const command of ['setup', 'cleanup', 'status']) {
    URL_BAD.forEach((url, i) => {
      out.push({ name: `${command} ES_URL #${i}`, args: [command], env: { ES_URL: url }, names: 'ES_URL' });
      out.push({ name: `${command} --es-url #${i}`, args: [command, '--es-url', url], names: '--es-url' });
      out.push({ name: `${command} KIBANA_URL #${i}`, args: [command], env: { KIBANA_URL: url }, names: 'KIBANA_URL' });
    });
    for (const [i, space] of ['../../api/x', 'A', 'a b', 'a/b', '%2e%2e', '', 'x'.repeat(256), 's?x=1'].entries()) {
      out.push({ name: `${command} --space #${i}`, args: [command, '--space', space], names: '--space' });
      if (space) out.push({ name: `${command} KIBANA_SPACE #${i}`, args: [command], env: { KIBANA_SPACE: space }, names: 'KIBANA_SPACE' });
    }
    for (const [i, key] of ['a b', 'x\ny', 'é', 'x\u0000'].entries()) out.push({ name: `${command} ELASTIC_API_KEY #${i}`, args: [command], env: { ELASTIC_API_KEY: key }, names: 'ELASTIC_API_KEY' });
    out.push({ name: `${command} ES_USERNAME with ":"`, args: [command], env: { ES_USERNAME: 'a:b', ES_PASSWORD: 'pw', ELASTIC_API_KEY: '' }, names: 'ES_USERNAME' });
    out.push({ name: `${command} ES_USERNAME without password`, args: [command], env: { ES_USERNAME: 'bob', ELASTIC_API_KEY: '' }, names: 'password' });
    out.push({ name: `${command} ES_PASSWORD too long`, args: [command], env: { ES_PASSWORD: 'p'.repeat(1025), ELASTIC_API_KEY: '' }, names: 'ES_PASSWORD' });
    out.push({ name: `${command} API key and password`, args: [command], env: { ES_PASSWORD: 'pw' }, names: 'ELASTIC_API_KEY' });
    for (const [i, v] of ['yes', '2', 'on'].entries()) out.push({ name: `${command} ML_DEMO_INSECURE #${i}`, args: [command], env: { ML_DEMO_INSECURE: v }, names: 'ML_DEMO_INSECURE' });
  }
  out.push({ name: 'setup --chunk-size 0', args: ['setup', '--chunk-size', '0'], names: '--chunk-size' });
  out.push({ name: 'setup --chunk-size 1.5', args: ['setup', '--chunk-size', '1.5'], names: '--chunk-size' });
  out.push({ name: 'setup --chunk-size 100001', args: ['setup', '--chunk-size', '100001'], names: '--chunk-size' });
  out.push({ name: 'setup --chunk-size ""', args: ['setup', '--chunk-size', ''], names: '--chunk-size' });
  out.push({ name: 'rules -t query', args: ['rules', '-t', 'query'], names: '-t' });
  out.push({ name: 'rules -r x', args: ['rules', '-r', 'x'], names: '-r' });
  out.push({ name: 'rules --ml-modules nope', args: ['rules', '--ml-modules', 'nope'], names: '--ml-modules' });
  out.push({ name: 'rules --history-days 1', args: ['rules', '--history-days', '1'], names: '--history-days' });
  out.push({ name: 'setup unknown option', args: ['setup', '--frobnicate'], names: '--frobnicate' });
  out.push({ name: 'setup option without value', args: ['setup', '--history-days'], names: '--history-days' });
  out.push({ name: 'unknown command', args: ['frobnicate'], names: 'frobnicate' });
  out.push({ name: 'bundle --out a file', args: ['bundle', '--out', __filename], names: '--out' });
  // Issue 9: the user's own jobs.
  for (const command of ['bundle', 'verify']) {
    for (const [i, ids] of ['BAD ID', '', ',', 'a,,b', 'x'.repeat(65), '-x', 'a;b'].entries()) out.push({ name: `${command} --from-stack #${i}`, args: [command, '--from-stack', ids], names: '--from-stack' });
    out.push({ name: `${command} --from-stack without a stack`, args: [command, '--from-stack', 'my_job'], env: { ES_URL: '' }, names: '--from-stack' });
    out.push({ name: `${command} --job-file missing`, args: [command, '--job-file', '/nonexistent/job.json'], names: '--job-file' });
    out.push({ name: `${command} --job-file a directory without jobs`, args: [command, '--job-file', __dirname], names: '--job-file' });
    out.push({ name: `${command} --datafeed-file alone`, args: [command, '--datafeed-file', __filename], names: '--datafeed-file' });
  }
  out.push({ name: 'bundle --out ""', args: ['bundle', '--out', ''], names: '--out' });
  out.push({ name: 'list --variant v9', args: ['list', '--variant', 'v9'], names: '--variant' });
  return out;
}

const CASES: Case[] = [...generationCases(), ...stackCases()];

let standin: Standin;
beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  await standin.close();
});
afterEach(() => clearSecrets());

async function runCli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { ES_URL: standin.esUrl, KIBANA_URL: standin.kibanaUrl, ELASTIC_API_KEY: 'c2VjcmV0OmtleQ==', ...env },
  });
  return { code, out, err };
}

describe('hostile command lines and environment variables', () => {
  it(`has at least 300 cases (${CASES.length}), all distinct`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(300);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it('refuses every one with one line naming the field, before any request to the stack', async () => {
    const wrong: string[] = [];
    for (const c of CASES) {
      const r = await runCli(c.args, c.env);
      const lines = r.err.split('\n').filter(Boolean);
      if (r.code === 0) wrong.push(`${c.name}: exit 0`);
      else if (lines.length !== 1 || !lines[0].startsWith('error: ')) wrong.push(`${c.name}: not one error line: ${JSON.stringify(r.err)}`);
      else if (!lines[0].toLowerCase().includes(c.names.toLowerCase())) wrong.push(`${c.name}: does not name ${c.names}: ${lines[0]}`);
      else if (/\n\s+at |TypeError|Cannot read properties/.test(r.err)) wrong.push(`${c.name}: crash: ${r.err}`);
      else if (r.out !== '') wrong.push(`${c.name}: printed ${JSON.stringify(r.out.slice(0, 80))}`);
      else if (lines[0].length > 400) wrong.push(`${c.name}: ${lines[0].length} characters`);
    }
    expect(wrong).toEqual([]);
    expect(standin.requests).toEqual([]);
  });
});
