/**
 * Starts one service in-process from a container's environment (as a Deployment or a
 * compose service would set it), so the tests can ask the real app whether the paths and
 * settings the deploy files name exist and are accepted.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config.js';
import type { Config } from '../../../src/config.js';
import { startService } from '../../../src/services/start.js';
import type { RunningService } from '../../../src/services/start.js';

/** Reads the environment the way the app does; throws the app's own ConfigError. */
export function configFrom(env: Record<string, string>): Config {
  return loadConfig(env);
}

const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/**
 * The service the environment's app_name names, on an ephemeral loopback port. Spans are
 * switched off (nothing to report them to here); everything else is the container's.
 */
export async function startFromEnv(
  env: Record<string, string>,
  overrides: Record<string, string> = {},
): Promise<RunningService> {
  const config = loadConfig({ ...env, PORT: '0', JAEGER_DISABLED: 'true', ...overrides });
  if (config.appName === 'all') throw new Error('a container must run one service, not "all"');
  return startService(config.appName, config, {
    port: 0,
    host: '127.0.0.1',
    logStream: discard(),
  });
}

export async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, text: await response.text() };
}
