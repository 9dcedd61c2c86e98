/**
 * JAEGER_SAMPLER_TYPE=remote against a real Jaeger v2 serving a strategies file.
 *
 * This file starts its own Jaeger (the binary of `scripts/jaeger.sh build`, with
 * scripts/jaeger-config.yaml and JAEGER_SAMPLING_STRATEGIES_FILE pointing at a temporary
 * file) on a loopback address of its own, so it depends on no other Jaeger and changes
 * none. hello and formatter run as processes (`node dist/main.js`), reporting to it over
 * HTTP and asking it for their strategies. Requests carry no mesh headers unless a test
 * says so: the services' own sampler decides.
 *
 * A trace that must *not* be there is checked after a later trace of the same process
 * has arrived: spans leave a service in the order they finish, so anything the earlier
 * requests had sampled would have arrived before it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  createWriteStream,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JaegerQuery } from '../../tools/compare/jaeger-query.js';
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import { names } from './helpers/jaeger.js';
import { eventually } from './helpers/poll.js';
import { serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

/** Not 127.0.0.1: the other e2e files share the Jaeger there. */
const HOST = process.env['E2E_SAMPLING_JAEGER_HOST'] ?? '127.0.0.6';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const REFRESH_MS = 200; // the services' JAEGER_SAMPLER_REFRESH_INTERVAL
const QUERY = `http://${HOST}:16686`;
/** The TCP ports scripts/jaeger-config.yaml opens. */
const JAEGER_PORTS = [16686, 16685, 5778, 5779, 13133, 4317, 4318, 14250, 14268, 9411, 8888];

const HELLO_ROUTE = 'GET /sayHello/:name';
const FORMATTER_ROUTE = 'GET /formatGreeting';
const FULL_TRACE = [
  'formatter: GET /formatGreeting',
  'formatter: format-greeting',
  'hello: GET /formatGreeting',
  `hello: ${HELLO_ROUTE}`,
];

/** A strategies file, as Jaeger's remote_sampling extension reads it. */
function strategies(hello: number, formatter: number): string {
  // each operation goes against its service's default, so only a per-operation reading
  // explains what is traced
  const service = (name: string, operation: string, param: number) => ({
    service: name,
    type: 'probabilistic',
    param: 1 - param,
    operation_strategies: [{ operation, type: 'probabilistic', param }],
  });
  return JSON.stringify(
    {
      service_strategies: [
        service('hello', HELLO_ROUTE, hello),
        service('formatter', FORMATTER_ROUTE, formatter),
      ],
      default_strategy: { type: 'probabilistic', param: 0 },
    },
    null,
    2,
  );
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port on HOST that nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function getText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** `scripts/jaeger.sh build`: the binary's path (JAEGER_BIN, PATH, the cache, or a build). */
function jaegerBinary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO, 'scripts', 'jaeger.sh'), 'build'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').pop() ?? '')
        : reject(new Error(`scripts/jaeger.sh build failed (${code}):\n${err.slice(-2000)}`)),
    );
  });
}

class OwnJaeger {
  private child: ChildProcess | undefined;
  readonly logFile: string;
  readonly strategiesFile: string;

  constructor(private readonly dir: string) {
    this.logFile = join(dir, 'jaeger.log');
    this.strategiesFile = join(dir, 'strategies.json');
  }

  /** Replaces the strategies file in one step (Jaeger never reads half a file). */
  writeStrategies(json: string): void {
    const next = `${this.strategiesFile}.next`;
    writeFileSync(next, json);
    renameSync(next, this.strategiesFile);
  }

  async start(): Promise<void> {
    for (const port of JAEGER_PORTS)
      if (!(await portFree(port, HOST)))
        throw new Error(
          `${HOST}:${port} is in use: this file starts a Jaeger of its own there (set E2E_SAMPLING_JAEGER_HOST to move it)`,
        );
    const bin = await jaegerBinary();
    const log = createWriteStream(this.logFile);
    this.child = spawn(bin, ['--config', join(REPO, 'scripts', 'jaeger-config.yaml')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        JAEGER_LISTEN_HOST: HOST,
        JAEGER_SAMPLING_STRATEGIES_FILE: this.strategiesFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    await eventually(
      `the Jaeger at ${HOST} to serve queries and the strategies file`,
      async () => {
        if (child.exitCode !== null) throw new Error(`Jaeger exited:\n${this.lastLog()}`);
        const answer = await getText(`http://${HOST}:5778/sampling?service=hello`);
        return answer?.includes(HELLO_ROUTE) && (await getText(`${QUERY}/api/services`))
          ? true
          : undefined;
      },
      { deadlineMs: 60_000, lastSeen: () => this.lastLog() },
    );
  }

  lastLog(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-5).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hello-app-sampling-'));
const jaeger = new OwnJaeger(dir);
const query = new JaegerQuery(QUERY);
const started: ServiceProcess[] = [];

/** hello and formatter, asking `managerHostPort` for their strategies. */
async function startChain(
  label: string,
  managerHostPort: string,
  initialProbability: string,
): Promise<{ hello: ServiceProcess; formatter: ServiceProcess }> {
  const reporting = { JAEGER_ENDPOINT: `http://${HOST}:14268/api/traces` };
  const sampling = {
    JAEGER_SAMPLER_TYPE: 'remote',
    JAEGER_SAMPLER_MANAGER_HOST_PORT: managerHostPort,
    JAEGER_SAMPLER_REFRESH_INTERVAL: String(REFRESH_MS),
    JAEGER_SAMPLER_PARAM: initialProbability,
  };
  const formatter = await startService({
    label: `formatter (${label})`,
    env: serviceEnv('formatter', reporting, sampling),
  });
  started.push(formatter);
  const hello = await startService({
    label: `hello (${label})`,
    env: serviceEnv('hello', reporting, {
      ...sampling,
      formatter_host: '127.0.0.1',
      formatter_port: String(formatter.port),
    }),
  });
  started.push(hello);
  return { hello, formatter };
}

/** GET with a request id of its own (the tag the trace is found by); answers the id. */
async function request(
  service: ServiceProcess,
  path: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const requestId = randomUUID();
  const response = await fetch(`${service.url}${path}`, {
    headers: { ...headers, 'x-request-id': requestId },
    signal: AbortSignal.timeout(5000),
  });
  expect([path, response.status]).toEqual([path, 200]);
  await response.text();
  return requestId;
}

/** The traces in this Jaeger holding a span of `service` tagged with the request id. */
function tracesOf(service: string, requestId: string): Promise<JaegerTrace[]> {
  return query.search({
    service,
    tags: { 'guid:x-request-id': requestId },
    lookbackMs: 10 * 60_000,
    limit: 5,
  });
}

/** Waits for the request's trace with `count` spans; answers its span names. */
async function tracedAs(service: string, requestId: string, count: number): Promise<string[]> {
  let seen = 'nothing';
  const trace = await eventually(
    `${count} spans of the trace of request ${requestId} (${service})`,
    async () => {
      const [found] = await tracesOf(service, requestId);
      seen = found ? names(found).join(', ') : 'no trace';
      return found && found.spans.length >= count ? found : undefined;
    },
    { lastSeen: () => seen },
  );
  return names(trace);
}

/** Log lines of a service with this message. */
function linesOf(service: ServiceProcess, message: string): Record<string, unknown>[] {
  return service.logs().filter((line) => line['message'] === message);
}

/** Waits until each service has logged `count` strategy changes. */
async function strategyChanges(services: ServiceProcess[], count: number): Promise<void> {
  await eventually(
    `${count} strategy changes in the log of ${services.map((s) => s.label).join(' and ')}`,
    () =>
      services.every((s) => linesOf(s, 'sampling strategy changed').length >= count)
        ? true
        : undefined,
    {
      lastSeen: () =>
        services
          .map((s) => `${s.label}: ${JSON.stringify(linesOf(s, 'sampling strategy changed'))}`)
          .join('; '),
    },
  );
}

beforeAll(async () => {
  jaeger.writeStrategies(strategies(1, 0));
  await jaeger.start();
}, 900_000); // the first run may build Jaeger with Go

afterAll(async () => {
  await stopAll(started);
  await jaeger.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('JAEGER_SAMPLER_TYPE=remote, strategies from a real Jaeger', () => {
  let chain: { hello: ServiceProcess; formatter: ServiceProcess };

  beforeAll(async () => {
    // an initial probability no strategy here has, so that its arrival is logged as a
    // change in both services; from then on, the strategies decide
    chain = await startChain('remote', `${HOST}:5778`, '0.5');
    await strategyChanges([chain.hello, chain.formatter], 1);
  }, 60_000);

  it('a per-operation strategy traces one route and not the other', async () => {
    const { hello } = chain;
    // formatter starts the /sayHello2 traces: its route's strategy is 0
    const untraced = [];
    for (let i = 0; i < 5; i++) untraced.push(await request(hello, '/sayHello2/Leela'));
    // hello's route's strategy is 1, and hello's decision goes on to formatter
    const traced = await request(hello, '/sayHello/Bender');
    expect(await tracedAs('hello', traced, 4)).toEqual(FULL_TRACE);
    for (const requestId of untraced) expect(await tracesOf('formatter', requestId)).toEqual([]);
  });

  it('a changed strategies file changes what is traced, without a restart', async () => {
    const { hello, formatter } = chain;
    jaeger.writeStrategies(strategies(0, 1));
    // Jaeger re-reads the file every second, the services ask every REFRESH_MS
    await strategyChanges([hello, formatter], 2);

    const untraced = [];
    for (let i = 0; i < 5; i++) untraced.push(await request(hello, '/sayHello/Bender'));
    const nowTraced = await request(hello, '/sayHello2/Leela');
    expect(await tracedAs('formatter', nowTraced, 2)).toEqual([
      'formatter: GET /formatGreeting',
      'formatter: format-greeting',
    ]);
    // the mesh's decision still wins over the strategy: x-b3-sampled: 1 on hello's route
    const traceId = randomUUID().replaceAll('-', '');
    const meshSampled = await request(hello, '/sayHello/Bender', {
      'x-b3-traceid': traceId,
      'x-b3-spanid': traceId.slice(0, 16),
      'x-b3-sampled': '1',
    });
    expect(await tracedAs('hello', meshSampled, 4)).toEqual(FULL_TRACE);
    for (const requestId of untraced) {
      expect(await tracesOf('hello', requestId)).toEqual([]);
      expect(await tracesOf('formatter', requestId)).toEqual([]);
    }
    // the same processes all along
    expect([hello.alive, formatter.alive]).toEqual([true, true]);
    expect(linesOf(hello, 'listening')).toHaveLength(1);
  });
});

describe('JAEGER_SAMPLER_TYPE=remote, the sampling endpoint unreachable', () => {
  it('keeps the initial strategy (JAEGER_SAMPLER_PARAM), answers every request, complains once', async () => {
    // the file now says 0 for hello's route: reaching it would stop these traces
    const port = await closedPort();
    const { hello } = await startChain('unreachable', `${HOST}:${port}`, '1');
    const complaint = await eventually('the first complaint', () =>
      hello.logs().find((line) => /cannot fetch the strategy/.test(String(line['message']))),
    );
    expect(complaint).toMatchObject({
      level: 'warn',
      component: 'jaeger-client',
      message: expect.stringContaining(
        `from http://${HOST}:${port}/sampling?service=hello (connect ECONNREFUSED ${HOST}:${port}); the current one stays: ProbabilisticSampler(samplingRate=1)`,
      ),
    });

    const requestIds = [];
    for (let i = 0; i < 20; i++) requestIds.push(await request(hello, '/sayHello/Fry'));
    for (const requestId of requestIds)
      expect(await tracedAs('hello', requestId, 4)).toEqual(FULL_TRACE);

    // refreshed every REFRESH_MS, failing each time: still one line per 30 s
    const first = Date.parse(String(complaint['timestamp']));
    await eventually('5 refresh intervals after the first complaint', () =>
      Date.now() - first >= 5 * REFRESH_MS ? true : undefined,
    );
    const complaints = hello
      .logs()
      .filter((line) => /cannot fetch the strategy/.test(String(line['message'])))
      .map((line) => Date.parse(String(line['timestamp'])));
    expect(complaints.filter((at) => at < first + 30_000)).toEqual([first]);
  });
});
