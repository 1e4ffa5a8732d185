/**
 * `node -r ./dev/register.js dev/server.ts`: compiles TypeScript on require with esbuild (the same
 * settings as Jest's ts-jest: no type-check, CommonJS), so the dev host runs from source and
 * `__dirname` stays the source directory (the stand-in reads the catalogue and contracts by path).
 */
const fs = require('node:fs');
const esbuild = require('esbuild');

for (const ext of ['.ts', '.tsx']) {
  require.extensions[ext] = (module, filename) => {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
      loader: ext.slice(1),
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
      jsx: 'automatic',
      // import() as require(), as tsc's CommonJS output does (server/index.ts lazy-loads the plugin).
      supported: { 'dynamic-import': false },
    });
    module._compile(code, filename);
  };
}
