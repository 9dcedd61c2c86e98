import { DEBUG_FLAG, isZeroId, padId, SAMPLED_FLAG } from './ids.js';
import { decodeHeaderValue } from './headers.js';
import { readPrefixedBaggage, writePrefixedBaggage } from './baggage-headers.js';
import type { HeaderMap, OutgoingHeaders } from './headers.js';
import type { Codec, WireContext } from './types.js';

/**
 * Jaeger's native format: `uber-trace-id: {trace}:{span}:{parent}:{flags}` with
 * `uberctx-<key>` baggage. Other Jaeger clients drop leading zeros in this header, so
 * shortened ids are accepted here (and padded); they still must be hex and non-zero.
 */
const UBER_TRACE_ID = /^([0-9a-f]{1,32}):([0-9a-f]{1,16}):([0-9a-f]{1,16}):([0-9a-f]{1,2})$/;
export const JAEGER_BAGGAGE_PREFIX = 'uberctx-';

export const jaegerCodec: Codec = {
  name: 'jaeger',

  extract(headers: HeaderMap): WireContext | null {
    const raw = headers.get('uber-trace-id');
    if (raw === undefined) return null;
    const match = UBER_TRACE_ID.exec(decodeHeaderValue(raw).trim().toLowerCase());
    if (!match) return null;
    const [, trace, span, parent, flagsHex] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (isZeroId(trace) || isZeroId(span)) return null;
    const flags = parseInt(flagsHex, 16);
    const context: WireContext = {
      traceId: padId(trace, trace.length > 16 ? 32 : 16),
      spanId: padId(span, 16),
      sampled: (flags & SAMPLED_FLAG) === SAMPLED_FLAG || (flags & DEBUG_FLAG) === DEBUG_FLAG,
      debug: (flags & DEBUG_FLAG) === DEBUG_FLAG,
    };
    if (!isZeroId(parent)) context.parentId = padId(parent, 16);
    return context;
  },

  extractBaggage(headers: HeaderMap): Record<string, string> {
    return readPrefixedBaggage(headers, JAEGER_BAGGAGE_PREFIX);
  },

  inject(context: WireContext, baggage, out: OutgoingHeaders): void {
    const flags =
      (context.sampled ? SAMPLED_FLAG : 0) | (context.debug ? DEBUG_FLAG | SAMPLED_FLAG : 0);
    out['uber-trace-id'] =
      `${context.traceId}:${context.spanId}:${context.parentId ?? '0'}:${flags.toString(16)}`;
    writePrefixedBaggage(baggage, JAEGER_BAGGAGE_PREFIX, out);
  },
};
