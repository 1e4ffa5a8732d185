import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kibanaJson, readKibanaJsonc } from './kibana_json';

describe('plugin manifests', () => {
  it('kibana.json is derived from kibana.jsonc (run `npm run kibana-json` after editing kibana.jsonc)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../kibana.json'), 'utf8'));
    expect(committed).toEqual(kibanaJson());
  });

  it('declares no configPath: the server exports no config schema, so kibana.yml lines for it would stop Kibana', async () => {
    // Kibana's plugin discovery validates `<configPath>.*` against the plugin's exported `config`;
    // without a configPath (and no config) Kibana only handles `mlDemoData.enabled`.
    expect(readKibanaJsonc().plugin).not.toHaveProperty('configPath');
    const server = await import('../server');
    expect(server).not.toHaveProperty('config');
  });

  it('requires the plugins the server cannot run without (feature, licence, Task Manager runs)', () => {
    expect(readKibanaJsonc().plugin.requiredPlugins).toEqual(['features', 'licensing', 'taskManager']);
  });

  it('declares a camelCase plugin id with server and browser parts', () => {
    const m = readKibanaJsonc();
    expect(m.plugin.id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(m.plugin).toMatchObject({ server: true, browser: true });
  });
});
