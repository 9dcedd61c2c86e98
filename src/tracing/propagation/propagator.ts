import type { PropagationFormat } from '../../config.js';
import { SpanContext, hexOf } from '../jaeger.js';
import type { Extractor, Injector, JaegerSpanContext } from '../jaeger.js';
import { b3Codec } from './b3.js';
import { jaegerCodec } from './jaeger-format.js';
import { w3cCodec } from './w3c.js';
import {
  MESH_BAGGAGE_PREFIX,
  readPrefixedBaggage,
  writePrefixedBaggage,
} from './baggage-headers.js';
import { toHeaderMap } from './headers.js';
import type { OutgoingHeaders } from './headers.js';
import type { Codec, WireContext } from './types.js';
import type { BaggagePolicy, BaggageReport } from './baggage-policy.js';

/** Where the propagator reports what the baggage policy did (counters). */
export type BaggageReportSink = (report: BaggageReport) => void;

const CODECS: Record<PropagationFormat, Codec> = {
  b3: b3Codec,
  w3c: w3cCodec,
  jaeger: jaegerCodec,
};
const SAMPLED_FLAG = 0x01;
const DEBUG_FLAG = 0x02;
const ZERO_ID = /^0*$/;

/** Contexts whose sender left the sampling decision to us (B3 without x-b3-sampled). */
const deferredSampling = new WeakSet<object>();
/** What the baggage policy did to an inbound context, for the server span to log. */
const inboundReports = new WeakMap<object, BaggageReport>();
/** W3C tracestate, kept per local trace (jaeger-client shares one sampling state object per trace). */
const tracestates = new WeakMap<object, string>();

function samplingStateOf(context: JaegerSpanContext): object {
  return (context as unknown as { _samplingState: object })._samplingState;
}

export function inboundBaggageReport(context: JaegerSpanContext): BaggageReport | undefined {
  return inboundReports.get(context);
}

export function isSamplingDeferred(context: JaegerSpanContext): boolean {
  return deferredSampling.has(context);
}

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
    private readonly onReport: BaggageReportSink = () => undefined,
  ) {
    this.codecs = formats.map((format) => CODECS[format]);
  }

  private bounded(baggage: Readonly<Record<string, string>>): {
    baggage: Record<string, string>;
    report: BaggageReport;
  } {
    const result = this.policy.apply(baggage);
    if (result.report.dropped.length || result.report.truncated.length)
      this.onReport(result.report);
    return result;
  }

  extract(carrier: Record<string, unknown>): JaegerSpanContext | null {
    const headers = toHeaderMap(carrier);
    let wire: WireContext | null = null;
    let baggage: Record<string, string> = {};
    for (const codec of this.codecs) {
      wire ??= codec.extract(headers);
      baggage = { ...codec.extractBaggage(headers), ...baggage };
    }
    const bounded = this.bounded({
      ...baggage,
      ...readPrefixedBaggage(headers, MESH_BAGGAGE_PREFIX),
    });
    baggage = bounded.baggage;
    const remember = (context: JaegerSpanContext) => {
      if (bounded.report.dropped.length || bounded.report.truncated.length)
        inboundReports.set(context, bounded.report);
      return context;
    };

    if (!wire) {
      // no usable ids: a new root trace, but inbound baggage still applies to it
      const hasNews = Object.keys(baggage).length || bounded.report.dropped.length;
      return hasNews ? remember(SpanContext.withStringIds('', '', '', 0, baggage)) : null;
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
    if (wire.sampled === undefined) deferredSampling.add(context);
    if (wire.tracestate) tracestates.set(samplingStateOf(context), wire.tracestate);
    return remember(context);
  }

  inject(context: JaegerSpanContext, carrier: OutgoingHeaders): void {
    const traceId = hexOf(context.traceId);
    const spanId = hexOf(context.spanId);
    if (ZERO_ID.test(traceId) || ZERO_ID.test(spanId)) return;
    const parentId = hexOf(context.parentId);
    const wire: WireContext = {
      traceId,
      spanId,
      sampled: context.isSampled(),
      debug: context.isDebug(),
    };
    if (!ZERO_ID.test(parentId)) wire.parentId = parentId;
    const tracestate = tracestates.get(samplingStateOf(context));
    if (tracestate) wire.tracestate = tracestate;

    // whatever was set in-process, the wire only ever carries bounded, allowlisted baggage
    const { baggage } = this.bounded(context.baggage);
    for (const codec of this.codecs) codec.inject(wire, baggage, carrier);
    writePrefixedBaggage(baggage, MESH_BAGGAGE_PREFIX, carrier);
  }
}
