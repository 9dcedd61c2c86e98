/**
 * The instrumented route as a user sees it in Jaeger: every application span inside the
 * mesh's trace, parented correctly, with the tags, logs and baggage that no sidecar sees.
 */
import { b3Headers, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';
import type { CollectedSpan } from '../helpers/thrift-collector.js';

// leading zeros on purpose: jaeger-client would drop them and Envoy would split the trace
const MESH_TRACE_ID = '00000f7651916cd43dd8448eb211c803';
const INGRESS_SPAN_ID = '00f067aa0ba902b7';
const NETSCAPE = 'Mozilla/3.0 (Netscape; I)';

function only(spans: CollectedSpan[], service: string, operation: string): CollectedSpan {
  const matching = spans.filter((s) => s.service === service && s.operation === operation);
  expect(matching).toHaveLength(1);
  return matching[0] as CollectedSpan;
}

describe('GET /sayHello/:name with the mesh B3 headers', () => {
  let chain: Chain;
  let answer: { status: number; text: string; headers: Record<string, string> };
  let trace: CollectedSpan[];

  beforeAll(async () => {
    chain = await startChain();
    answer = await chain.get('/sayHello/Bender', {
      ...b3Headers(MESH_TRACE_ID, INGRESS_SPAN_ID, '1'),
      'x-request-id': 'req-0001',
      'user-agent': NETSCAPE,
    });
    await chain.collector.waitFor(
      (spans) => spans.filter((s) => s.traceId === MESH_TRACE_ID).length >= 4,
    );
    trace = chain.collector.trace(MESH_TRACE_ID);
  });

  afterAll(() => chain.stop());

  it("answers formatter's v1 text as plain text", () => {
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(
      'Hello, puny human Bender! Morbo asks: how do you like running on Kubernetes?',
    );
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('puts every application span into the incoming trace, parented hop by hop', () => {
    expect(trace.map((s) => `${s.service}:${s.operation}`).sort()).toEqual([
      'formatter:GET /formatGreeting',
      'formatter:format-greeting',
      'hello:GET /formatGreeting',
      'hello:GET /sayHello/:name',
    ]);
    const helloServer = only(trace, 'hello', 'GET /sayHello/:name');
    const helloClient = only(trace, 'hello', 'GET /formatGreeting');
    const formatterServer = only(trace, 'formatter', 'GET /formatGreeting');
    const formatting = only(trace, 'formatter', 'format-greeting');
    expect(helloServer.parentId).toBe(INGRESS_SPAN_ID);
    expect(helloClient.parentId).toBe(helloServer.spanId);
    expect(formatterServer.parentId).toBe(helloClient.spanId);
    expect(formatting.parentId).toBe(formatterServer.spanId);
  });

  it('times spans to the microsecond, each inside its parent, near the wall clock', () => {
    // jaeger-client alone stamps whole milliseconds: sub-ms spans would all read 0
    expect(trace.some((s) => s.durationUs % 1000 !== 0)).toBe(true);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const span of trace) {
      const parent = byId.get(span.parentId);
      if (!parent) continue;
      expect(span.startUs).toBeGreaterThanOrEqual(parent.startUs);
      expect(span.startUs + span.durationUs).toBeLessThanOrEqual(
        parent.startUs + parent.durationUs,
      );
    }
    for (const span of trace)
      expect(Math.abs(span.startUs / 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('tags server and client spans with the OpenTracing semantic conventions', () => {
    expect(only(trace, 'hello', 'GET /sayHello/:name').tags).toMatchObject({
      'span.kind': 'server',
      component: 'express',
      'http.method': 'GET',
      'http.url': '/sayHello/Bender',
      'http.status_code': 200,
      'guid:x-request-id': 'req-0001',
    });
    const client = only(trace, 'hello', 'GET /formatGreeting');
    expect(client.tags).toMatchObject({
      'span.kind': 'client',
      component: 'node-fetch',
      'peer.service': 'formatter',
      'http.method': 'GET',
      'http.status_code': 200,
    });
    expect(client.tags['http.url']).toMatch(/\/formatGreeting\?name=Bender$/);
    expect(client.tags['error']).toBeUndefined();
  });

  it("records on formatter's spans what only the application knows", () => {
    expect(only(trace, 'formatter', 'GET /formatGreeting').tags).toMatchObject({
      'span.kind': 'server',
      'formatter.version': 'v1',
      'baggage.user-agent': NETSCAPE,
      'http.status_code': 200,
    });
    const formatting = only(trace, 'formatter', 'format-greeting');
    expect(formatting.logs).toContainEqual(
      expect.objectContaining({ event: 'formatting greeting', template: 'v1' }),
    );
  });

  it('sends formatter the mesh headers: same trace id at full width, baggage-user-agent, x-request-id', () => {
    const headers = chain.proxy.last();
    const helloClient = only(trace, 'hello', 'GET /formatGreeting');
    const helloServer = only(trace, 'hello', 'GET /sayHello/:name');
    expect(headers['x-b3-traceid']).toBe(MESH_TRACE_ID);
    expect(headers['x-b3-spanid']).toBe(helloClient.spanId);
    expect(headers['x-b3-parentspanid']).toBe(helloServer.spanId);
    expect(headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
    expect(headers['x-b3-sampled']).toBe('1');
    expect(headers['baggage-user-agent']).toBe(NETSCAPE);
    expect(headers['x-request-id']).toBe('req-0001');
    // jaeger-client's own prefix must not leak: Istio routes on baggage-*, not uberctx-*
    expect(Object.keys(headers).filter((h) => h.startsWith('uberctx-'))).toEqual([]);
  });

  it("writes log lines that carry the request's trace and span ids", () => {
    const formatting = only(trace, 'formatter', 'format-greeting');
    const line = chain.logs.withMessage('formatting greeting').at(-1);
    expect(line).toMatchObject({
      trace_id: MESH_TRACE_ID,
      span_id: formatting.spanId,
      request_id: 'req-0001',
    });
    const access = chain.logs
      .withMessage('request')
      .filter((l) => l.service === 'hello')
      .at(-1);
    expect(access).toMatchObject({
      method: 'GET',
      route: '/sayHello/:name',
      status: 200,
      trace_id: MESH_TRACE_ID,
    });
  });
});

describe('baggage the mesh routes on', () => {
  it('a Netscape user agent reaches a v2 formatter as baggage-user-agent and gets the v2 greeting', async () => {
    const chain = await startChain({ formatterEnv: { professor: 'true' } });
    try {
      const answer = await chain.get('/sayHello/Fry', { 'user-agent': NETSCAPE });
      expect(answer.text).toBe("Good news, Fry! If anyone needs me I'll be in the Angry Dome!");
      expect(chain.proxy.last()['baggage-user-agent']).toMatch(/Netscape/);
    } finally {
      await chain.stop();
    }
  });

  it('starts a 128-bit root trace when no mesh context arrives, and sends it at full width', async () => {
    const chain = await startChain();
    try {
      await chain.get('/sayHello/Amy');
      const headers = chain.proxy.last();
      expect(headers['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);
      expect(headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
      expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const traceId = headers['x-b3-traceid'] as string;
      await chain.collector.waitFor(
        (spans) => spans.filter((s) => s.traceId === traceId).length === 4,
      );
      expect(
        chain.collector.trace(traceId).find((s) => s.operation === 'GET /sayHello/:name')?.parentId,
      ).toBe('');
    } finally {
      await chain.stop();
    }
  });
});
