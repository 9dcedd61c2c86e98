import base from './jest.config.js';

/**
 * The end-to-end suite: the built services as real processes, reporting to a real Jaeger
 * (scripts/jaeger.sh start). Run with `npm run test:e2e`; `npm test` leaves it out.
 * @type {import('jest').Config}
 */
export default {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/e2e/global-setup.js',
  // a mesh file starts 13 processes: one file at a time is what 2 cores carry
  maxWorkers: 1,
  testTimeout: 60000,
};
