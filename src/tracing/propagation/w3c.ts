import { isValidSpanId, isZeroId, SAMPLED_FLAG, toTraceId128 } from './ids.js';
import { decodeHeaderValue } from './headers.js';
import type { HeaderMap, OutgoingHeaders } from './headers.js';
import type { Codec, WireContext } from './types.js';

/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`), what
 * Envoy reads and writes with Istio's OpenTelemetry tracer.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** W3C limits: a tracestate of at most 32 list members / 512 chars; baggage of 8192 bytes. */
const MAX_TRACESTATE_LENGTH = 512;
const MAX_BAGGAGE_LENGTH = 8192;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseTraceparent(value: string): WireContext | null {
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff') return null;
  // version 00 has exactly four fields; later versions may append more after a '-'
  if (version === '00' && rest !== undefined) return null;
  if (isZeroId(traceId) || !isValidSpanId(spanId)) return null;
  const sampled = (parseInt(flags, 16) & SAMPLED_FLAG) === SAMPLED_FLAG;
  return { traceId, spanId, sampled, debug: false };
}

export function formatTraceparent(context: WireContext): string {
  const flags = context.sampled || context.debug ? '01' : '00';
  return `00-${toTraceId128(context.traceId)}-${context.spanId}-${flags}`;
}

/** tracestate is vendors' opaque data: pass it on only when it is plausibly well-formed. */
function validTracestate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_TRACESTATE_LENGTH) return undefined;
  if (!/^[\x20-\x7e]+$/.test(trimmed)) return undefined;
  const members = trimmed
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (
    members.length > 32 ||
    members.some((m) => !/^[a-z0-9_\-*/@]+=[\x21-\x2b\x2d-\x3c\x3e-\x7e ]*$/.test(m))
  )
    return undefined;
  return members.join(',');
}

export function parseW3cBaggage(value: string | undefined): Record<string, string> {
  const baggage: Record<string, string> = {};
  if (!value || value.length > MAX_BAGGAGE_LENGTH) return baggage;
  for (const member of value.split(',')) {
    const [pair] = member.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    if (TOKEN.test(key) && raw !== '') baggage[key.toLowerCase()] = decodeHeaderValue(raw);
  }
  return baggage;
}

export function formatW3cBaggage(baggage: Readonly<Record<string, string>>): string {
  return Object.entries(baggage)
    .filter(([key, value]) => TOKEN.test(key) && value !== '')
    .map(([key, value]) => `${key}=${encodeURIComponent(value.toWellFormed())}`)
    .join(',');
}

export const w3cCodec: Codec = {
  name: 'w3c',

  extract(headers: HeaderMap): WireContext | null {
    const traceparent = headers.get('traceparent');
    if (traceparent === undefined) return null;
    const context = parseTraceparent(traceparent);
    if (!context) return null;
    const tracestate = validTracestate(headers.get('tracestate'));
    if (tracestate) context.tracestate = tracestate;
    return context;
  },

  extractBaggage(headers: HeaderMap): Record<string, string> {
    return parseW3cBaggage(headers.get('baggage'));
  },

  inject(context: WireContext, baggage, out: OutgoingHeaders): void {
    out['traceparent'] = formatTraceparent(context);
    if (context.tracestate) out['tracestate'] = context.tracestate;
    const encoded = formatW3cBaggage(baggage);
    if (encoded) out['baggage'] = encoded;
  },
};
