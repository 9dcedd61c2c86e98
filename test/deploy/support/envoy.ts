/**
 * The Envoy binary for validating configs: in CI always (installed on first use, as
 * `npm run mesh` installs it); elsewhere only when it is already there, else the checks
 * say once how to get it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVOY_VERSION, ensureEnvoy } from '../../../mesh/envoy/binary.js';
import type { Json } from '../../../mesh/envoy/parts.js';
import { cacheDir } from './paths.js';

export const ENVOY_MISSING =
  `Envoy ${ENVOY_VERSION} is not installed, so the generated Envoy configs were not validated. ` +
  'It installs with the first `npm run mesh` (or set ENVOY_BIN); CI always validates.';

export async function envoyForValidation(): Promise<string | undefined> {
  const envoyBin = process.env['ENVOY_BIN']?.trim() || undefined;
  if (process.env['CI'] === 'true' || envoyBin)
    return ensureEnvoy({ envoyBin, cacheDir: cacheDir() }, () => undefined);
  const marker = join(cacheDir(), `envoy-${ENVOY_VERSION}`, 'envoy-path');
  if (!existsSync(marker)) return undefined;
  return readFileSync(marker, 'utf8').trim();
}

/** A path into Envoy config data: at(config, 'static_resources', 'listeners', 0, ...). */
export function at(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, Json>)[key as string];
  }
  return current;
}
