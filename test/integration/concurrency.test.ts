/**
 * The active span travels with each request through async code (AsyncLocalStorage):
 * under concurrency no span or log line lands in another request's trace.
 */
import http from 'node:http';
import { b3Headers, randomSpanId, randomTraceId, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

const REQUESTS = 50;

describe(`${REQUESTS} concurrent requests with different incoming trace ids`, () => {
  let chain: Chain;
  const sent: { traceId: string; ingressSpanId: string; requestId: string }[] = [];

  beforeAll(async () => {
    chain = await startChain();
    for (let i = 0; i < REQUESTS; i++) {
      sent.push({ traceId: randomTraceId(), ingressSpanId: randomSpanId(), requestId: `req-${i}` });
    }
    const answers = await Promise.all(
      sent.map(({ traceId, ingressSpanId, requestId }, i) =>
        chain.get(`/sayHello/n${i}`, {
          ...b3Headers(traceId, ingressSpanId, '1'),
          'x-request-id': requestId,
          'user-agent': `agent-${i}`,
        }),
      ),
    );
    answers.forEach((answer, i) => expect(answer.text).toContain(`human n${i}!`));
    await chain.collector.waitFor((spans) => spans.length >= REQUESTS * 4);
  });

  afterAll(() => chain.stop());

  it('every span lands in its own request trace, with one server span per request', () => {
    expect(chain.collector.spans).toHaveLength(REQUESTS * 4);
    sent.forEach(({ traceId, ingressSpanId }, i) => {
      const trace = chain.collector.trace(traceId);
      expect(trace).toHaveLength(4);
      const helloServer = trace.filter((s) => s.operation === 'GET /sayHello/:name');
      expect(helloServer).toHaveLength(1);
      expect(helloServer[0]?.parentId).toBe(ingressSpanId);
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      for (const span of trace)
        if (span !== helloServer[0]) expect(byId.has(span.parentId)).toBe(true);
      const formatterServer = trace.find(
        (s) => s.service === 'formatter' && s.operation === 'GET /formatGreeting',
      );
      expect(formatterServer?.tags['baggage.user-agent']).toBe(`agent-${i}`);
      expect(helloServer[0]?.tags['http.url']).toBe(`/sayHello/n${i}`);
      // logged after an await: still on this request's server span
      expect(helloServer[0]?.logs).toContainEqual(
        expect.objectContaining({ event: 'greeting received' }),
      );
    });
  });

  it("every log line's trace_id matches its request", () => {
    const traceOf = new Map(sent.map((s) => [s.requestId, s.traceId]));
    const requestLines = chain.logs.lines.filter(
      (l) => typeof l.request_id === 'string' && traceOf.has(l.request_id),
    );
    expect(requestLines.length).toBeGreaterThanOrEqual(REQUESTS * 4); // 2 access lines + 2 span-logger lines each
    for (const line of requestLines)
      expect([line.request_id, line.trace_id]).toEqual([
        line.request_id,
        traceOf.get(line.request_id as string),
      ]);
  });
});

describe('a client that goes away before the answer', () => {
  it('still yields exactly one server span, which says the client disconnected', async () => {
    const chain = await startChain({ helloEnv: { FORMATTER_TIMEOUT_MS: '400' } });
    chain.proxy.behaviour = 'stall';
    const traceId = randomTraceId();
    try {
      await new Promise<void>((resolve) => {
        const req = http.get(`${chain.hello.url}/sayHello/Bender`, {
          headers: b3Headers(traceId, randomSpanId(), '1'),
        });
        req.on('error', () => resolve());
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      // the formatter call still times out after 400 ms; then hello's spans finish
      await chain.collector.waitFor(
        (spans) => spans.filter((s) => s.traceId === traceId).length === 2,
      );
    } finally {
      await chain.stop();
    }
    const servers = chain.collector
      .trace(traceId)
      .filter((s) => s.operation === 'GET /sayHello/:name');
    expect(servers).toHaveLength(1);
    expect(servers[0]?.logs).toContainEqual(
      expect.objectContaining({ event: 'client disconnected' }),
    );
    expect(chain.logs.withMessage('request').find((l) => l.trace_id === traceId)).toMatchObject({
      status: 499,
    });
  });
});
