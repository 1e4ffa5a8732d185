/**
 * Bundles the page for the browser with esbuild, in memory: dev/browser/main.tsx (core shim +
 * the plugin's public/ code), ES modules with code splitting so that public/application.tsx and
 * EUI's icons load lazily as they do in Kibana. EUI 9x+ styles itself with Emotion at run time:
 * there is no EUI stylesheet to ship; the only CSS is the Inter font EUI's theme names.
 */
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export interface BundleFile {
  contents: Uint8Array;
  type: string;
}

const ROOT = path.resolve(__dirname, '..');
const OUTDIR = path.join(ROOT, 'target', 'dev-bundle');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** path under /bundle/ -> file */
export async function buildBundle(options: { minify?: boolean } = {}): Promise<Map<string, BundleFile>> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: path.join(ROOT, 'dev', 'browser', 'main.tsx') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outdir: OUTDIR,
    write: false,
    minify: options.minify ?? true,
    sourcemap: 'linked',
    jsx: 'automatic',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': JSON.stringify(options.minify === false ? 'development' : 'production') },
    loader: { '.woff2': 'file', '.woff': 'file' },
    assetNames: 'assets/[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'silent',
  });
  const files = new Map<string, BundleFile>();
  for (const f of result.outputFiles) {
    const rel = path.relative(OUTDIR, f.path).split(path.sep).join('/');
    files.set(rel, { contents: f.contents, type: TYPES[path.extname(rel)] ?? 'application/octet-stream' });
  }
  return files;
}
