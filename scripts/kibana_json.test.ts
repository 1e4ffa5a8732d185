import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kibanaJson, readKibanaJsonc } from './kibana_json';

describe('plugin manifests', () => {
  it('kibana.json is derived from kibana.jsonc (run `npm run kibana-json` after editing kibana.jsonc)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../kibana.json'), 'utf8'));
    expect(committed).toEqual(kibanaJson());
  });

  it('declares a camelCase plugin id with server and browser parts', () => {
    const m = readKibanaJsonc();
    expect(m.plugin.id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(m.plugin).toMatchObject({ server: true, browser: true });
  });
});
