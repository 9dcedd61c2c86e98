import { isValidSpanId, isValidTraceId } from './ids.js';
import type { HeaderMap, OutgoingHeaders } from './headers.js';
import type { Codec, WireContext } from './types.js';

/**
 * Zipkin B3 multi-header, as Envoy speaks it with Istio's zipkin tracer:
 * x-b3-traceid (16 or 32 hex), x-b3-spanid, x-b3-parentspanid, x-b3-sampled, x-b3-flags.
 * Strict where jaeger-client's own codec is lax: an id that is not exactly 16/32
 * lower-case hex digits makes the whole context invalid, and ids go out at full width.
 */
export const b3Codec: Codec = {
  name: 'b3',

  extract(headers: HeaderMap): WireContext | null {
    const traceId = headers.get('x-b3-traceid');
    const spanId = headers.get('x-b3-spanid');
    if (traceId === undefined || spanId === undefined) return null;
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return null;
    const parentId = headers.get('x-b3-parentspanid');
    if (parentId !== undefined && parentId !== '' && !isValidSpanId(parentId)) return null;

    const debug = headers.get('x-b3-flags') === '1';
    const sampledHeader = headers.get('x-b3-sampled');
    let sampled: boolean | undefined;
    if (sampledHeader === '1' || sampledHeader === 'true') sampled = true;
    else if (sampledHeader === '0' || sampledHeader === 'false') sampled = false;
    // debug implies sampled; anything else (absent, garbage) defers to our sampler
    if (debug) sampled = true;

    const context: WireContext = { traceId, spanId, sampled, debug };
    if (parentId) context.parentId = parentId;
    return context;
  },

  extractBaggage(): Record<string, string> {
    // B3 has no baggage of its own; the mesh's baggage-* headers are read for every format
    return {};
  },

  inject(context: WireContext, _baggage, out: OutgoingHeaders): void {
    out['x-b3-traceid'] = context.traceId;
    out['x-b3-spanid'] = context.spanId;
    if (context.parentId) out['x-b3-parentspanid'] = context.parentId;
    // "Debug implies Sampled": send x-b3-flags alone in that case, as the B3 spec says
    if (context.debug) out['x-b3-flags'] = '1';
    else out['x-b3-sampled'] = context.sampled ? '1' : '0';
  },
};
