import type { PropagationFormat } from '../../config.js';
import { hexOf, localTraceOf, SpanContext } from './jaeger-client.js';
import type { Extractor, Injector, JaegerSpanContext } from './jaeger-client.js';
import { b3Codec } from '../propagation/b3.js';
import { jaegerCodec } from '../propagation/jaeger-format.js';
import { w3cCodec } from '../propagation/w3c.js';
import {
  MESH_BAGGAGE_PREFIX,
  readPrefixedBaggage,
  writePrefixedBaggage,
} from '../propagation/baggage-headers.js';
import { toHeaderMap } from '../propagation/headers.js';
import type { OutgoingHeaders } from '../propagation/headers.js';
import { DEBUG_FLAG, isZeroId, SAMPLED_FLAG } from '../propagation/ids.js';
import type { Codec, Extraction as GenericExtraction, WireContext } from '../propagation/types.js';
import type { BaggagePolicy, BaggageReport } from '../propagation/baggage-policy.js';

const CODECS: Record<PropagationFormat, Codec> = {
  b3: b3Codec,
  w3c: w3cCodec,
  jaeger: jaegerCodec,
};

/** What this propagator extracts: jaeger-client's context, with what else it found. */
export type Extraction = GenericExtraction<JaegerSpanContext>;

/** W3C tracestate, kept per local trace (carried through to the next hop unchanged). */
const tracestates = new WeakMap<object, string>();

/**
 * The one propagator registered with jaeger-client for HTTP headers (and text maps).
 * Extraction: the first valid context among the configured formats, in order; baggage
 * from the mesh's `baggage-<key>` headers plus each format's own encoding. Injection:
 * every configured format, ids at full width, and always `baggage-<key>` headers,
 * because that is what Istio routes on.
 */
export class MeshPropagator implements Injector, Extractor {
  private readonly codecs: Codec[];

  constructor(
    formats: readonly PropagationFormat[],
    private readonly policy: BaggagePolicy,
  ) {
    this.codecs = formats.map((format) => CODECS[format]);
  }

  /** jaeger-client's Extractor (`tracer.extract`): the context alone. */
  extract(carrier: Record<string, unknown>): JaegerSpanContext | null {
    return this.read(carrier).context;
  }

  /** jaeger-client's Injector (`tracer.inject`). */
  inject(context: JaegerSpanContext, carrier: OutgoingHeaders): void {
    this.write(context, carrier);
  }

  /** Reads the inbound context, its baggage (bounded by the policy) and the sampling decision. */
  read(carrier: Record<string, unknown>): Extraction {
    const headers = toHeaderMap(carrier);
    let wire: WireContext | null = null;
    let baggage: Record<string, string> = {};
    for (const codec of this.codecs) {
      wire ??= codec.extract(headers);
      baggage = { ...codec.extractBaggage(headers), ...baggage };
    }
    const bounded = this.policy.apply({
      ...baggage,
      ...readPrefixedBaggage(headers, MESH_BAGGAGE_PREFIX),
    });
    baggage = bounded.baggage;

    if (!wire) {
      // no usable ids: a new root trace, but inbound baggage still applies to it
      const hasNews = Object.keys(baggage).length || bounded.report.dropped.length;
      const context = hasNews ? SpanContext.withStringIds('', '', '', 0, baggage) : null;
      return { context, baggage: bounded.report, samplingDeferred: false };
    }
    const flags = (wire.sampled ? SAMPLED_FLAG : 0) | (wire.debug ? DEBUG_FLAG : 0);
    // ids as Buffers: from strings, jaeger-client converts them lazily through node-int64's
    // deprecated `new Buffer()`, which walks the stack on every call (the costliest
    // thing in a request's tracing, by profile)
    const context = SpanContext.withBinaryIds(
      Buffer.from(wire.traceId, 'hex'),
      Buffer.from(wire.spanId, 'hex'),
      wire.parentId ? Buffer.from(wire.parentId, 'hex') : null,
      flags,
      baggage,
    );
    if (wire.tracestate) tracestates.set(localTraceOf(context), wire.tracestate);
    return { context, baggage: bounded.report, samplingDeferred: wire.sampled === undefined };
  }

  /** Writes the context in every configured format; says what the baggage policy did. */
  write(context: JaegerSpanContext, carrier: OutgoingHeaders): BaggageReport | undefined {
    const traceId = hexOf(context.traceId);
    const spanId = hexOf(context.spanId);
    if (isZeroId(traceId) || isZeroId(spanId)) return undefined;
    const parentId = hexOf(context.parentId);
    const wire: WireContext = {
      traceId,
      spanId,
      sampled: context.isSampled(),
      debug: context.isDebug(),
    };
    if (!isZeroId(parentId)) wire.parentId = parentId;
    const tracestate = tracestates.get(localTraceOf(context));
    if (tracestate) wire.tracestate = tracestate;

    // whatever was set in-process, the wire only ever carries bounded, allowlisted baggage
    const { baggage, report } = this.policy.apply(context.baggage);
    for (const codec of this.codecs) codec.inject(wire, baggage, carrier);
    writePrefixedBaggage(baggage, MESH_BAGGAGE_PREFIX, carrier);
    return report;
  }
}
