import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { b3Codec } from '../../src/tracing/propagation/b3.js';
import { jaegerCodec } from '../../src/tracing/propagation/jaeger-format.js';
import { toHeaderMap } from '../../src/tracing/propagation/headers.js';
import {
  formatTraceparent,
  parseTraceparent,
  parseW3cBaggage,
  w3cCodec,
} from '../../src/tracing/propagation/w3c.js';
import { MeshPropagator } from '../../src/tracing/jaeger/propagator.js';
import { ConstSampler, Tracer } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerSpanContext, Reporter } from '../../src/tracing/jaeger/jaeger-client.js';
import { loadConfig } from '../../src/config.js';
import type { PropagationFormat } from '../../src/config.js';
import { BaggagePolicy } from '../../src/tracing/propagation/baggage-policy.js';

const headers = (h: Record<string, string>) => toHeaderMap(h);

const nullReporter: Reporter = {
  report: () => undefined,
  close: (cb) => cb?.(),
  setProcess: () => undefined,
};

function tracerWith(formats: PropagationFormat[]) {
  const tracer = new Tracer('unit', nullReporter, new ConstSampler(true), { traceId128bit: true });
  const propagator = new MeshPropagator(
    formats,
    new BaggagePolicy(loadConfig({ app_name: 'hello', BAGGAGE_ALLOWLIST: 'user-agent,k' }).baggage),
  );
  tracer.registerInjector(FORMAT_HTTP_HEADERS, propagator);
  tracer.registerExtractor(FORMAT_HTTP_HEADERS, propagator);
  return tracer;
}

/** extract -> child span -> inject, as hello does for every call. */
function relay(
  formats: PropagationFormat[],
  inbound: Record<string, string>,
  baggage?: [string, string],
) {
  const tracer = tracerWith(formats);
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, inbound) as JaegerSpanContext | null;
  const span = tracer.startSpan('child', { childOf: parent ?? undefined });
  if (baggage) span.setBaggageItem(...baggage);
  const out: Record<string, string> = {};
  tracer.inject(span.context(), FORMAT_HTTP_HEADERS, out);
  return out;
}

describe('B3 codec (strict)', () => {
  it('a 32-hex-digit trace id survives extract -> child -> inject unchanged, leading zeros and all', () => {
    const traceId = '0000000100000000000000000000beef';
    const out = relay(['b3'], {
      'x-b3-traceid': traceId,
      'x-b3-spanid': '000000000000abcd',
      'x-b3-sampled': '1',
    });
    expect(out['x-b3-traceid']).toBe(traceId);
    expect(out['x-b3-parentspanid']).toBe('000000000000abcd');
    expect(out['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
    expect(out['x-b3-sampled']).toBe('1');
  });

  it('a 64-bit trace id stays 16 digits, zero-padded', () => {
    const out = relay(['b3'], {
      'x-b3-traceid': '00000000000000ff',
      'x-b3-spanid': '00000000000000aa',
    });
    expect(out['x-b3-traceid']).toBe('00000000000000ff');
  });

  it('baggage goes out as baggage-<key>, never uberctx-', () => {
    const out = relay(['b3'], {}, ['user-agent', 'Mozilla/4.0 (Netscape)']);
    expect(out['baggage-user-agent']).toBe('Mozilla/4.0 (Netscape)');
    expect(Object.keys(out).some((k) => k.startsWith('uberctx-'))).toBe(false);
  });

  it('root spans get 128-bit trace ids on the wire, always 32 digits', () => {
    for (let i = 0; i < 200; i++)
      expect(relay(['b3'], {})['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['non-hex', { 'x-b3-traceid': '1zzzzzzzzzzzzzzz', 'x-b3-spanid': 'aaaaaaaaaaaaaaaa' }],
    ['36 digits', { 'x-b3-traceid': 'a'.repeat(36), 'x-b3-spanid': 'aaaaaaaaaaaaaaaa' }],
    ['short', { 'x-b3-traceid': 'abc', 'x-b3-spanid': 'aaaaaaaaaaaaaaaa' }],
    ['upper case', { 'x-b3-traceid': 'A'.repeat(32), 'x-b3-spanid': 'aaaaaaaaaaaaaaaa' }],
    ['zero trace', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': 'aaaaaaaaaaaaaaaa' }],
    ['zero span', { 'x-b3-traceid': 'a'.repeat(32), 'x-b3-spanid': '0'.repeat(16) }],
    [
      'bad parent',
      { 'x-b3-traceid': 'a'.repeat(32), 'x-b3-spanid': 'b'.repeat(16), 'x-b3-parentspanid': 'xyz' },
    ],
    ['no span id', { 'x-b3-traceid': 'a'.repeat(32) }],
  ])('ignores a context with %s', (_label, h) => {
    expect(b3Codec.extract(headers(h))).toBeNull();
  });

  it('reads sampled, debug and "defer"', () => {
    const ids = { 'x-b3-traceid': 'a'.repeat(32), 'x-b3-spanid': 'b'.repeat(16) };
    expect(b3Codec.extract(headers({ ...ids, 'x-b3-sampled': '1' }))?.sampled).toBe(true);
    expect(b3Codec.extract(headers({ ...ids, 'x-b3-sampled': '0' }))?.sampled).toBe(false);
    expect(b3Codec.extract(headers(ids))?.sampled).toBeUndefined();
    expect(b3Codec.extract(headers({ ...ids, 'x-b3-flags': '1' }))).toMatchObject({
      sampled: true,
      debug: true,
    });
  });
});

describe('W3C trace context', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('parses and formats traceparent', () => {
    const context = parseTraceparent(valid);
    expect(context).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(formatTraceparent(context!)).toBe(valid);
    expect(parseTraceparent(valid.replace(/01$/, '00'))?.sampled).toBe(false);
  });

  it('left-pads a 64-bit trace id to 32 digits', () => {
    expect(
      formatTraceparent({
        traceId: '00000000000000ff',
        spanId: '1'.repeat(16),
        sampled: true,
        debug: false,
      }),
    ).toBe(`00-${'0'.repeat(30)}ff-${'1'.repeat(16)}-01`);
  });

  it.each([
    ['version ff', valid.replace(/^00/, 'ff')],
    ['version 00 with extra fields', `${valid}-extra`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['long span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b700-01'],
    ['upper case', valid.toUpperCase()],
    ['garbage', 'hello'],
  ])('rejects %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('accepts a future version with more fields', () => {
    expect(
      parseTraceparent(
        `cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds`,
      ),
    ).not.toBeNull();
  });

  it('relays traceparent, tracestate and W3C baggage', () => {
    const out = relay(['w3c'], {
      traceparent: valid,
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
      baggage: 'user-agent=Netscape%20Navigator',
    });
    expect(out['traceparent']).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(out['tracestate']).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(out['baggage']).toBe('user-agent=Netscape%20Navigator');
    expect(out['baggage-user-agent']).toBe('Netscape Navigator');
  });

  it('parses W3C baggage members with properties and skips malformed ones', () => {
    expect(parseW3cBaggage('a=1;prop=x, b = two%20words ,=bad,c,d=')).toEqual({
      a: '1',
      b: 'two words',
    });
    expect(w3cCodec.extractBaggage(headers({ baggage: 'k='.padEnd(9000, 'v') }))).toEqual({});
  });
});

describe('jaeger codec', () => {
  it('accepts leading-zero-less ids from other Jaeger clients and sends them padded', () => {
    const context = jaegerCodec.extract(headers({ 'uber-trace-id': 'abc:def:0:1' }));
    expect(context).toMatchObject({
      traceId: '0000000000000abc',
      spanId: '0000000000000def',
      sampled: true,
    });
    const out = relay(['jaeger'], {
      'uber-trace-id': `${'1'.repeat(32)}:${'2'.repeat(16)}:0:1`,
      'uberctx-k': 'v',
    });
    expect(out['uber-trace-id']).toMatch(
      new RegExp(`^${'1'.repeat(32)}:[0-9a-f]{16}:${'2'.repeat(16)}:1$`),
    );
    expect(out['uberctx-k']).toBe('v');
    expect(out['baggage-k']).toBe('v');
  });

  it.each(['zz:1:0:1', '0:1:0:1', '1:0:0:1', '1:1:0', `${'1'.repeat(33)}:1:0:1`])(
    'rejects %s',
    (value) => {
      expect(jaegerCodec.extract(headers({ 'uber-trace-id': value }))).toBeNull();
    },
  );
});

describe('several formats at once (JAEGER_PROPAGATION=b3,w3c,jaeger)', () => {
  it('extracts the first valid format in order and injects all of them with the same ids', () => {
    const out = relay(['b3', 'w3c', 'jaeger'], {
      'x-b3-traceid': 'bad',
      'x-b3-spanid': 'bad',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const spanId = out['x-b3-spanid'];
    expect(out['x-b3-traceid']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(out['traceparent']).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${spanId}-01`);
    expect(out['uber-trace-id']).toBe(
      `4bf92f3577b34da6a3ce929d0e0e4736:${spanId}:00f067aa0ba902b7:1`,
    );
  });

  it('never writes an empty header value', () => {
    const out = relay(['b3', 'w3c', 'jaeger'], { 'baggage-empty': '' }, ['k', 'v']);
    expect(Object.entries(out).filter(([, v]) => v === '')).toEqual([]);
    expect(out).not.toHaveProperty('x-b3-parentspanid');
  });

  it('percent-encodes baggage values that cannot be header values, and decodes them back', () => {
    const out = relay(['b3'], {}, ['user-agent', 'Netscape 🚀 100%']);
    expect(out['baggage-user-agent']).toBe('Netscape %F0%9F%9A%80 100%25');
    const back = relay(['b3'], { 'baggage-user-agent': out['baggage-user-agent'] as string });
    expect(back['baggage-user-agent']).toBe(out['baggage-user-agent']);
  });
});
