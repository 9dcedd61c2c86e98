/**
 * The instrumented chain against a real Jaeger: hello (reporting over UDP to the agent
 * port) -> the mesh's baggage routing -> formatter v1 or v2 (reporting over HTTP to the
 * collector). The ingress span arrives via Zipkin, the application's via jaeger-client;
 * Jaeger must join them into one trace.
 */
import type { JaegerTrace } from '../../src/compare/jaeger-api.js';
import { VIA_AGENT, VIA_COLLECTOR } from './helpers/endpoints.js';
import { jaeger, jaegerSettled, names, spansOf, waitForSpans } from './helpers/jaeger.js';
import type { SeenSpan } from './helpers/jaeger.js';
import {
  BaggageRouter,
  hex,
  INGRESS_OPERATION,
  INGRESS_SERVICE,
  newIngress,
  throughIngress,
} from './helpers/mesh.js';
import type { MeshAnswer } from './helpers/mesh.js';
import { serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

const NETSCAPE = 'Mozilla/3.0 (Netscape; I)';
const V1 = (name: string) =>
  `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`;
const V2 = (name: string) => `Good news, ${name}! If anyone needs me I'll be in the Angry Dome!`;

let hello: ServiceProcess | undefined;
let formatterV1: ServiceProcess | undefined;
let formatterV2: ServiceProcess | undefined;
let router: BaggageRouter | undefined;

function only(spans: SeenSpan[], service: string, operation: string): SeenSpan {
  const matching = spans.filter((s) => s.service === service && s.operation === operation);
  expect(matching.map((s) => `${s.service}: ${s.operation}`)).toEqual([`${service}: ${operation}`]);
  return matching[0] as SeenSpan;
}

beforeAll(async () => {
  [formatterV1, formatterV2] = await Promise.all([
    startService({ label: 'formatter v1', env: serviceEnv('formatter', VIA_COLLECTOR) }),
    startService({
      label: 'formatter v2',
      env: serviceEnv('formatter', VIA_COLLECTOR, { professor: 'true' }),
    }),
  ]);
  router = await new BaggageRouter({ v1: formatterV1.port, v2: formatterV2.port }).start();
  hello = await startService({
    label: 'hello',
    env: serviceEnv('hello', VIA_AGENT, {
      formatter_host: '127.0.0.1',
      formatter_port: String(router.port),
    }),
  });
});

afterAll(async () => {
  await stopAll([hello, formatterV1, formatterV2]);
  await router?.stop();
});

function helloUrl(): string {
  if (!hello) throw new Error('hello did not start');
  return hello.url;
}

describe('GET /sayHello/:name (instrumented) through the mesh', () => {
  let answer: MeshAnswer;
  let trace: JaegerTrace;
  let spans: SeenSpan[];

  beforeAll(async () => {
    // leading zeros on purpose: an id cut or stripped anywhere would split the trace
    answer = await throughIngress(helloUrl(), '/sayHello/Bender', {
      ingress: newIngress(`000${hex(16).slice(3)}`),
    });
    trace = await waitForSpans(answer.ingress.traceId, 5);
    spans = spansOf(trace);
  });

  it("answers formatter v1's greeting", () => {
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(V1('Bender'));
  });

  it('holds the ingress span (via Zipkin) and every application span (via jaeger-client) in one trace', () => {
    expect(trace.traceID).toBe(answer.ingress.traceId);
    expect(names(trace)).toEqual([
      'formatter: GET /formatGreeting',
      'formatter: format-greeting',
      'hello: GET /formatGreeting',
      'hello: GET /sayHello/:name',
      `${INGRESS_SERVICE}: ${INGRESS_OPERATION}`,
    ]);
  });

  it('keeps the parent links: ingress -> hello server -> hello client -> formatter server -> format-greeting', () => {
    const ingress = only(spans, INGRESS_SERVICE, INGRESS_OPERATION);
    const helloServer = only(spans, 'hello', 'GET /sayHello/:name');
    const helloClient = only(spans, 'hello', 'GET /formatGreeting');
    const formatterServer = only(spans, 'formatter', 'GET /formatGreeting');
    const formatting = only(spans, 'formatter', 'format-greeting');
    expect(ingress.spanId).toBe(answer.ingress.spanId);
    expect(ingress.parentId).toBe('');
    expect(helloServer.parentId).toBe(ingress.spanId);
    expect(helloClient.parentId).toBe(helloServer.spanId);
    expect(formatterServer.parentId).toBe(helloClient.spanId);
    expect(formatting.parentId).toBe(formatterServer.spanId);
  });

  it('carries the tags and logs only the application knows', () => {
    expect(only(spans, 'hello', 'GET /sayHello/:name').tags).toMatchObject({
      'span.kind': 'server',
      'http.method': 'GET',
      'http.url': '/sayHello/Bender',
      'http.status_code': 200,
      'guid:x-request-id': answer.ingress.requestId,
    });
    expect(only(spans, 'hello', 'GET /formatGreeting').tags).toMatchObject({
      'span.kind': 'client',
      'peer.service': 'formatter',
      'http.method': 'GET',
      'http.status_code': 200,
    });
    expect(only(spans, 'formatter', 'GET /formatGreeting').tags).toMatchObject({
      'span.kind': 'server',
      'formatter.version': 'v1',
      'http.status_code': 200,
    });
    expect(only(spans, 'formatter', 'format-greeting').logs).toContainEqual(
      expect.objectContaining({ event: 'formatting greeting', template: 'v1' }),
    );
  });

  it("shows the caller's user agent as baggage on formatter's span, two hops from the caller", () => {
    expect(only(spans, 'formatter', 'GET /formatGreeting').tags['baggage.user-agent']).toBe(
      'curl/8.5.0',
    );
    expect(only(spans, 'hello', 'GET /sayHello/:name').logs).toContainEqual(
      expect.objectContaining({ event: 'baggage', key: 'user-agent', value: 'curl/8.5.0' }),
    );
  });

  it('tells apart who reported what: the jaeger-client stamp on the application processes only', () => {
    const stamped = (s: SeenSpan) =>
      trace.processes[s.span.processID]?.tags.some(
        (t) => t.key === 'opencensus.exporterversion' || t.key === 'jaeger.version',
      );
    expect(spans.filter((s) => !stamped(s)).map((s) => s.service)).toEqual([INGRESS_SERVICE]);
  });

  it('is found by the search API as the latest trace of hello "GET /sayHello/:name"', async () => {
    const found = await jaeger.search({
      service: 'hello',
      operation: 'GET /sayHello/:name',
      tags: { 'guid:x-request-id': answer.ingress.requestId },
      lookbackMs: 10 * 60_000,
      limit: 5,
    });
    expect(found.map((t) => t.traceID)).toEqual([answer.ingress.traceId]);
    expect(await jaeger.services()).toEqual(
      expect.arrayContaining(['hello', 'formatter', INGRESS_SERVICE]),
    );
  });
});

describe('mesh routing on baggage', () => {
  it('sends a Netscape user agent to formatter v2, and the trace shows v2 and the baggage', async () => {
    const answer = await throughIngress(helloUrl(), '/sayHello/Fry', {
      userAgent: NETSCAPE,
    });
    expect(answer.text).toBe(V2('Fry'));
    expect(
      router?.routed.find((r) => r.headers['x-b3-traceid'] === answer.ingress.traceId)?.version,
    ).toBe('v2');
    const spans = spansOf(await waitForSpans(answer.ingress.traceId, 5));
    expect(only(spans, 'formatter', 'GET /formatGreeting').tags).toMatchObject({
      'formatter.version': 'v2',
      'baggage.user-agent': NETSCAPE,
    });
  });
});

describe('GET /sayHello2/:name (the headers-only route) on the instrumented hello', () => {
  it('adds no hello span: formatter (instrumented) hangs straight off the ingress span', async () => {
    const answer = await throughIngress(helloUrl(), '/sayHello2/Leela');
    expect(answer.text).toBe(V1('Leela'));
    // formatter's two spans and the ingress span arrive; hello's would have come with them
    const trace = await waitForSpans(answer.ingress.traceId, 3);
    // hello flushes in order: once a later request's hello spans are in, this one's would be too
    const later = await throughIngress(helloUrl(), '/sayHello/Amy');
    await waitForSpans(later.ingress.traceId, 5);
    await jaegerSettled();
    const settled = await jaeger.trace(answer.ingress.traceId);
    expect(names(settled)).toEqual([
      'formatter: GET /formatGreeting',
      'formatter: format-greeting',
      `${INGRESS_SERVICE}: ${INGRESS_OPERATION}`,
    ]);
    const spans = spansOf(trace);
    expect(only(spans, 'formatter', 'GET /formatGreeting').parentId).toBe(answer.ingress.spanId);
    expect(
      only(spans, 'formatter', 'GET /formatGreeting').tags['baggage.user-agent'],
    ).toBeUndefined();
  });
});
