/**
 * The mesh's Jaeger: one already running (say, from `scripts/jaeger.sh start`) is used as
 * it is; otherwise the binary that scripts/jaeger.sh finds or builds is started here,
 * with the script's configuration, and stopped with the mesh.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getText, portFree, waitFor } from './http-probe.js';
import { repoPath } from './paths.js';
import type { ManagedProcess, ProcessGroup } from './processes.js';
import type { MeshSettings } from './settings.js';

export class JaegerError extends Error {
  override readonly name = 'JaegerError';
}

export interface MeshJaeger {
  queryUrl: string;
  /** Undefined when a Jaeger that was already running is used. */
  process: ManagedProcess | undefined;
}

/** The ports scripts/jaeger-config.yaml opens (TCP), for the busy-port check. */
const JAEGER_TCP_PORTS: Record<number, string> = {
  16686: 'query API/UI',
  4317: 'OTLP gRPC',
  4318: 'OTLP HTTP',
  9411: 'Zipkin',
  14268: 'Thrift over HTTP',
  14250: 'gRPC',
  13133: 'health',
  5778: 'remote sampling',
};

function jaegerEnv(settings: MeshSettings): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    HELLO_APP_CACHE: settings.cacheDir,
    JAEGER_LISTEN_HOST: settings.jaegerHost,
  };
  if (settings.jaegerBin) env['JAEGER_BIN'] = settings.jaegerBin;
  // JAEGER_SAMPLING_STRATEGIES_FILE: scripts/jaeger-config.yaml serves that file on 5778
  for (const go of [
    'GOPATH',
    'GOMODCACHE',
    'GOCACHE',
    'GOPROXY',
    'GOFLAGS',
    'JAEGER_SAMPLING_STRATEGIES_FILE',
  ]) {
    const value = process.env[go];
    if (value) env[go] = value;
  }
  return env;
}

/** `scripts/jaeger.sh build`: its progress goes to our stderr, the binary's path comes back. */
function jaegerBinary(settings: MeshSettings): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [repoPath('scripts', 'jaeger.sh'), 'build'], {
      env: jaegerEnv(settings),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', (error) =>
      reject(new JaegerError(`cannot run scripts/jaeger.sh: ${error.message}`)),
    );
    child.once('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').pop() ?? '')
        : reject(
            new JaegerError(
              'no Jaeger binary (scripts/jaeger.sh build failed, see above): set JAEGER_BIN, or install Go to build one',
            ),
          ),
    );
  });
}

export async function ensureJaeger(
  settings: MeshSettings,
  group: ProcessGroup,
  logDir: string,
  say: (line: string) => void,
): Promise<MeshJaeger> {
  const host = settings.jaegerHost;
  const queryUrl = `http://${host}:16686`;
  const healthUrl = `http://${host}:13133/status`;
  if (
    (await getText(healthUrl)) !== undefined &&
    (await getText(`${queryUrl}/api/services`)) !== undefined
  ) {
    say(`using the Jaeger already running at ${queryUrl}`);
    return { queryUrl, process: undefined };
  }
  for (const [port, what] of Object.entries(JAEGER_TCP_PORTS)) {
    if (!(await portFree(Number(port), host)))
      throw new JaegerError(
        `port ${port} (Jaeger's ${what}) is in use by something that is not a Jaeger: stop it, or start Jaeger yourself (scripts/jaeger.sh start) and the mesh will use it`,
      );
  }
  const bin = await jaegerBinary(settings);
  const jaeger = group.start({
    name: 'Jaeger',
    command: bin,
    args: ['--config', repoPath('scripts', 'jaeger-config.yaml')],
    env: jaegerEnv(settings),
    logFile: join(logDir, 'jaeger.log'),
  });
  await waitFor(
    'Jaeger',
    async () =>
      (await getText(healthUrl)) !== undefined &&
      (await getText(`${queryUrl}/api/services`)) !== undefined
        ? true
        : undefined,
    {
      deadlineMs: 60_000,
      stillAlive: () =>
        jaeger.alive
          ? undefined
          : `Jaeger stopped during start-up: ${jaeger.lastLines(3).join(' | ')}`,
    },
  );
  return { queryUrl, process: jaeger };
}
