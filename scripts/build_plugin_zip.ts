/**
 * The installable plugin zip, made the way `yarn plugin-helpers build` makes it, so CI can check
 * what a Kibana install would receive without a Kibana checkout (no Kibana can run here). It follows
 * @kbn/plugin-helpers (elastic/kibana packages/kbn-plugin-helpers/src/cli.ts, `build`), step by step:
 *
 * 1. tasks/clean.ts — an empty `build/kibana/<plugin id>`.
 * 2. tasks/optimize.ts — the browser bundle `target/public/<id>.plugin.js`. Kibana's optimizer
 *    bundles public/index.ts with webpack, Kibana's shared UI dependencies external
 *    (@kbn/ui-shared-deps-npm/-src: react, react-dom, @elastic/eui, @emotion/*, moment, lodash,
 *    rxjs, every @kbn/* package); here esbuild with the same externals (SHARED_UI_EXTERNALS).
 * 3. tasks/brotli_compress_bundles.ts — a `.br` next to each bundle.
 * 4. tasks/write_public_assets.ts — `public/assets/**` (none here).
 * 5. tasks/write_server_files.ts — `kibana.json` (with `kibanaVersion` set) and, for a server
 *    plugin, `yarn.lock`, `tsconfig.json`, `package.json`, `index.{js,ts}`,
 *    `{lib,server,common,translations}/**`, without `**\/*.d.ts`, `**\/public/**`, `**\/__tests__/**`,
 *    `**\/*.{test,test.mocks,mock,mocks}.*`; .js/.ts/.tsx go through Babel (here TypeScript's
 *    transpileModule: the same file tree, JavaScript out).
 * 6. tasks/yarn_install.ts (install_dependencies.ts in newer Kibanas) — `yarn install --production`
 *    in the build directory: the package.json `dependencies` and theirs go into the zip's
 *    node_modules. Here copied from ./node_modules, as that install would lay them out.
 * 7. tasks/create_archive.ts — `build/<id>-<kibanaVersion>.zip` holding `kibana/<id>/…`.
 *
 * The plugin declares no `dependencies`: what its server code needs at run time (io-ts, fp-ts;
 * the Elasticsearch client only as a type) is Kibana's own (KIBANA_PROVIDED), so the zip has no
 * node_modules. The CLI's packages (commander, cli-progress, the client) are devDependencies.
 *
 *   npm run plugin-zip [-- --kibana-version 9.1.0]
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { brotliCompressSync, crc32, deflateRawSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import * as ts from 'typescript';
import { kibanaJson } from './kibana_json';

const ROOT = resolve(__dirname, __dirname.includes(`${join('target', 'scripts')}`) ? '../..' : '..');

/** Packages the plugin's server code may load that Kibana itself ships (its root package.json `dependencies`). */
export const KIBANA_PROVIDED = ['io-ts', 'fp-ts', '@elastic/elasticsearch'];
/** Packages only the CLI uses: never in the zip. */
export const CLI_ONLY = ['commander', 'cli-progress', '@elastic/transport'];
/** Kibana's shared UI dependencies (kbn-ui-shared-deps-src/src/definitions.js externals), plus every @kbn/* package. */
export const SHARED_UI_EXTERNALS = [
  'react',
  'react-dom',
  'react-dom/*',
  'react/jsx-runtime',
  '@elastic/eui',
  '@elastic/eui/*',
  '@emotion/*',
  'moment',
  'moment-timezone',
  'lodash',
  'lodash/*',
  'rxjs',
  '@kbn/*',
];

const SERVER_PATTERNS = { files: ['yarn.lock', 'tsconfig.json', 'package.json', 'index.js', 'index.ts'], dirs: ['lib', 'server', 'common', 'translations'] };
const EXCLUDED = [/\.d\.ts$/, /(^|\/)public\//, /(^|\/)__tests__\//, /\.(test|test\.mocks|mock|mocks)\.[^/]+$/];

export interface PluginZipOptions {
  kibanaVersion?: string;
  /** Where `kibana/<id>` is assembled and the zip written (default ./build, as plugin-helpers). */
  buildRoot?: string;
  /** Keep `kibana/<id>` after zipping (plugin-helpers deletes it; tests inspect it). */
  keepBuildDir?: boolean;
}

export interface PluginZip {
  zipPath: string;
  buildDir: string;
  /** Paths inside the zip, `kibana/<id>/…`. */
  files: string[];
  bytes: number;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
const posix = (p: string) => p.split(sep).join('/');

/** Step 5: kibana.json and the server source, transpiled. */
function writeServerFiles(buildDir: string, kibanaVersion: string): void {
  writeFileSync(join(buildDir, 'kibana.json'), JSON.stringify(kibanaJson(kibanaVersion), null, 2));
  const sources = [...SERVER_PATTERNS.files.map((f) => join(ROOT, f)).filter(existsSync), ...SERVER_PATTERNS.dirs.flatMap((d) => walk(join(ROOT, d)))];
  for (const file of sources) {
    const rel = posix(relative(ROOT, file));
    if (EXCLUDED.some((re) => re.test(rel))) continue;
    const out = join(buildDir, rel);
    mkdirSync(dirname(out), { recursive: true });
    if (/\.(ts|tsx|js)$/.test(rel)) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: rel,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, jsx: ts.JsxEmit.ReactJSX },
      });
      writeFileSync(out.replace(/\.(ts|tsx)$/, '.js'), outputText);
    } else {
      cpSync(file, out);
    }
  }
}

/** Step 6: what `yarn install --production` would put in node_modules: `dependencies`, transitively. */
function installProductionDependencies(buildDir: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const queue = Object.keys(pkg.dependencies ?? {});
  const seen = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const from = join(ROOT, 'node_modules', name);
    cpSync(from, join(buildDir, 'node_modules', name), { recursive: true, dereference: true });
    const dep = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(dep.dependencies ?? {}));
  }
}

/** Step 2 and 3: the browser bundle with Kibana's shared dependencies external, and its brotli copy. */
async function optimize(buildDir: string, pluginId: string): Promise<void> {
  const outdir = join(buildDir, 'target', 'public');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { [`${pluginId}.plugin`]: join(ROOT, 'public', 'index.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outdir,
    write: false,
    minify: true,
    jsx: 'automatic',
    external: SHARED_UI_EXTERNALS,
    chunkNames: `${pluginId}.chunk.[hash]`,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.contents);
    writeFileSync(`${f.path}.br`, brotliCompressSync(f.contents));
  }
}

const DOS_1980_01_01 = 0x21 << 16;

/** Step 7: a zip (deflate, as archiver's) of `kibana/` — a minimal writer: local headers, central directory, end record. */
export function writeZip(zipPath: string, root: string, entries: string[]): number {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = readFileSync(join(root, entry));
    const packed = deflateRawSync(data, { level: 9 });
    const name = Buffer.from(entry, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(DOS_1980_01_01, 10); // time 00:00, date 1980-01-01: the same bytes for the same files
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x02014b50, 0);
    head.writeUInt16LE(0x0314, 4); // made by: unix
    head.writeUInt16LE(20, 6);
    head.writeUInt16LE(0x0800, 8);
    head.writeUInt16LE(8, 10);
    head.writeUInt32LE(DOS_1980_01_01, 12);
    head.writeUInt32LE(crc, 16);
    head.writeUInt32LE(packed.length, 20);
    head.writeUInt32LE(data.length, 24);
    head.writeUInt16LE(name.length, 28);
    head.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    head.writeUInt32LE(offset, 42);
    parts.push(local, name, packed);
    central.push(head, name);
    offset += local.length + name.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...parts, dir, end]);
  writeFileSync(zipPath, zip);
  return zip.length;
}

/** The names in a zip's central directory (to check a zip, ours or plugin-helpers'). */
export function zipEntries(zipPath: string): { name: string; size: number }[] {
  const zip = readFileSync(zipPath);
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error(`${zipPath}: not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const out: { name: string; size: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry ${i}`);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    out.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), size });
    at += 46 + nameLength + extra;
  }
  return out;
}

export async function buildPluginZip(options: PluginZipOptions = {}): Promise<PluginZip> {
  const kibanaVersion = options.kibanaVersion ?? 'kibana';
  const manifest = kibanaJson(kibanaVersion) as { id: string };
  const buildRoot = options.buildRoot ?? join(ROOT, 'build');
  const kibanaDir = join(buildRoot, 'kibana');
  const buildDir = join(kibanaDir, manifest.id);
  rmSync(kibanaDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });

  await optimize(buildDir, manifest.id);
  if (existsSync(join(ROOT, 'public', 'assets'))) cpSync(join(ROOT, 'public', 'assets'), join(buildDir, 'public', 'assets'), { recursive: true });
  writeServerFiles(buildDir, kibanaVersion);
  installProductionDependencies(buildDir);

  const files = walk(kibanaDir)
    .filter((f) => statSync(f).isFile())
    .map((f) => posix(relative(buildRoot, f)))
    .sort();
  const zipPath = join(buildRoot, `${manifest.id}-${kibanaVersion}.zip`);
  const bytes = writeZip(zipPath, buildRoot, files);
  if (!options.keepBuildDir) rmSync(kibanaDir, { recursive: true, force: true });
  return { zipPath, buildDir, files, bytes };
}

if (require.main === module) {
  const at = process.argv.indexOf('--kibana-version');
  const kibanaVersion = at > 0 ? process.argv[at + 1] : undefined;
  buildPluginZip({ kibanaVersion }).then(
    (z) => console.log(`Wrote ${relative(process.cwd(), z.zipPath)}: ${z.files.length} files, ${(z.bytes / 1024).toFixed(0)} KiB`),
    (error: unknown) => {
      console.error(`error: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
