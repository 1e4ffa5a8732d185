import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
      expect(r.stdout).toMatch(/15\/15 jobs verified/);
      expect(r.stdout).toMatch(/load\.sh/);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.window.end).toBe('2026-05-05T12:00:00.000Z');
      expect(existsSync(join(out, 'data/logs-ml_demo.cloudtrail-default.ndjson'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each([
    [['bundle', '--history-days', '2'], /^error: historyDays must be between 3 and 90/],
    [['bundle', '--modules', 'nope'], /^error: Unknown module or job: nope/],
    [['bundle', '--scale', 'lots'], /^error: --scale must be a number/],
    [['bundle', '--variant', 'v9'], /error: option '--variant <ids>' argument 'v9' is invalid/],
    [['frobnicate'], /^error: unknown command 'frobnicate'/],
  ])('%j fails with one clear line and no stack trace', (args, message) => {
    const r = run(args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('verify prints the table for chosen jobs', () => {
    const r = run(['verify', '--modules', 'auth_rare_hour_for_a_user,high_count_network_denies', '--history-days', '4']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/auth_rare_hour_for_a_user\s+time_of_day/);
    expect(r.stdout).toMatch(/2\/2 jobs verified/);
  });

  it('list shows modules, detectors and rules', () => {
    const r = run(['list']);
    expect(r.stdout).toMatch(/security_auth\s+Security: Authentication \(7 jobs\)/);
    expect(r.stdout).toMatch(/auth_rare_user\s+rare by user.name/);
    expect(r.stdout).toMatch(/Rare User Logon \(>= 75\)/);
  });
});
