/**
 * kibana.json (the flat manifest @kbn/plugin-helpers builds the distributable zip from) is
 * derived from kibana.jsonc, the one source of truth:  npm run kibana-json
 * A test fails when the committed kibana.json is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, __dirname.includes(`${join('target', 'scripts')}`) ? '../..' : '..');

/** kibana.jsonc without its comments (no string in it contains "//"). */
export function readKibanaJsonc(): { id: string; owner: string; description: string; plugin: Record<string, unknown> } {
  const text = readFileSync(join(ROOT, 'kibana.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text);
}

export function kibanaJson(kibanaVersion = 'kibana'): Record<string, unknown> {
  const m = readKibanaJsonc();
  const p = m.plugin as { id: string; server: boolean; browser: boolean; configPath?: string[]; requiredPlugins?: string[]; optionalPlugins?: string[]; requiredBundles?: string[] };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    id: p.id,
    version: pkg.version,
    kibanaVersion,
    owner: { name: m.owner },
    description: m.description,
    server: p.server,
    ui: p.browser,
    configPath: p.configPath,
    requiredPlugins: p.requiredPlugins ?? [],
    optionalPlugins: p.optionalPlugins ?? [],
    requiredBundles: p.requiredBundles ?? [],
  };
}

if (require.main === module) {
  writeFileSync(join(ROOT, 'kibana.json'), `${JSON.stringify(kibanaJson(process.argv[2]), null, 2)}\n`);
  console.log('Wrote kibana.json from kibana.jsonc');
}
