/**
 * The production build as a process: start-up errors, the local run that `npm start`
 * does, and SIGTERM draining in-flight requests and flushing buffered spans.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import fetch from 'node-fetch';
import { HeaderRecordingProxy } from '../helpers/header-proxy.js';
import { ServiceProcess } from '../helpers/process.js';
import { ThriftCollector } from '../helpers/thrift-collector.js';
import { b3Headers, randomSpanId, randomTraceId } from '../helpers/chain.js';

const running: ServiceProcess[] = [];
function start(env: Record<string, string>, args: string[] = []): ServiceProcess {
  const service = new ServiceProcess(env, args);
  running.push(service);
  return service;
}
afterEach(() => running.splice(0).forEach((s) => s.kill()));

/** Holds a port the way another program would (all interfaces); the port it got. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return {
    port: (server.address() as { port: number }).port,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('start-up', () => {
  it.each([
    [{}, 'app_name is required; choose one of: hello, formatter, all'],
    [
      { app_name: 'greeter' },
      'app_name="greeter" is not valid; choose one of: hello, formatter, all',
    ],
  ])('app_name %j is a clear error listing the choices', async (env, message) => {
    const service = start(env);
    expect(await service.exited).toBe(2);
    expect(service.stderr).toContain(message);
    expect(service.stderr).toContain('For a local run of the whole chain: npm start');
  });

  describe('a port that is taken names the service and the setting that moves it', () => {
    let held: Awaited<ReturnType<typeof holdPort>>;
    beforeEach(async () => {
      held = await holdPort();
    });
    afterEach(() => held.release());

    it('app_name=all: formatter on PORT+1', async () => {
      // formatter starts first, on PORT+1: the held port
      const service = start({ PORT: String(held.port - 1) }, ['all']);
      expect(await service.exited).not.toBe(0);
      expect(service.stderr).toBe(
        `hello-app: failed to start: formatter could not listen on port ${held.port}: it is in use (EADDRINUSE); ` +
          'stop what holds it, or set PORT (with app_name=all formatter takes PORT+1)\n',
      );
    });

    it('app_name=all: formatter on formatter_port', async () => {
      const service = start({ PORT: '0', formatter_port: String(held.port) }, ['all']);
      expect(await service.exited).not.toBe(0);
      expect(service.stderr).toBe(
        `hello-app: failed to start: formatter could not listen on port ${held.port}: it is in use (EADDRINUSE); ` +
          'stop what holds it, or set formatter_port\n',
      );
    });

    it.each([
      ['app_name=hello', { app_name: 'hello' }],
      ['app_name=all, formatter elsewhere', { app_name: 'all', formatter_port: '0' }],
    ])('%s: hello on PORT', async (_label, env) => {
      const service = start({ ...env, PORT: String(held.port) });
      expect(await service.exited).not.toBe(0);
      expect(service.stderr).toBe(
        `hello-app: failed to start: hello could not listen on port ${held.port}: it is in use (EADDRINUSE); ` +
          'stop what holds it, or set PORT\n',
      );
    });
  });
});

describe('app_name=all (what npm start runs)', () => {
  it('prints where each service listens with a curl per route, serves the chain, shows spans, exits 0 on SIGINT', async () => {
    // exactly what `npm start` runs: node dist/main.js all
    const service = start({ PORT: '0', JAEGER_AGENT_HOST: '127.0.0.1' }, ['all']);
    const helloUrl = await service.urlOf('hello');
    const formatterUrl = await service.urlOf('formatter');
    await service.waitFor(
      () => (service.stderr.includes('Stop with Ctrl+C') ? true : undefined),
      'the banner',
    );
    expect(service.stderr).toContain(`hello     ${helloUrl}`);
    expect(service.stderr).toContain(`formatter ${formatterUrl}`);
    expect(service.bannerComment(`curl ${helloUrl}/sayHello/Bender`)).toBe(
      'instrumented: app spans + baggage',
    );
    expect(service.bannerComment(`curl -A Netscape ${helloUrl}/sayHello/Fry`)).toBe(
      'user-agent travels as baggage-user-agent',
    );
    expect(service.bannerComment(`curl ${helloUrl}/sayHello2/Leela`)).toBe(
      'hello forwards headers only: no hello span; formatter still makes its 2',
    );
    expect(service.bannerComment(`curl '${formatterUrl}/formatGreeting?name=Amy'`)).toBe('');

    const answer = await fetch(`${helloUrl}/sayHello/Bender`);
    expect(await answer.text()).toBe(
      'Hello, puny human Bender! Morbo asks: how do you like running on Kubernetes?',
    );
    // no Jaeger is running here: the finished spans are visible in the console instead
    const printed = await service.waitFor(() => {
      const spans = service.logs().filter((l) => l['message'] === 'span finished');
      return spans.length === 4 ? spans : undefined;
    }, 'four "span finished" lines');
    expect(printed.map((l) => `${String(l['service'])} ${String(l['operation'])}`).sort()).toEqual([
      'formatter GET /formatGreeting',
      'formatter format-greeting',
      'hello GET /formatGreeting',
      'hello GET /sayHello/:name',
    ]);
    // durations to the microsecond (Jaeger's unit), not a float's every digit: in the span
    // lines and in the access-log lines alike
    const accessLog = await service.accessLogged('hello', '/sayHello/:name');
    for (const line of [...printed, accessLog])
      expect(String(line['duration_ms'])).toMatch(/^\d+(\.\d{1,3})?$/);

    // what the banner says of /sayHello2: no hello span, formatter's two
    const before = service.logs().length;
    const leela = await fetch(`${helloUrl}/sayHello2/Leela`);
    expect(await leela.text()).toContain('Hello, puny human Leela!');
    await service.accessLogged('hello', '/sayHello2/:name'); // hello's last line for it
    const spansOfLeela = service
      .logs()
      .slice(before)
      .filter((l) => l['message'] === 'span finished');
    expect(spansOfLeela.map((l) => `${String(l['service'])} ${String(l['operation'])}`)).toEqual([
      'formatter format-greeting',
      'formatter GET /formatGreeting',
    ]);
    service.signal('SIGINT');
    expect(await service.exited).toBe(0);
  });
});

describe('app_name=all without application spans', () => {
  it.each([
    [
      'TRACING_MODE=headers-only',
      { TRACING_MODE: 'headers-only' },
      "Tracing: headers-only (TRACING_MODE=headers-only): hello forwards the mesh's tracing headers to formatter; no application spans, no baggage.",
    ],
    [
      'JAEGER_DISABLED=true',
      { JAEGER_DISABLED: 'true' },
      "Tracing: off (JAEGER_DISABLED=true): hello forwards the mesh's tracing headers to formatter; no application spans, no baggage.",
    ],
  ])('%s: the banner says what the shape does, and it does that', async (_label, env, tracing) => {
    const service = start({ PORT: '0', LOG_LEVEL: 'debug', ...env }, ['all']);
    const helloUrl = await service.urlOf('hello');
    await service.waitFor(
      () => (service.stderr.includes('Stop with Ctrl+C') ? true : undefined),
      'the banner',
    );
    expect(service.bannerComment(`curl ${helloUrl}/sayHello/Bender`)).toBe(
      "hello forwards the mesh's tracing headers: no spans",
    );
    expect(service.bannerComment(`curl -A Netscape ${helloUrl}/sayHello/Fry`)).toBe(
      'no baggage: the user-agent stops at hello',
    );
    expect(service.bannerComment(`curl ${helloUrl}/sayHello2/Leela`)).toBe(
      'the same: headers forwarded, no spans',
    );
    expect(service.stderr).toContain(`\n${tracing}\n`);
    expect(service.stderr).not.toMatch(/app spans \+ baggage|travels as baggage|span finished/);

    // and so it is: the mesh's headers reach formatter, the user-agent does not, no span is made
    const traceId = randomTraceId();
    const answer = await fetch(`${helloUrl}/sayHello/Fry`, {
      headers: { ...b3Headers(traceId, randomSpanId(), '1'), 'user-agent': 'Netscape' },
    });
    expect(await answer.text()).toContain('Hello, puny human Fry!');
    await service.accessLogged('hello', '/sayHello/:name');
    const arrived = service
      .logs()
      .find((l) => l['message'] === 'request headers' && l['service'] === 'formatter')?.[
      'headers'
    ] as Record<string, string> | undefined;
    expect(arrived?.['x-b3-traceid']).toBe(traceId);
    expect(Object.keys(arrived ?? {}).filter((h) => h.startsWith('baggage'))).toEqual([]);
    expect(arrived?.['user-agent']).not.toBe('Netscape');
    expect(service.logs().filter((l) => l['message'] === 'span finished')).toEqual([]);
  });
});

describe('SIGTERM', () => {
  it('lets the in-flight request finish, flushes every buffered span, and exits 0', async () => {
    const collector = await new ThriftCollector().start();
    const tracingEnv = {
      JAEGER_ENDPOINT: collector.endpoint,
      JAEGER_REPORTER_FLUSH_INTERVAL: '60000', // nothing leaves before shutdown flushes it
      PORT: '0',
    };
    const formatter = start({ app_name: 'formatter', ...tracingEnv });
    const formatterPort = new URL(await formatter.urlOf('formatter')).port;
    const slowHop = await new HeaderRecordingProxy(() => Number(formatterPort)).start();
    slowHop.behaviour = 'delay';
    slowHop.delayMs = 600;
    const hello = start({
      app_name: 'hello',
      formatter_host: '127.0.0.1',
      formatter_port: String(slowHop.port),
      ...tracingEnv,
    });
    const helloUrl = await hello.urlOf('hello');
    const traceId = randomTraceId();
    try {
      const answer = fetch(`${helloUrl}/sayHello/Bender`, {
        headers: b3Headers(traceId, randomSpanId(), '1'),
      });
      await hello.waitFor(
        () => (slowHop.requests.length === 1 ? true : undefined),
        'the call to formatter',
      );
      hello.signal('SIGTERM');
      const response = await answer;
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Bender');
      expect(await hello.exited).toBe(0);
      formatter.signal('SIGTERM');
      expect(await formatter.exited).toBe(0);
      expect(
        collector
          .trace(traceId)
          .map((s) => `${s.service} ${s.operation}`)
          .sort(),
      ).toEqual([
        'formatter GET /formatGreeting',
        'formatter format-greeting',
        'hello GET /formatGreeting',
        'hello GET /sayHello/:name',
      ]);
    } finally {
      await slowHop.stop();
      await collector.stop();
    }
  });

  it('does not hang on a collector that never answers: shutdown has its own deadline', async () => {
    const blackHole = await new HeaderRecordingProxy(() => 1).start();
    blackHole.behaviour = 'stall';
    const started = Date.now();
    const formatter = start({
      app_name: 'formatter',
      PORT: '0',
      JAEGER_ENDPOINT: `http://127.0.0.1:${blackHole.port}/api/traces`,
      TRACER_CLOSE_TIMEOUT_MS: '500',
    });
    try {
      const url = await formatter.urlOf('formatter');
      await fetch(`${url}/formatGreeting?name=Amy`);
      formatter.signal('SIGTERM');
      expect(await formatter.exited).toBe(0);
      expect(blackHole.requests.length).toBeGreaterThanOrEqual(1); // the flush was attempted
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      await blackHole.stop();
    }
  });
});
