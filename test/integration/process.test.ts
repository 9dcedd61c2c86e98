/**
 * The production build as a process: start-up errors, the local run that `npm start`
 * does, and SIGTERM draining in-flight requests and flushing buffered spans.
 */
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
    expect(service.stderr).toContain(`curl ${helloUrl}/sayHello/Bender`);
    expect(service.stderr).toContain(`curl ${helloUrl}/sayHello2/Leela`);

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
    // durations to the microsecond (Jaeger's unit), not a float's every digit
    for (const line of printed) expect(String(line['duration_ms'])).toMatch(/^\d+(\.\d{1,3})?$/);
    service.signal('SIGINT');
    expect(await service.exited).toBe(0);
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
