#!/usr/bin/env node
/** `npm run mesh:install`: installs Envoy and finds or builds Jaeger, without starting anything (CI, or a slow first run done ahead). */
import { spawnSync } from 'node:child_process';
import { ensureEnvoy } from './envoy/binary.js';
import { repoPath } from './paths.js';
import { readSettings } from './settings.js';

const say = (line: string) => process.stderr.write(`mesh: ${line}\n`);
const settings = readSettings(process.env);
try {
  say(`Envoy: ${await ensureEnvoy(settings, say)}`);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const jaeger = spawnSync('bash', [repoPath('scripts', 'jaeger.sh'), 'build'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, HELLO_APP_CACHE: settings.cacheDir },
});
if (jaeger.status !== 0) process.exit(1);
say(`Jaeger: ${jaeger.stdout.toString().trim()}`);
