import base from './jest.config.js';

/** The fault cases: real processes under load, figures printed at the end (`npm run test:faults`). */
export default {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 1,
  testTimeout: 180000,
  // child processes and keep-alive sockets of the load driver can outlive the last test by a moment
  forceExit: true,
};
