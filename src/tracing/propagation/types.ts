import type { SpanContext } from 'opentracing';
import type { BaggageReport } from './baggage-policy.js';
import type { HeaderMap, OutgoingHeaders } from './headers.js';

/** A span context as it travels on the wire, independent of any one header format. */
export interface WireContext {
  /** 16 or 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** 16 lower-case hex digits, when the sender named its parent. */
  parentId?: string;
  /** undefined = the sender deferred the decision to us (B3 without x-b3-sampled). */
  sampled: boolean | undefined;
  debug: boolean;
  /** W3C tracestate, carried through unchanged. */
  tracestate?: string;
}

/** One propagation format: reads ids (and its own baggage encoding), writes them. */
export interface Codec {
  readonly name: string;
  /** The context in these headers, or null when absent or not strictly valid. */
  extract(headers: HeaderMap): WireContext | null;
  /** Baggage encoded the way this format carries it (may be empty). */
  extractBaggage(headers: HeaderMap): Record<string, string>;
  inject(
    context: WireContext,
    baggage: Readonly<Record<string, string>>,
    out: OutgoingHeaders,
  ): void;
}

/** Everything extraction found in one request's headers, in one value. */
export interface Extraction<Context extends SpanContext = SpanContext> {
  /** The inbound context (null when there is none, or it is malformed). */
  readonly context: Context | null;
  /** What the baggage policy dropped or truncated (empty lists when nothing). */
  readonly baggage: BaggageReport;
  /** The sender left the sampling decision to this service (B3 without x-b3-sampled). */
  readonly samplingDeferred: boolean;
}
