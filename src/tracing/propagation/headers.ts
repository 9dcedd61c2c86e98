/** Header carriers as the codecs see them: lower-case names, one string value each. */
export type HeaderMap = ReadonlyMap<string, string>;

/** The headers a codec writes: lower-case names, never an empty value. */
export type OutgoingHeaders = Record<string, string>;

/** Zipkin's B3 headers: the multi-header form and the single `b3` header. */
export const B3_HEADERS = [
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
] as const;

/**
 * Tracing headers that carry one value. A peer that copies the mesh's headers and then
 * adds its own (a Spring app, say) sends them twice, and Node joins repeated headers as
 * `a, b`. Envoy reads the first value of a repeated tracing header, so the application
 * does too: otherwise its spans would start a new trace while the sidecar's continue the
 * first one. No valid value of these headers holds a comma.
 *
 * Not here: `tracestate` and `baggage`, which W3C defines as comma lists (repeated headers
 * combine into one list), and `baggage-<key>` / `uberctx-<key>` values, which are data.
 */
export const SINGLE_VALUE_TRACING_HEADERS: ReadonlySet<string> = new Set([
  ...B3_HEADERS,
  'traceparent',
  'uber-trace-id',
]);

/**
 * The first value of a header Node may have joined (`a, b` -> `a`). Taken as it stands:
 * if it is not valid, the codec ignores the context, as Envoy makes no span from a
 * malformed id.
 */
export function firstHeaderValue(value: string): string {
  const comma = value.indexOf(',');
  return comma === -1 ? value : value.slice(0, comma);
}

/**
 * Normalises an incoming carrier (Node's `req.headers` or `req.headersDistinct`, a plain
 * object, ...) into a map of lower-case names to single values. A repeated single-value
 * tracing header counts by its first value (joined by Node, or an array); other repeated
 * headers are joined as Node joins them. Anything that is not a string is ignored.
 */
export function toHeaderMap(carrier: Record<string, unknown>): HeaderMap {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(carrier)) {
    const key = name.toLowerCase();
    let text: string | undefined;
    if (typeof value === 'string') text = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      text = SINGLE_VALUE_TRACING_HEADERS.has(key) ? value[0] : value.join(', ');
    if (text === undefined) continue;
    map.set(key, SINGLE_VALUE_TRACING_HEADERS.has(key) ? firstHeaderValue(text) : text);
  }
  return map;
}

/** Header values may only hold visible ASCII and spaces: percent-encode the rest (and '%'). */
export function encodeHeaderValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]+/gu, (chunk) =>
    encodeURIComponent(chunk.toWellFormed()),
  );
}

/** The inverse of encodeHeaderValue; a value that is not valid percent-encoding stays as sent. */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
