/**
 * A tracing header sent twice arrives joined (`a, b`, Node's req.headers) or as a list
 * (req.headersDistinct). Single-value tracing headers count by their first value, as
 * Envoy reads them; W3C's list headers (tracestate, baggage) combine.
 */
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { loadConfig } from '../../src/config.js';
import type { PropagationFormat } from '../../src/config.js';
import { ConstSampler, Tracer, hexOf } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerSpanContext, Reporter } from '../../src/tracing/jaeger/jaeger-client.js';
import { BaggagePolicy } from '../../src/tracing/propagation/baggage-policy.js';
import { toHeaderMap } from '../../src/tracing/propagation/headers.js';
import { MeshPropagator } from '../../src/tracing/jaeger/propagator.js';
import { copyMeshHeaders, meshTraceIdOf } from '../../src/tracing/mesh-headers.js';

const FIRST = { trace: '463ac35c9f6413ad48485a3953bb6124', span: 'a2fb4a1d1a96d312' };
const SECOND = { trace: '0af7651916cd43dd8448eb211c80319c', span: 'b7ad6b7169203331' };
const joined = (a: string, b: string) => `${a}, ${b}`; // as Node joins repeated headers

const nullReporter: Reporter = {
  report: () => undefined,
  close: (cb) => cb?.(),
  setProcess: () => undefined,
};

function extract(formats: PropagationFormat[], carrier: Record<string, unknown>) {
  const tracer = new Tracer('unit', nullReporter, new ConstSampler(true), { traceId128bit: true });
  const policy = new BaggagePolicy(
    loadConfig({ app_name: 'hello', BAGGAGE_ALLOWLIST: 'user-agent,k' }).baggage,
  );
  const propagator = new MeshPropagator(formats, policy);
  tracer.registerExtractor(FORMAT_HTTP_HEADERS, propagator);
  const context = tracer.extract(FORMAT_HTTP_HEADERS, carrier) as JaegerSpanContext | null;
  return context && hexOf(context.traceId)
    ? {
        traceId: hexOf(context.traceId),
        spanId: hexOf(context.spanId),
        parentId: hexOf(context.parentId),
        sampled: context.isSampled(),
        baggage: context.baggage,
      }
    : null;
}

describe('single-value tracing headers: the first value, as Envoy reads it', () => {
  it('B3 headers joined by Node', () => {
    expect(
      extract(['b3'], {
        'x-b3-traceid': joined(FIRST.trace, SECOND.trace),
        'x-b3-spanid': joined(FIRST.span, SECOND.span),
        'x-b3-parentspanid': joined('00f067aa0ba902b7', '1111111111111111'),
        'x-b3-sampled': joined('1', '0'),
      }),
    ).toMatchObject({
      traceId: FIRST.trace,
      spanId: FIRST.span,
      parentId: '00f067aa0ba902b7',
      sampled: true,
    });
  });

  it('B3 headers as req.headersDistinct lists them', () => {
    expect(
      extract(['b3'], {
        'x-b3-traceid': [FIRST.trace, SECOND.trace],
        'x-b3-spanid': [FIRST.span, SECOND.span],
        'x-b3-sampled': ['0', '1'],
        'x-b3-flags': ['0', '1'], // debug in the second value only: not debug
      }),
    ).toMatchObject({ traceId: FIRST.trace, spanId: FIRST.span, sampled: false });
  });

  it('an invalid first value ignores the context, even when the second is valid', () => {
    expect(
      extract(['b3'], {
        'x-b3-traceid': joined('not-a-trace-id', SECOND.trace),
        'x-b3-spanid': joined(FIRST.span, SECOND.span),
      }),
    ).toBeNull();
    // an empty first value (Node joins '' and 'b' as ', b') is no value
    expect(
      extract(['b3'], {
        'x-b3-traceid': `, ${SECOND.trace}`,
        'x-b3-spanid': joined(FIRST.span, SECOND.span),
      }),
    ).toBeNull();
  });

  it('traceparent and uber-trace-id', () => {
    const w3c = extract(['w3c'], {
      traceparent: joined(
        `00-${FIRST.trace}-${FIRST.span}-01`,
        `00-${SECOND.trace}-${SECOND.span}-01`,
      ),
    });
    expect(w3c).toMatchObject({ traceId: FIRST.trace, spanId: FIRST.span });
    const jaeger = extract(['jaeger'], {
      'uber-trace-id': joined(
        `${FIRST.trace}:${FIRST.span}:0:1`,
        `${SECOND.trace}:${SECOND.span}:0:1`,
      ),
    });
    expect(jaeger).toMatchObject({ traceId: FIRST.trace, spanId: FIRST.span });
  });
});

describe('list headers are not split', () => {
  it('tracestate from two headers is one list (W3C: combine them)', () => {
    const map = toHeaderMap({
      traceparent: `00-${FIRST.trace}-${FIRST.span}-01`,
      tracestate: joined('congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7'),
    });
    expect(map.get('tracestate')).toBe('congo=t61rcWkgMzE, rojo=00f067aa0ba902b7');
    expect(toHeaderMap({ tracestate: ['a=1', 'b=2'] }).get('tracestate')).toBe('a=1, b=2');
  });

  it('W3C baggage from two headers keeps the members of both', () => {
    expect(
      extract(['w3c'], {
        traceparent: `00-${FIRST.trace}-${FIRST.span}-01`,
        baggage: joined('user-agent=Netscape', 'k=v'),
      })?.baggage,
    ).toEqual({ 'user-agent': 'Netscape', k: 'v' });
  });
});

describe('the headers-only shape copies what Envoy reads', () => {
  it('copies the first value of repeated B3 and traceparent headers, tracestate whole', () => {
    const out = copyMeshHeaders(
      {
        'x-b3-traceid': joined(FIRST.trace, SECOND.trace),
        'x-b3-spanid': joined(FIRST.span, SECOND.span),
        'x-b3-sampled': joined('1', '1'),
        traceparent: joined(
          `00-${FIRST.trace}-${FIRST.span}-01`,
          `00-${SECOND.trace}-${SECOND.span}-01`,
        ),
        tracestate: joined('a=1', 'b=2'),
        'x-b3-parentspanid': `, ${SECOND.span}`, // an empty first value is not sent at all
      },
      'req-1',
    );
    expect(out).toEqual({
      'x-b3-traceid': FIRST.trace,
      'x-b3-spanid': FIRST.span,
      'x-b3-sampled': '1',
      traceparent: `00-${FIRST.trace}-${FIRST.span}-01`,
      tracestate: 'a=1, b=2',
      'x-request-id': 'req-1',
    });
  });

  it("logs carry the first value's trace id", () => {
    expect(meshTraceIdOf({ 'x-b3-traceid': joined(FIRST.trace, SECOND.trace) })).toBe(FIRST.trace);
  });
});
