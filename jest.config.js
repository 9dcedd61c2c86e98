/**
 * Jest runs the TypeScript sources as native ES modules (the project is ESM because
 * node-fetch 3 and @kubernetes-models/* are ESM-only); `npm test` passes
 * --experimental-vm-modules for that.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // sources import './x.js' (NodeNext style); point jest at the .ts file
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '<rootDir>/test/e2e/',
    '<rootDir>/test/faults/',
  ],
  globalSetup: '<rootDir>/test/global-setup.js',
  maxWorkers: 2,
  testTimeout: 20000,
};
