/**
 * Jest runs the TypeScript sources through ts-jest without type-checking (isolatedModules);
 * type-checking is `npm run typecheck`.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/common', '<rootDir>/server', '<rootDir>/bin', '<rootDir>/scripts', '<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testTimeout: 60000,
};
