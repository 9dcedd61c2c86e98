/* global fetch, URL, AbortSignal */
/**
 * Runs once before the e2e files (plain JS: jest loads global setup outside its module
 * mapping). The suite needs the build and the compiled compare CLI (`npm run test:e2e`
 * makes both first) and a real Jaeger; without any of them it fails here, in CI and
 * locally alike, never skipping.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const queryUrl = process.env['JAEGER_QUERY_URL'] ?? 'http://127.0.0.1:16686';

// what the suite runs: the services (npm run build) and the compare CLI (tools/tsconfig.json)
const BUILT = [
  ['dist/main.js', 'npm run build'],
  ['node_modules/.cache/hello-app-tools/tools/compare/cli.js', 'npx tsc -p tools/tsconfig.json'],
];

export default async function globalSetup() {
  for (const [built, command] of BUILT) {
    if (!existsSync(fileURLToPath(new URL(`../../${built}`, import.meta.url)))) {
      throw new Error(`${built} is missing: run \`${command}\` (npm run test:e2e does)`);
    }
  }
  try {
    const response = await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new Error(
      `the e2e suite needs a running Jaeger (query API ${queryUrl}): ${error.cause?.code ?? error.message}\n` +
        'Start one with `scripts/jaeger.sh start` (or see docs/e2e-and-compare.md for Docker).',
      { cause: error },
    );
  }
}
