/**
 * docker-compose.yml: the same mesh as `npm run mesh` (Jaeger v2, the ingress gateway,
 * both shapes with a sidecar per workload). No Docker engine is needed: the file is read
 * as compose reads it, every Envoy config it mounts is checked to exist, to be what the
 * templates make now and to pass `envoy --mode validate`, and every app service's
 * environment and healthcheck are checked against the app.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { composePlan, addressesOf } from '../../mesh/addresses.js';
import { COMPOSE_CONFIG_DIR, composeConfigFiles } from '../../mesh/compose-configs.js';
import { ENVOY_VERSION, validateConfig } from '../../mesh/envoy/binary.js';
import { GATEWAY_FILE, sidecarFile } from '../../mesh/envoy/configs.js';
import { readSettings, propagationFor } from '../../mesh/settings.js';
import { MESH_TRACING_PROVIDERS, WORKLOADS, workloadName } from '../../mesh/topology.js';
import { ENVOY_MISSING, envoyForValidation } from './support/envoy.js';
import { configFrom, startFromEnv } from './support/app.js';
import { runtimeEnv } from './support/dockerfile.js';
import { readRepoFile, repoPath } from './support/paths.js';

interface Healthcheck {
  test?: string[] | string;
  interval?: string;
  retries?: number;
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { published?: string | number; target?: number; protocol?: string })[];
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  network_mode?: string;
  env_file?: string[] | string;
  volumes?: string[];
  command?: string[];
}

const text = readRepoFile('docker-compose.yml');
/** The project's .env, which compose reads by itself: the Jaeger pin (jaeger-version.test.ts). */
const dotEnv = Object.fromEntries(
  [...readRepoFile('.env').matchAll(/^([A-Za-z_]\w*)=(.*)$/gm)].map((m) => [m[1], m[2]?.trim()]),
) as Record<string, string>;
const compose = parse(
  text.replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) => dotEnv[name] ?? ''),
  { merge: true },
) as { services?: Record<string, ComposeService> };
const services = compose.services ?? {};
const names = Object.keys(services);
const imageEnv = runtimeEnv();

function environment(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(raw)) if (value !== null) env[key] = String(value);
  }
  return env;
}

/** The app's services: the ones built from this repository's image. */
const appNames = names.filter(
  (n) => services[n]?.build !== undefined || services[n]?.image === 'hello-app',
);
const envoyNames = names.filter((n) => /^envoyproxy\/envoy:/.test(services[n]?.image ?? ''));
const plan = composePlan();
const envoy = await envoyForValidation();
if (!envoy) process.stderr.write(`\n${ENVOY_MISSING}\n`);
const jaegerNames = names.filter((n) => /^jaegertracing\/jaeger:/.test(services[n]?.image ?? ''));

/** compose's own interpolation of `${VAR:-default}`, for one value of MESH_TRACING. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+):-([^}]*)\}/g,
    (_m, name: string, fallback: string) => env[name] ?? fallback,
  );
}

/** KEY=value lines of an env_file. */
function envFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readRepoFile(path).split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** What the process in the container sees: the image's ENV, the env_file, then the service's. */
function processEnv(name: string, meshTracing = 'zipkin'): Record<string, string> {
  const service = services[name] as ComposeService;
  const files = [service.env_file ?? []]
    .flat()
    .map((f) => interpolate(f, { MESH_TRACING: meshTracing }));
  return { ...imageEnv, ...Object.assign({}, ...files.map(envFile)), ...environment(service) };
}

/** The one config file a sidecar or the gateway mounts at /etc/envoy/envoy.yaml. */
function mountedConfig(name: string, meshTracing: string): string {
  const mounts = (services[name]?.volumes ?? []).filter((v) =>
    v.endsWith(':/etc/envoy/envoy.yaml:ro'),
  );
  expect({ name, mounts: mounts.length }).toEqual({ name, mounts: 1 });
  const host = interpolate(mounts[0] as string, { MESH_TRACING: meshTracing }).split(
    ':',
  )[0] as string;
  return host.replace(/^\.\//, '');
}

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(raw).map(([n, d]) => [n, d.condition]));
}

interface PortMapping {
  host: string;
  container: number;
  protocol: string;
}

function ports(service: ComposeService): PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object')
      return {
        host: String(port.published ?? ''),
        container: port.target ?? 0,
        protocol: port.protocol ?? 'tcp',
      };
    const [spec, protocol = 'tcp'] = String(port).split('/');
    const parts = (spec ?? '').split(':');
    return {
      host: parts.length > 1 ? (parts[parts.length - 2] as string) : '',
      container: Number(parts[parts.length - 1]),
      protocol,
    };
  });
}

/** The healthcheck's command, in exec form, without the leading CMD. */
function healthCommand(service: ComposeService): string[] {
  const test = service.healthcheck?.test;
  if (!Array.isArray(test) || test[0] !== 'CMD')
    throw new Error('healthcheck.test should be ["CMD", ...] (no shell in the image)');
  return test.slice(1);
}

function run(command: string[], timeoutMs = 10_000): Promise<number | null> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file === 'node' ? process.execPath : (file as string), args, {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('docker-compose.yml', () => {
  it('runs Jaeger v2 all-in-one, pinned (JAEGER_VERSION in .env), with its UI on 16686', () => {
    expect(jaegerNames).toHaveLength(1);
    const jaeger = services[jaegerNames[0] as string] as ComposeService;
    expect(jaeger.image).toBe(`jaegertracing/jaeger:${dotEnv['JAEGER_VERSION']}`);
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(ports(jaeger)).toContainEqual({ host: '16686', container: 16686, protocol: 'tcp' });
    expect(jaeger.healthcheck?.test).toBeDefined();
  });

  it("runs npm run mesh's topology: the gateway, and per workload a sidecar and its app in one network namespace", () => {
    const expectedEnvoys = ['istio-ingressgateway', ...WORKLOADS.map(workloadName)];
    expect(envoyNames.sort()).toEqual(expectedEnvoys.sort());
    expect(appNames.sort()).toEqual(WORKLOADS.map((w) => `${workloadName(w)}-app`).sort());
    for (const workload of WORKLOADS) {
      const app = services[`${workloadName(workload)}-app`] as ComposeService;
      expect(app.network_mode).toBe(`service:${workloadName(workload)}`);
      // one image for all: built from this repository
      expect({ image: app.image, build: app.build }).toEqual({ image: 'hello-app', build: '.' });
    }
  });

  it(`runs the Envoy release npm run mesh installs (${ENVOY_VERSION})`, () => {
    for (const name of envoyNames)
      expect(services[name]?.image).toBe(`envoyproxy/envoy:v${ENVOY_VERSION}`);
  });

  it.each([...MESH_TRACING_PROVIDERS])(
    'mounts, for MESH_TRACING=%s, the config the templates make for each Envoy, and it exists',
    (provider) => {
      const generated = composeConfigFiles();
      expect(mountedConfig('istio-ingressgateway', provider)).toBe(
        `${COMPOSE_CONFIG_DIR}/${provider}/${GATEWAY_FILE}`,
      );
      for (const workload of WORKLOADS) {
        const mounted = mountedConfig(workloadName(workload), provider);
        expect(mounted).toBe(`${COMPOSE_CONFIG_DIR}/${provider}/${sidecarFile(workload)}`);
        expect(existsSync(repoPath(mounted))).toBe(true);
        // the committed file is what the templates make today (npm run mesh:configs rewrites it)
        expect({
          file: mounted,
          current: readRepoFile(mounted) === generated.get(mounted),
        }).toEqual({
          file: mounted,
          current: true,
        });
      }
    },
  );

  it(`holds exactly the generated files under ${COMPOSE_CONFIG_DIR}/, each current`, () => {
    const onDisk = readdirSync(repoPath(COMPOSE_CONFIG_DIR), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((entry) => entry.isFile())
      .map(
        (entry) =>
          `${entry.parentPath.slice(repoPath('').length).replace(/^\//, '')}/${entry.name}`,
      )
      .sort();
    const generated = composeConfigFiles();
    expect(onDisk).toEqual([...generated.keys()].sort());
    for (const [path, text] of generated)
      expect({ path, current: readRepoFile(path) === text }).toEqual({ path, current: true });
  });

  (envoy ? it : it.skip)(
    'mounts only configs that pass envoy --mode validate',
    async () => {
      const problems: string[] = [];
      for (const provider of MESH_TRACING_PROVIDERS)
        for (const name of envoyNames) {
          const problem = await validateConfig(
            envoy as string,
            repoPath(mountedConfig(name, provider)),
          );
          if (problem) problems.push(`${name} (${provider}): ${problem}`);
        }
      expect(problems).toEqual([]);
    },
    60_000,
  );

  it('publishes the gateway on the ports npm run mesh uses by default, and Jaeger on 16686', () => {
    const defaults = readSettings({});
    expect(ports(services['istio-ingressgateway'] as ComposeService)).toEqual([
      { host: String(defaults.port), container: plan.gateway.instrumented.port, protocol: 'tcp' },
      {
        host: String(defaults.headersOnlyPort),
        container: plan.gateway.headersOnly.port,
        protocol: 'tcp',
      },
    ]);
    const seen = new Map<string, string>();
    for (const name of names)
      for (const p of ports(services[name] as ComposeService)) {
        const key = `${p.host}/${p.protocol}`;
        expect({ port: key, clash: seen.get(key) }).toEqual({ port: key, clash: undefined });
        seen.set(key, name);
      }
    // apps and sidecars are reached only through the gateway
    for (const name of [...appNames, ...WORKLOADS.map(workloadName)])
      expect(services[name]?.ports).toBeUndefined();
  });

  it.each([...MESH_TRACING_PROVIDERS])(
    'gives every app an environment the app accepts, of its shape and version (MESH_TRACING=%s)',
    (provider) => {
      for (const workload of WORKLOADS) {
        const name = `${workloadName(workload)}-app`;
        const config = configFrom(processEnv(name, provider));
        const own = addressesOf(plan, workload);
        expect({
          name,
          app: config.appName,
          port: config.port,
          mode: config.tracingMode,
          professor: config.professor,
        }).toEqual({
          name,
          app: workload.app,
          port: own.appPort,
          mode: workload.shape.tracingMode,
          professor: workload.version === 'v2',
        });
        // the propagation this provider's Envoys speak, or the traces would not join
        expect(config.jaeger.propagation).toEqual([propagationFor(provider)]);
        if (workload.app === 'hello') {
          // hello calls formatter through its own sidecar's outbound listener
          expect(`${config.formatterHost}:${config.formatterPort}`).toBe(
            `${own.outbound.host}:${own.outbound.port}`,
          );
        }
      }
    },
  );

  it("sends the instrumented services' spans straight to Jaeger, never to the compact port 6831", () => {
    // 6831 is Thrift compact; jaeger-client speaks binary (6832) and the app refuses 6831
    expect(JSON.stringify(compose)).not.toMatch(/\b6831\b/);
    for (const name of appNames) {
      const config = configFrom(processEnv(name));
      if (config.tracingMode === 'headers-only') continue;
      const url = new URL(config.jaeger.endpoint ?? '');
      expect(jaegerNames).toContain(url.hostname);
      expect(`${url.port}${url.pathname}`).toBe('14268/api/traces');
    }
  });

  it('starts the Envoys after Jaeger is healthy', () => {
    for (const name of envoyNames)
      expect(dependsOn(services[name] as ComposeService)).toEqual({
        [jaegerNames[0] as string]: 'service_healthy',
      });
  });

  it('health-checks the apps with node (the image has no curl) on a route the app serves', async () => {
    for (const name of appNames) {
      const command = healthCommand(services[name] as ComposeService);
      expect(command[0]).toBe('node');
      const url = /https?:\/\/[^'"\s)]+/.exec(command.join(' '))?.[0] ?? '';
      expect(new URL(url).port).toBe(String(configFrom(processEnv(name)).port));
    }
    // run the healthcheck itself against the real app: healthy -> 0, nothing listening -> 1
    const command = healthCommand(services['formatter-v1-app'] as ComposeService);
    const url = new URL(/https?:\/\/[^'"\s)]+/.exec(command.join(' '))?.[0] ?? '');
    const app = await startFromEnv(processEnv('formatter-v1-app'));
    const port = new URL(app.url).port;
    const aimed = (p: string) =>
      command.map((arg) => arg.replace(url.origin, `http://127.0.0.1:${p}`));
    try {
      expect(await run(aimed(port))).toBe(0);
    } finally {
      await app.stop();
    }
    expect(await run(aimed(port))).not.toBe(0);
  });
});
