/**
 * The distributable (issue 11, point 8): the zip `yarn plugin-helpers build` would make
 * (scripts/build_plugin_zip.ts mimics its tasks) holds the plugin and nothing of the CLI, the tests
 * or the development tools, stays small, and its server code loads inside a Kibana layout where
 * only Kibana's own packages are there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { buildPluginZip, CLI_ONLY, KIBANA_PROVIDED, SHARED_UI_EXTERNALS, zipEntries, type PluginZip } from './build_plugin_zip';

const ROOT = resolve(__dirname, '..');
const PREFIX = 'kibana/mlDemoData/';
/** The zip today is ~230 KiB (the catalogue is most of it); a CLI dependency or a test tree would pass this. */
const MAX_ZIP_BYTES = 400 * 1024;

let tmp: string;
let zip: PluginZip;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ml-demo-zip-'));
  zip = await buildPluginZip({ kibanaVersion: '9.1.0', buildRoot: tmp, keepBuildDir: true });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bare = (spec: string) => !spec.startsWith('.') && !spec.startsWith('/');
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]);

describe('the plugin zip', () => {
  it('is named and laid out as plugin-helpers makes it, with the manifest for this Kibana version', () => {
    expect(zip.zipPath).toBe(join(tmp, 'mlDemoData-9.1.0.zip'));
    const names = zipEntries(zip.zipPath).map((e) => e.name);
    expect(names).toEqual(zip.files);
    expect(names.every((n) => n.startsWith(PREFIX))).toBe(true);
    for (const f of [
      'kibana.json',
      'package.json',
      'tsconfig.json',
      'server/index.js',
      'server/plugin.js',
      'common/api.js',
      'common/catalogue/catalogue.json',
      'target/public/mlDemoData.plugin.js',
      'target/public/mlDemoData.plugin.js.br',
    ]) {
      expect(names).toContain(PREFIX + f);
    }
    const manifest = JSON.parse(readFileSync(join(zip.buildDir, 'kibana.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'mlDemoData', kibanaVersion: '9.1.0', server: true, ui: true });
    // If unzip is there, it agrees the archive is sound.
    try {
      execFileSync('unzip', ['-tq', zip.zipPath], { stdio: 'pipe' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  });

  it('has no node_modules (no CLI package, no Elasticsearch client), no tests, no development sources', () => {
    const names = zip.files.map((n) => n.slice(PREFIX.length));
    expect(names.filter((n) => n.startsWith('node_modules/'))).toEqual([]);
    for (const p of [...CLI_ONLY, ...KIBANA_PROVIDED]) expect(names.filter((n) => n.includes(`node_modules/${p}/`))).toEqual([]);
    expect(names.filter((n) => /\.(test|mock|mocks)\.|__tests__|(^|\/)test\//.test(n))).toEqual([]);
    expect(names.filter((n) => /^(bin|scripts|dev|test|catalogue-src|docs|public)\//.test(n))).toEqual([]);
    expect(names.filter((n) => /\.(ts|tsx)$/.test(n))).toEqual([]);
    expect(zip.bytes).toBeLessThan(MAX_ZIP_BYTES);
  });

  it("declares no dependencies: what the server needs at run time is Kibana's, the CLI's packages are devDependencies", () => {
    const pkg = JSON.parse(readFileSync(join(zip.buildDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const p of [...CLI_ONLY, ...KIBANA_PROVIDED]) expect(Object.keys(pkg.devDependencies)).toContain(p);
  });

  it("its server code requires only its own files, Node's modules and packages Kibana ships", () => {
    const js = zip.files.filter((n) => n.endsWith('.js') && !n.includes('/target/public/'));
    const packages = new Set<string>();
    for (const name of js) {
      const file = join(tmp, name);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/require\("([^"]+)"\)/g)) {
        if (!bare(spec)) {
          const target = resolve(dirname(file), spec);
          expect([name, spec, ['', '.js', '.json', '/index.js'].some((ext) => existsSync(target + ext))]).toEqual([name, spec, true]);
        } else if (!isBuiltin(spec)) packages.add(packageOf(spec));
      }
    }
    expect([...packages].sort()).toEqual(['fp-ts', 'io-ts']);
    expect([...packages].every((p) => KIBANA_PROVIDED.includes(p))).toBe(true);
  });

  it("its browser bundle imports only Kibana's shared UI dependencies", () => {
    const bundles = zip.files.filter((n) => n.includes('/target/public/') && n.endsWith('.js'));
    const specs = new Set<string>();
    for (const name of bundles) {
      const source = readFileSync(join(tmp, name), 'utf8');
      for (const m of source.matchAll(/\b(?:from|import)\s*\(?\s*"([@\w][\w@./-]*)"/g)) if (bare(m[1])) specs.add(m[1]);
    }
    const allowed = (s: string) => SHARED_UI_EXTERNALS.some((e) => (e.endsWith('/*') ? s.startsWith(e.slice(0, -1)) : s === e));
    expect([...specs].filter((s) => !allowed(s))).toEqual([]);
    expect(specs).toContain('react');
    expect(specs).toContain('@kbn/react-kibana-context-render');
  });

  it('loads in a Kibana layout (plugins/<id> beside node_modules with only io-ts and fp-ts) and builds the plugin', () => {
    const kibana = join(tmp, 'kibana-install');
    for (const p of ['io-ts', 'fp-ts']) {
      mkdirSync(join(kibana, 'node_modules'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', p), join(kibana, 'node_modules', p), 'dir');
    }
    cpSync(zip.buildDir, join(kibana, 'plugins', 'mlDemoData'), { recursive: true });
    const code = `
      const { plugin } = require(${JSON.stringify(join(kibana, 'plugins', 'mlDemoData', 'server', 'index.js'))});
      const logger = { debug() {}, info() {}, warn() {}, error() {}, get() { return logger; } };
      plugin({ logger: { get: () => logger }, env: { mode: { dev: false, prod: true }, packageInfo: { version: '9.1.0' } } })
        .then((p) => console.log(JSON.stringify({ setup: typeof p.setup, start: typeof p.start, paths: Object.keys(require.cache).filter((k) => k.includes('node_modules')).map((k) => k.split('node_modules/')[1].split('/')[0]).filter((v, i, a) => a.indexOf(v) === i).sort() })));
    `;
    const out = execFileSync(process.execPath, ['-e', code], { cwd: kibana, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ setup: 'function', start: 'function', paths: ['fp-ts', 'io-ts'] });
  });
});
