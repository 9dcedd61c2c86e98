/** Property tests over the propagation codecs: hostile headers in, well-formed headers out. */
import fc from 'fast-check';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { loadConfig } from '../../src/config.js';
import { ConstSampler, Tracer } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerSpanContext, Reporter } from '../../src/tracing/jaeger/jaeger-client.js';
import { BaggagePolicy } from '../../src/tracing/propagation/baggage-policy.js';
import { MeshPropagator } from '../../src/tracing/jaeger/propagator.js';
import { b3Codec } from '../../src/tracing/propagation/b3.js';
import { w3cCodec } from '../../src/tracing/propagation/w3c.js';
import { jaegerCodec } from '../../src/tracing/propagation/jaeger-format.js';
import {
  SINGLE_VALUE_TRACING_HEADERS,
  toHeaderMap,
} from '../../src/tracing/propagation/headers.js';
import { hexOf } from '../../src/tracing/jaeger/jaeger-client.js';
import {
  assertWellFormed,
  CODEC_RUNS,
  headerText,
  hostileHeaders,
  idLike,
  settings,
} from './fuzz-config.js';

const config = loadConfig({ app_name: 'hello' });
const nullReporter: Reporter = {
  report: () => undefined,
  close: (cb) => cb?.(),
  setProcess: () => undefined,
};
const tracer = new Tracer('fuzz', nullReporter, new ConstSampler(true), { traceId128bit: true });
const propagator = new MeshPropagator(['b3', 'w3c', 'jaeger'], new BaggagePolicy(config.baggage));
tracer.registerInjector(FORMAT_HTTP_HEADERS, propagator);
tracer.registerExtractor(FORMAT_HTTP_HEADERS, propagator);

describe(`codecs under ${CODEC_RUNS} generated hostile header sets`, () => {
  it('no codec ever throws, whatever the headers', () => {
    fc.assert(
      fc.property(hostileHeaders(true), (headers) => {
        const map = toHeaderMap(headers);
        for (const codec of [b3Codec, w3cCodec, jaegerCodec]) {
          codec.extract(map);
          codec.extractBaggage(map);
        }
      }),
      settings(CODEC_RUNS),
    );
  }, 300_000);

  it('what goes onward is well-formed: full-width lower-case ids, no empty values, allowlisted baggage within caps', () => {
    fc.assert(
      fc.property(
        hostileHeaders(true),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 400 })),
        (headers, agent) => {
          const parent = tracer.extract(FORMAT_HTTP_HEADERS, headers) as JaegerSpanContext | null;
          const span = tracer.startSpan('fuzz', { childOf: parent ?? undefined });
          if (agent) span.setBaggageItem('user-agent', agent);
          const out: Record<string, string> = {};
          tracer.inject(span.context(), FORMAT_HTTP_HEADERS, out);
          assertWellFormed(out, config.baggage.allowlist);
          const agentHeader = out['baggage-user-agent'];
          if (
            agentHeader !== undefined &&
            Buffer.byteLength(decodeURIComponent(agentHeader)) > config.baggage.maxValueBytes
          ) {
            throw new Error('baggage value over the cap');
          }
          span.finish();
        },
      ),
      settings(CODEC_RUNS),
    );
  }, 300_000);

  it('a valid inbound context is continued: same trace id, parent = inbound span id', () => {
    const hex = (n: number) =>
      fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).filter((s) => !/^0+$/.test(s));
    fc.assert(
      fc.property(
        fc.oneof(hex(16), hex(32)),
        hex(16),
        fc.constantFrom('b3', 'w3c', 'jaeger'),
        (traceId, spanId, format) => {
          const headers: Record<string, string> =
            format === 'b3'
              ? { 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' }
              : format === 'w3c'
                ? { traceparent: `00-${traceId.padStart(32, '0')}-${spanId}-01` }
                : { 'uber-trace-id': `${traceId}:${spanId}:0:1` };
          const span = tracer.startSpan('child', {
            childOf: tracer.extract(FORMAT_HTTP_HEADERS, headers) ?? undefined,
          });
          const out: Record<string, string> = {};
          tracer.inject(span.context(), FORMAT_HTTP_HEADERS, out);
          const expectedTrace = format === 'w3c' ? traceId.padStart(32, '0') : traceId;
          if (out['x-b3-traceid'] !== expectedTrace)
            throw new Error(`trace id changed: ${out['x-b3-traceid']}`);
          if (out['x-b3-parentspanid'] !== spanId) throw new Error('parent link lost');
        },
      ),
      settings(CODEC_RUNS),
    );
  }, 300_000);

  it('a tracing header sent again after any value counts by its first value (as Envoy reads it)', () => {
    // what the peer appends: ids, garbage, or a whole valid context of its own
    const again = fc.record(
      Object.fromEntries(
        [...SINGLE_VALUE_TRACING_HEADERS].map((name) => [name, fc.oneof(idLike, headerText(true))]),
      ),
      { requiredKeys: [] },
    );
    const seen = (carrier: Record<string, string>) => {
      const { context, samplingDeferred } = propagator.read(carrier);
      return (
        context && {
          traceId: hexOf(context.traceId),
          spanId: hexOf(context.spanId),
          parentId: hexOf(context.parentId),
          flags: context.flags,
          deferred: samplingDeferred,
          baggage: context.baggage,
        }
      );
    };
    fc.assert(
      fc.property(hostileHeaders(true), again, (headers, second) => {
        const repeated: Record<string, string> = { ...headers };
        for (const [name, value] of Object.entries(second)) {
          const first = headers[name];
          // Node joins a header that came twice as `first, second`
          if (first !== undefined && value !== undefined) repeated[name] = `${first}, ${value}`;
        }
        expect(seen(repeated)).toEqual(seen(headers));
      }),
      settings(CODEC_RUNS),
    );
  }, 300_000);
});
