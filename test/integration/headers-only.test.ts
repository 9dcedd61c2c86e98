/**
 * The headers-only shape: the application makes no span of its own and copies the
 * mesh's tracing headers onward, unchanged. Also: sampling decisions made upstream win.
 */
import { b3Headers, randomSpanId, randomTraceId, startChain } from '../helpers/chain.js';
import { ISTIO_TRACE_HEADERS } from '../../src/tracing/mesh-headers.js';

const V1 = (name: string) =>
  `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`;

/** Every header of Istio's list, with plausible values. */
function fullMeshHeaders(traceId: string): Record<string, string> {
  return {
    'x-request-id': 'f0c1e3a4-0000-4000-8000-000000000001',
    'x-b3-traceid': traceId,
    'x-b3-spanid': 'a2fb4a1d1a96d312',
    'x-b3-parentspanid': '0020000000000001',
    'x-b3-sampled': '1',
    'x-b3-flags': '0',
    b3: `${traceId}-a2fb4a1d1a96d312-1`,
    'x-ot-span-context': 'opaque-ot-context',
    traceparent: `00-${traceId}-a2fb4a1d1a96d312-01`,
    tracestate: 'congo=t61rcWkgMzE',
    'x-cloud-trace-context': `${traceId}/1;o=1`,
    'grpc-trace-bin': 'AAARf6s3pf8IQMUsb8uwwJ4BAgE',
    sw8: '1-TRACEID-SEGMENTID-3-PARENT-SERVICE-INSTANCE-ENDPOINT-ADDR',
  };
}

describe('GET /sayHello2/:name (headers-only route on an instrumented hello)', () => {
  it('answers the greeting, reports no hello span, and copies every mesh header unchanged', async () => {
    const chain = await startChain();
    const traceId = randomTraceId();
    const sent = fullMeshHeaders(traceId);
    try {
      const answer = await chain.get('/sayHello2/Leela', sent);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(V1('Leela'));
      const arrived = chain.proxy.last();
      for (const name of ISTIO_TRACE_HEADERS)
        expect([name, arrived[name]]).toEqual([name, sent[name]]);
      expect(Object.keys(arrived).filter((h) => h.startsWith('baggage-'))).toEqual([]);
    } finally {
      await chain.stop(); // flushes everything both tracers had
    }
    const helloSpans = chain.collector.spans.filter((s) => s.service === 'hello');
    expect(helloSpans).toEqual([]);
    // formatter is instrumented in this chain, so its spans continue the mesh's trace
    expect(chain.collector.spans.every((s) => s.traceId === traceId)).toBe(true);
  });

  it('never forwards an empty header (an empty x-b3-parentspanid breaks Envoy)', async () => {
    const chain = await startChain();
    try {
      await chain.get('/sayHello2/Leela', {
        ...b3Headers(randomTraceId(), randomSpanId(), '1'),
        'x-b3-parentspanid': '',
      });
      const arrived = chain.proxy.last();
      expect(arrived).not.toHaveProperty('x-b3-parentspanid');
      expect(Object.entries(arrived).filter(([, value]) => value === '')).toEqual([]);
      expect(arrived['x-request-id']).toMatch(/^[0-9a-f-]{36}$/); // generated, since none came in
    } finally {
      await chain.stop();
    }
  });
});

describe.each([
  ['TRACING_MODE=headers-only', { TRACING_MODE: 'headers-only' }],
  ['JAEGER_DISABLED=true', { JAEGER_DISABLED: 'true' }],
])('%s', (_label, env) => {
  it('sends no span at all, on either route, and still forwards the mesh headers', async () => {
    const chain = await startChain({ env });
    const traceId = randomTraceId();
    try {
      for (const route of ['/sayHello/Hermes', '/sayHello2/Hermes']) {
        const answer = await chain.get(route, {
          ...b3Headers(traceId, 'a2fb4a1d1a96d312', '1'),
          'user-agent': 'Netscape',
        });
        expect(answer.text).toBe(V1('Hermes'));
        const arrived = chain.proxy.last();
        expect(arrived['x-b3-traceid']).toBe(traceId);
        expect(arrived['x-b3-spanid']).toBe('a2fb4a1d1a96d312');
        expect(arrived['x-b3-sampled']).toBe('1');
        expect(arrived).not.toHaveProperty('baggage-user-agent'); // no tracer: no baggage
      }
    } finally {
      await chain.stop();
    }
    expect(chain.collector.spans).toEqual([]);
    expect(chain.collector.batches).toBe(0);
  });
});

describe('sampling decided upstream', () => {
  it('x-b3-sampled: 0 stays 0 onward and no span is reported', async () => {
    const chain = await startChain();
    const traceId = randomTraceId();
    try {
      const answer = await chain.get('/sayHello/Zoidberg', b3Headers(traceId, randomSpanId(), '0'));
      expect(answer.status).toBe(200);
      expect(chain.proxy.last()['x-b3-sampled']).toBe('0');
      expect(chain.proxy.last()['x-b3-traceid']).toBe(traceId);
    } finally {
      await chain.stop();
    }
    expect(chain.collector.spans).toEqual([]);
  });

  it('a B3 context without x-b3-sampled defers to the local sampler (const 1: sampled)', async () => {
    const chain = await startChain();
    const traceId = randomTraceId();
    try {
      await chain.get('/sayHello/Kif', b3Headers(traceId, randomSpanId()));
      expect(chain.proxy.last()['x-b3-sampled']).toBe('1');
      await chain.collector.waitFor(
        (spans) => spans.filter((s) => s.traceId === traceId).length === 4,
      );
    } finally {
      await chain.stop();
    }
  });

  it('a deferred context with JAEGER_SAMPLER_PARAM=0 is not sampled', async () => {
    const chain = await startChain({
      env: { JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '0' },
    });
    try {
      await chain.get('/sayHello/Kif', b3Headers(randomTraceId(), randomSpanId()));
      expect(chain.proxy.last()['x-b3-sampled']).toBe('0');
    } finally {
      await chain.stop();
    }
    expect(chain.collector.spans).toEqual([]);
  });

  it('x-b3-flags: 1 (debug) goes onward as debug and is reported', async () => {
    const chain = await startChain({ env: { JAEGER_SAMPLER_PARAM: '0' } });
    const traceId = randomTraceId();
    try {
      await chain.get('/sayHello/Nibbler', {
        ...b3Headers(traceId, randomSpanId()),
        'x-b3-flags': '1',
      });
      expect(chain.proxy.last()['x-b3-flags']).toBe('1');
      expect(chain.proxy.last()).not.toHaveProperty('x-b3-sampled');
      await chain.collector.waitFor(
        (spans) => spans.filter((s) => s.traceId === traceId).length === 4,
      );
    } finally {
      await chain.stop();
    }
  });
});
