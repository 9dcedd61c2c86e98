/**
 * docker-compose.yml: Jaeger v2 and both shapes of the chain, wired by environment. No
 * Docker engine is needed: the file is read as compose reads it, the wiring is checked
 * against itself, and every app service's environment and healthcheck against the app.
 */
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { configFrom, startFromEnv } from './support/app.js';
import { runtimeEnv } from './support/dockerfile.js';
import { readRepoFile } from './support/paths.js';

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
}

const text = readRepoFile('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services?: Record<string, ComposeService> };
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
const jaegerNames = names.filter((n) => /^jaegertracing\/jaeger:/.test(services[n]?.image ?? ''));

/** What the process in the container sees: the image's ENV, then the service's. */
function processEnv(name: string): Record<string, string> {
  return { ...imageEnv, ...environment(services[name] as ComposeService) };
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
  it('runs Jaeger v2 all-in-one, pinned, with its UI on 16686', () => {
    expect(jaegerNames).toHaveLength(1);
    const jaeger = services[jaegerNames[0] as string] as ComposeService;
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(ports(jaeger)).toContainEqual({ host: '16686', container: 16686, protocol: 'tcp' });
    expect(jaeger.healthcheck?.test).toBeDefined();
  });

  it('runs both shapes: instrumented hello, formatter v1 and v2, and a headers-only chain', () => {
    expect(appNames.sort()).toEqual(
      [
        'formatter',
        'formatter-headers-only',
        'formatter-v2',
        'hello',
        'hello-headers-only',
        'hello-professor',
      ].sort(),
    );
    for (const name of appNames) {
      const service = services[name] as ComposeService;
      // one image for all: built from this repository
      expect({ name, image: service.image, build: service.build }).toEqual({
        name,
        image: 'hello-app',
        build: '.',
      });
    }
  });

  it('gives every app service an environment the app accepts', () => {
    for (const name of appNames) {
      const config = configFrom(processEnv(name));
      expect(config.port).toBe(8080);
      const headersOnly = name.endsWith('-headers-only');
      expect({ name, mode: config.tracingMode }).toEqual({
        name,
        mode: headersOnly ? 'headers-only' : 'opentracing',
      });
    }
    expect(configFrom(processEnv('formatter')).professor).toBe(false);
    expect(configFrom(processEnv('formatter-v2')).professor).toBe(true);
  });

  it('wires each hello to a formatter of its own shape, by service name', () => {
    const expected: Record<string, string> = {
      hello: 'formatter',
      'hello-professor': 'formatter-v2',
      'hello-headers-only': 'formatter-headers-only',
    };
    for (const [hello, formatter] of Object.entries(expected)) {
      const config = configFrom(processEnv(hello));
      expect(config.appName).toBe('hello');
      expect(config.formatterHost).toBe(formatter);
      const target = configFrom(processEnv(formatter));
      expect(target.appName).toBe('formatter');
      expect(config.formatterPort).toBe(target.port);
      expect(config.tracingMode).toBe(target.tracingMode);
    }
  });

  it('sends spans to the Jaeger service, never to the compact port 6831', () => {
    // 6831 is Thrift compact; jaeger-client speaks binary (6832) and the app refuses 6831
    expect(JSON.stringify(compose)).not.toMatch(/\b6831\b/);
    for (const name of appNames) {
      const env = processEnv(name);
      const config = configFrom(env);
      if (config.tracingMode === 'headers-only') continue;
      if (config.jaeger.endpoint) {
        const url = new URL(config.jaeger.endpoint);
        expect(jaegerNames).toContain(url.hostname);
        expect(`${url.port}${url.pathname}`).toBe('14268/api/traces');
      } else {
        expect(jaegerNames).toContain(config.jaeger.agentHost);
        expect(config.jaeger.agentPort).toBe(6832);
      }
      expect(dependsOn(services[name] as ComposeService)[jaegerNames[0] as string]).toBe(
        'service_healthy',
      );
    }
  });

  it('publishes distinct host ports, each app on its container port 8080', () => {
    const seen = new Map<string, string>();
    for (const name of names) {
      for (const p of ports(services[name] as ComposeService)) {
        const key = `${p.host}/${p.protocol}`;
        expect({ port: key, clash: seen.get(key) }).toEqual({ port: key, clash: undefined });
        seen.set(key, name);
        if (appNames.includes(name)) expect(p.container).toBe(configFrom(processEnv(name)).port);
      }
    }
    expect(ports(services['hello'] as ComposeService).map((p) => p.host)).toEqual(['8080']);
  });

  it('starts each service after the ones it depends on are healthy', () => {
    for (const name of names) {
      for (const [target, condition] of Object.entries(
        dependsOn(services[name] as ComposeService),
      )) {
        expect(names).toContain(target);
        expect({ name, target, condition }).toEqual({ name, target, condition: 'service_healthy' });
        expect(services[target]?.healthcheck?.test).toBeDefined();
      }
    }
    expect(Object.keys(dependsOn(services['hello'] as ComposeService))).toContain('formatter');
    expect(Object.keys(dependsOn(services['hello-professor'] as ComposeService))).toContain(
      'formatter-v2',
    );
    expect(Object.keys(dependsOn(services['hello-headers-only'] as ComposeService))).toContain(
      'formatter-headers-only',
    );
  });

  it('health-checks the apps with node (the image has no curl) on a route the app serves', async () => {
    for (const name of appNames) {
      const command = healthCommand(services[name] as ComposeService);
      expect(command[0]).toBe('node');
      const url = /https?:\/\/[^'"\s)]+/.exec(command.join(' '))?.[0] ?? '';
      expect(new URL(url).port).toBe(String(configFrom(processEnv(name)).port));
    }
    // run the healthcheck itself against the real app: healthy -> 0, nothing listening -> 1
    const command = healthCommand(services['formatter'] as ComposeService);
    const url = new URL(/https?:\/\/[^'"\s)]+/.exec(command.join(' '))?.[0] ?? '');
    const app = await startFromEnv(processEnv('formatter'));
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
