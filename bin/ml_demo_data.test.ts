import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { Client } from '@elastic/elasticsearch';
import { startStandin, type Standin } from '../test/standin';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The CLI as users run it: compiled JavaScript (npm run build), in a child process.
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'target/bin/ml_demo_data.js');

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ES_URL: '', KIBANA_URL: '', ...env } });

describe('ml-demo-data CLI', () => {
  it('bundle: writes the bundle, prints what it wrote, the verify table and how to load it', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const r = run(['bundle', '--modules', 'security_linux,cloudtrail_rare_method_for_a_city', '--history-days', '3', '--out', out, '--end', '2026-05-05T12:00:00Z']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/notice: Module "security_linux" is called "security_linux_v3"/);
      expect(r.stdout).toMatch(/Wrote \d+ documents/);
      expect(r.stdout).toMatch(/\d+\/15 jobs predicted to score their rules' threshold \+ 10/);
      expect(r.stdout).toMatch(/load\.sh/);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.window.end).toBe('2026-05-05T12:00:00.000Z');
      expect(existsSync(join(out, 'data/logs-ml_demo.cloudtrail-default.ndjson'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each([
    [['bundle', '--history-days', '2'], /^error: --history-days must be between 3 and 90/],
    [['bundle', '--modules', 'nope'], /^error: --modules: Unknown module or job: nope/],
    [['bundle', '--scale', 'lots'], /^error: --scale must be a decimal number from 1 to 100/],
    // Issue 10: each of these was accepted, crashed or printed Node's raw error.
    [['bundle', '--history-days', '3.5'], /^error: --history-days must be between 3 and 90 days, a whole number.*; got "3.5"\n$/],
    [['verify', '--scale', '1e-9'], /^error: --scale must be a decimal number from 1 to 100/],
    [['verify', '--theme', 'constructor'], /^error: --theme must be one of acme, globex; got "constructor"\n$/],
    [['verify', '--end', '2026-02-30T00:00:00Z'], /^error: --end must be a date and time that exist/],
    [['verify', '--end', '0'], /^error: --end must be a date as an ISO 8601 UTC time/],
    [['bundle', '--out', '/etc/passwd'], /^error: --out \/etc\/passwd exists and is not a directory; choose a new or empty directory\n$/],
    [['cleanup', '--es-url', 'http://127.0.0.1:9', '--namespace', 'zz,logs-other-default'], /^error: --namespace must be 1-100 characters/],
    [['status', '--es-url', 'http://127.0.0.1:9', '--namespace', '*'], /^error: --namespace must be 1-100 characters/],
    [['setup', '--es-url', 'http://127.0.0.1:9', '--space', '../../api/x'], /^error: --space must be a Kibana space id/],
    [['bundle', '--variant', 'v9'], /error: option '--variant <ids>' argument 'v9' is invalid/],
    [['frobnicate'], /^error: unknown command 'frobnicate'/],
    // Issue 9: the user's own jobs.
    [['bundle', '--job-file', 'nope.json'], /^error: --job-file nope\.json: does not exist \(ENOENT\)\n$/],
    [['verify', '--datafeed-file', 'test/fixtures/custom_jobs/datafeed_host_low_count_5m.json'], /^error: --datafeed-file needs --job-file/],
    [['verify', '--job-file', 'package.json'], /^error: package\.json: analysis_config is missing; give the body of PUT _ml\/anomaly_detectors\/<job> or a Kibana module job file\n$/],
  ])('%j fails with one clear line and no stack trace', (args, message) => {
    const r = run(args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bundle --job-file: data for the user\'s own jobs that the engine model passes', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const r = run(['bundle', '--job-file', 'test/fixtures/custom_jobs', '--out', out, '--end', '2026-05-05T12:00:00Z']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/data\/logs-ml_demo\.custom-default\.ndjson +\d+ docs/);
      expect(r.stdout).toMatch(/10\/10 jobs predicted to score their rules' threshold \+ 10/);
      expect(JSON.parse(readFileSync(join(out, 'ml/anomaly_detectors/host_low_count_5m.json'), 'utf8')).analysis_config.bucket_span).toBe('5m');
      expect(JSON.parse(readFileSync(join(out, 'ml/datafeeds/datafeed-host_low_count_5m.json'), 'utf8'))).toMatchObject({ job_id: 'host_low_count_5m', indices: ['logs-ml_demo.custom-default'] });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('verify --modules security_host, both job variants: the spike and the drop pass', () => {
    for (const variant of ['classic', 'ea']) {
      const r = run(['verify', '--modules', 'security_host', '--variant', variant, '--end', '2026-05-05T12:00:00Z']);
      expect(r.stderr).toBe('');
      expect({ variant, status: r.status }).toEqual({ variant, status: 0 });
      expect(r.stdout).toMatch(/2\/2 jobs predicted to score their rules' threshold \+ 10/);
      expect(r.stdout).toMatch(/low_count_events_for_a_host_name\S* +low_count/);
    }
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const b = run(['bundle', '--modules', 'security_host', '--variant', 'ea', '--out', out, '--end', '2026-05-05T12:00:00Z']);
      expect(b.status).toBe(0);
      expect(b.stdout).toMatch(/data\/logs-ml_demo\.host-default\.ndjson +\d+ docs/);
      expect(existsSync(join(out, 'ml/anomaly_detectors/low_count_events_for_a_host_name_ea.json'))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'ml/datafeeds/datafeed-high_count_events_for_a_host_name_ea.json'), 'utf8')).indices).toEqual(['logs-ml_demo.host-default']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('the help says what --end and --history-days accept, as the checks do', () => {
    const help = run(['setup', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--end <time> end of the data, ISO 8601 UTC (e.g. 2026-05-05T12:00:00Z), from 2000-01-01 to one day ahead of now');
    expect(help).not.toMatch(/epoch/i);
    expect(help).toContain('--history-days <n> days of baseline history, a whole number from 3 to 90');
    expect(help).toContain('--scale <x> multiplies baseline events per bucket, 1 to 100');
  });

  it('checks every option before connecting: a bad option against an unreachable stack fails at once, naming the option', () => {
    const started = Date.now();
    // 10.255.255.1 does not answer: connecting would hang for seconds.
    const r = run(['setup', '--history-days', '2'], { ES_URL: 'http://10.255.255.1:9200' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: --history-days must be between 3 and 90/);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('bundle --out keeps what is not its own (a directory with a foreign manifest.json is refused)', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-own-'));
    try {
      writeFileSync(join(out, 'manifest.json'), '{}');
      writeFileSync(join(out, 'important.txt'), 'precious');
      const r = run(['bundle', '--out', out, '--modules', 'security_network', '--history-days', '3']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: --out .* has a manifest.json that is not an ml-demo-data bundle's/);
      expect(readFileSync(join(out, 'important.txt'), 'utf8')).toBe('precious');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('verify prints the table for chosen jobs', () => {
    const r = run(['verify', '--modules', 'auth_rare_user,high_count_network_denies', '--history-days', '14']);
    expect(r.stdout).toMatch(/auth_rare_user\s+rare/);
    expect(r.stdout).toMatch(/2\/2 jobs predicted to score their rules' threshold \+ 10/);
    expect(r.status).toBe(0);
  });

  it('verify --json prints the JSON alone on standard output; notices go to standard error', () => {
    const r = run(['verify', '--json', '--modules', 'auth_rare_user,high_count_network_denies', '--anomalies-per-job', '2', '--history-days', '14']);
    expect(r.stderr).toMatch(/^notice: high_count_network_denies: one series/m);
    const results = JSON.parse(r.stdout) as Array<{ jobId: string; pass: boolean }>;
    expect(results.map((x) => x.jobId).sort()).toEqual(['auth_rare_user', 'high_count_network_denies']);
    expect(r.status).toBe(results.every((x) => x.pass) ? 0 : 2);
  });

  it('list shows modules, detectors and rules', () => {
    const r = run(['list']);
    expect(r.stdout).toMatch(/security_auth\s+Security: Authentication \(7 jobs\)/);
    expect(r.stdout).toMatch(/auth_rare_user\s+rare by user.name/);
    expect(r.stdout).toMatch(/Rare User Logon \(>= 75\)/);
  });
});

/** The CLI against the contract-validating stand-in, as a user runs it (asynchronously: the stand-in lives in this process). */
describe('ml-demo-data CLI against a stack (stand-in)', () => {
  let standin: Standin;
  beforeEach(async () => {
    standin = await startStandin();
  });
  afterEach(async () => {
    standin.assertNoViolations();
    await standin.close();
  });

  function cli(args: string[], extraEnvOrOnOutput?: NodeJS.ProcessEnv | ((text: string, child: ReturnType<typeof spawn>) => void), onOutputArg?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string }> {
    const onOutput = typeof extraEnvOrOnOutput === 'function' ? extraEnvOrOnOutput : onOutputArg;
    const extraEnv = typeof extraEnvOrOnOutput === 'object' ? extraEnvOrOnOutput : {};
    const env = { ...process.env, ES_URL: standin.esUrl, KIBANA_URL: standin.kibanaUrl, ELASTIC_API_KEY: 'c2VjcmV0OmtleQ==', ...extraEnv };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
  }

  it('setup, status and cleanup: report with links, no secret printed', async () => {
    const setup = await cli(['setup', '--modules', 'security_network', '--history-days', '3', '--end', '2026-05-05T12:00:00Z']);
    expect(setup.out).toMatch(/SUCCEEDED/);
    expect(setup.code).toBe(0);
    expect(setup.out).toMatch(/Anomaly Explorer: http:\/\/127\.0\.0\.1:\d+\/app\/ml\/explorer\?_g=\(ml:\(jobIds:!\(high_count_by_destination_country,/);
    expect(setup.out).toMatch(/Alerts: +http:\/\/127\.0\.0\.1:\d+\/app\/security\/alerts\?query=/);
    expect(setup.out).not.toContain('c2VjcmV0OmtleQ==');
    const status = await cli(['status']);
    expect(status.out).toMatch(/logs-ml_demo\.network-default +\d+ docs/);
    const cleanup = await cli(['cleanup']);
    expect(cleanup.out).toMatch(/Removed 1 data streams, 1 index templates, 4 ML jobs/);
    expect(standin.state.jobs.size).toBe(0);
  });

  it('setup --job-file: the user\'s own jobs through the ES API, with the numeric fields mapped as numbers', async () => {
    const setup = await cli(['setup', '--job-file', 'test/fixtures/custom_jobs', '--history-days', '5', '--end', '2026-05-05T12:00:00Z']);
    expect(setup.out).toMatch(/SUCCEEDED/);
    expect(setup.code).toBe(0);
    expect(setup.out).toMatch(/into logs-ml_demo\.custom-default/);
    expect([...standin.state.jobs.keys()].sort()).toContain('host_low_count_5m');
    expect(standin.state.jobs.size).toBe(10);
    const cleanup = await cli(['cleanup']);
    expect(cleanup.out).toMatch(/Removed 1 data streams, 1 index templates, 10 ML jobs/);
  });

  it('setup --modules security_host: Kibana\'s module through its module setup, both jobs processed', async () => {
    const setup = await cli(['setup', '--modules', 'security_host', '--history-days', '4', '--end', '2026-05-05T12:00:00Z']);
    expect(setup.out).toMatch(/SUCCEEDED/);
    expect(setup.code).toBe(0);
    expect(setup.out).toMatch(/high_count_events_for_a_host_name +processed/);
    expect(setup.out).toMatch(/low_count_events_for_a_host_name +processed +drop: no events in one bucket for host\.name=/);
    expect(standin.state.jobs.size).toBe(2);
  });

  it('verify --from-stack: a job that exists in the cluster, read with GET only, passes', async () => {
    const es = new Client({ node: standin.esUrl, auth: { apiKey: 'c2VjcmV0OmtleQ==' } });
    try {
      const job = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/custom_jobs/net_bytes_sum_5m.json'), 'utf8')) as Record<string, unknown>;
      const { datafeed_config: feed, description, ...body } = job as { datafeed_config: Record<string, unknown>; description: string };
      await es.ml.putJob({ job_id: 'teams_bytes', description, ...(body as object) } as Parameters<typeof es.ml.putJob>[0]);
      await es.ml.putDatafeed({ datafeed_id: 'datafeed-teams_bytes', job_id: 'teams_bytes', indices: ['logs-*'], query: feed.query } as Parameters<typeof es.ml.putDatafeed>[0]);
    } finally {
      await es.close();
    }
    const writes = () => standin.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const r = await cli(['verify', '--from-stack', 'teams_bytes', '--end', '2026-05-05T12:00:00Z']);
    expect(r.out).toMatch(/teams_bytes +high_sum .* PASS/);
    expect(r.out).toMatch(/1\/1 jobs predicted/);
    expect(r.code).toBe(0);
    expect(writes()).toBe(before);
    const missing = await cli(['verify', '--from-stack', 'nobody_job']);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^error: --from-stack: "nobody_job" is not a job in Elasticsearch http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('credentials in the URL are used for Elasticsearch and Kibana and never printed', async () => {
    await standin.close();
    standin = await startStandin({ credentials: { users: { elastic: 'S3CR3T' } } });
    const es = new URL(standin.esUrl);
    const r = await cli(['setup', '--modules', 'security_network', '--history-days', '3', '--es-url', `http://elastic:S3CR3T@${es.host}`], { ELASTIC_API_KEY: '' });
    expect(r.out).toMatch(/Connecting to Elasticsearch http:\/\/127\.0\.0\.1:\d+, Kibana http:\/\/127\.0\.0\.1:\d+ \(space default\) with user elastic\n/);
    expect(r.out).toMatch(/SUCCEEDED/);
    expect(r.out).toMatch(/Rules: .*\(installed\)/); // Kibana took the URL's credentials too
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('S3CR3T');
    expect(r.out).not.toContain(Buffer.from('elastic:S3CR3T').toString('base64'));
  });

  it('a failing Kibana URL with credentials: the error names it without them', async () => {
    const r = await cli(['setup', '--modules', 'security_network', '--history-days', '3', '--kibana-url', 'http://bob:Pa55word@127.0.0.1:9']);
    expect(r.out).toMatch(/Kibana http:\/\/127\.0\.0\.1:9 /);
    expect(r.out).toMatch(/cannot connect to Kibana at http:\/\/127\.0\.0\.1:9/);
    expect(r.out).not.toMatch(/Pa55word|bob:/);
    expect(r.code).toBe(1);
  });

  it('rules -t machine_learning --generate-ml-data --enable-ml-jobs --ml-modules: the older command, for real', async () => {
    const r = await cli(['rules', '-r', '10', '-t', 'machine_learning', '--generate-ml-data', '--enable-ml-jobs', '--ml-modules', 'security_packetbeat', '--history-days', '3']);
    expect(r.code).toBe(0);
    expect(standin.state.jobs.size).toBe(5);
    expect([...(standin.state.rules.get('default')?.keys() ?? [])]).toHaveLength(5);
  });

  it('Ctrl-C in the middle: stops, says what it created and how to clean it', async () => {
    standin.faults.delay(50, 'POST /_bulk');
    let sent = false;
    const r = await cli(['setup', '--modules', 'security_auth', '--history-days', '5', '--chunk-size', '300'], (out, child) => {
      if (!sent && out.includes('» index')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    expect(r.out).toMatch(/Cancelling/);
    expect(r.out).toMatch(/CANCELLED/);
    expect(r.out).toMatch(/ml-demo-data cleanup --namespace default/);
    expect(r.code).toBe(1);
  });

  it('an 8.x cluster: the 9.x client talks to it with 8.x compatibility headers', async () => {
    await standin.close();
    standin = await startStandin({ esVersion: '8.19.2', kibanaVersion: '8.19.2' });
    const r = await cli(['generate-ml-data', '--modules', 'security_network', '--history-days', '3']);
    expect(r.out).toMatch(/Elasticsearch 8\.19\.2, Kibana 8\.19\.2: classic job ids/);
    expect(r.out).toMatch(/SUCCEEDED/);
    expect(r.code).toBe(0);
  });

  it('a stack without an ML licence: one clear line', async () => {
    await standin.close();
    standin = await startStandin({ license: 'basic' });
    const r = await cli(['setup', '--modules', 'security_auth']);
    expect(r.out).toMatch(/needs a Platinum, Enterprise or trial licence/);
    expect(r.code).toBe(1);
  });
});
