import base from './jest.config.js';

/**
 * The HTML report of `npm run compare -- --html` in a real browser: Debian's Chromium
 * (/usr/bin/chromium) driven by playwright-core. Run with `npm run test:browser`;
 * `npm test` leaves it out (its files end in .browser.ts, not .test.ts).
 * @type {import('jest').Config}
 */
export default {
  ...base,
  testMatch: ['<rootDir>/test/**/*.browser.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // the page is rendered in the test: no build needed
  globalSetup: undefined,
  maxWorkers: 1,
  testTimeout: 30000,
};
