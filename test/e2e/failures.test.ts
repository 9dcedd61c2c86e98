/**
 * Two ways things go wrong in a deployment, checked against a real Jaeger: formatter is
 * down (hello must answer 502 and the trace must say why), and a pod is stopped right
 * after a request (the spans still buffered must be flushed on SIGTERM).
 */
import { VIA_AGENT, VIA_COLLECTOR } from './helpers/endpoints.js';
import { names, spansOf, waitForSpans } from './helpers/jaeger.js';
import type { SeenSpan } from './helpers/jaeger.js';
import { INGRESS_OPERATION, INGRESS_SERVICE, throughIngress } from './helpers/mesh.js';
import { closedPort, serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

const started: ServiceProcess[] = [];

async function start(...args: Parameters<typeof startService>): Promise<ServiceProcess> {
  const service = await startService(...args);
  started.push(service);
  return service;
}

afterAll(() => stopAll(started));

function only(spans: SeenSpan[], service: string, operation: string): SeenSpan {
  const matching = spans.filter((s) => s.service === service && s.operation === operation);
  expect(matching).toHaveLength(1);
  return matching[0] as SeenSpan;
}

describe('formatter is down', () => {
  it('hello answers 502 and the trace shows the error-tagged client span with its log', async () => {
    const hello = await start({
      label: 'hello (formatter down)',
      env: serviceEnv('hello', VIA_COLLECTOR, {
        formatter_host: '127.0.0.1',
        formatter_port: String(await closedPort()),
      }),
    });
    const answer = await throughIngress(hello.url, '/sayHello/Zoidberg');
    expect(answer.status).toBe(502);
    expect(answer.text).toBe('formatter is unavailable\n');

    const spans = spansOf(await waitForSpans(answer.ingress.traceId, 3));
    expect(spans.map((s) => `${s.service}: ${s.operation}`).sort()).toEqual([
      'hello: GET /formatGreeting',
      'hello: GET /sayHello/:name',
      `${INGRESS_SERVICE}: ${INGRESS_OPERATION}`,
    ]);
    const client = only(spans, 'hello', 'GET /formatGreeting');
    expect(client.tags).toMatchObject({
      error: true,
      'span.kind': 'client',
      'error.kind': 'unreachable',
    });
    expect(client.logs).toContainEqual(
      expect.objectContaining({ event: 'error', message: expect.stringMatching(/ECONNREFUSED/) }),
    );
    expect(only(spans, 'hello', 'GET /sayHello/:name').tags).toMatchObject({
      error: true,
      'http.status_code': 502,
    });
    expect(only(spans, INGRESS_SERVICE, INGRESS_OPERATION).tags).toMatchObject({
      'http.status_code': '502',
      error: true,
    });
  });
});

describe('stopped right after the request', () => {
  it('flushes the buffered spans on SIGTERM, over UDP and over HTTP', async () => {
    // a flush interval far beyond the test: only the shutdown flush can deliver the spans
    const slow = { JAEGER_REPORTER_FLUSH_INTERVAL: '60000' };
    const formatter = await start({
      label: 'formatter (slow flush)',
      env: serviceEnv('formatter', VIA_COLLECTOR, slow),
    });
    const hello = await start({
      label: 'hello (slow flush)',
      env: serviceEnv('hello', VIA_AGENT, {
        ...slow,
        formatter_host: '127.0.0.1',
        formatter_port: String(formatter.port),
      }),
    });
    const answer = await throughIngress(hello.url, '/sayHello/Kif');
    expect(answer.status).toBe(200);

    const [helloExit, formatterExit] = await Promise.all([hello.stop(), formatter.stop()]);
    expect([helloExit, formatterExit]).toEqual([0, 0]);
    const trace = await waitForSpans(answer.ingress.traceId, 5);
    expect(names(trace)).toEqual([
      'formatter: GET /formatGreeting',
      'formatter: format-greeting',
      'hello: GET /formatGreeting',
      'hello: GET /sayHello/:name',
      `${INGRESS_SERVICE}: ${INGRESS_OPERATION}`,
    ]);
  });
});
