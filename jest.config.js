/**
 * Jest runs the TypeScript sources through ts-jest without type-checking (isolatedModules);
 * type-checking is `npm run typecheck`.
 *
 * Two projects: `node` (everything but the page) and `browser` (the page's components under
 * public/, in jsdom, with EUI's test build `@elastic/eui/test-env` as Kibana's Jest preset maps it:
 * icons render synchronously as spans and generated ids are stable).
 */
const transform = { '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }] };

module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      roots: ['<rootDir>/common', '<rootDir>/server', '<rootDir>/bin', '<rootDir>/scripts', '<rootDir>/test'],
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      transform,
    },
    {
      displayName: 'browser',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/public'],
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      transform,
      moduleNameMapper: {
        '^@elastic/eui$': '<rootDir>/node_modules/@elastic/eui/test-env',
        '^@elastic/eui/lib/(.*)$': '<rootDir>/node_modules/@elastic/eui/test-env/$1',
        '^uuid$': '<rootDir>/public/test_helpers/uuid_shim.ts',
        // A Kibana shared external (see the file): Kibana's own package inside Kibana.
        '^@kbn/react-kibana-context-render$': '<rootDir>/public/kbn_shared_deps/react_kibana_context_render.tsx',
      },
      setupFilesAfterEnv: ['<rootDir>/public/test_helpers/setup.ts'],
    },
  ],
};
