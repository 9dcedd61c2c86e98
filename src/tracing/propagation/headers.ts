/** Header carriers as the codecs see them: lower-case names, one string value each. */
export type HeaderMap = ReadonlyMap<string, string>;

/** The headers a codec writes: lower-case names, never an empty value. */
export type OutgoingHeaders = Record<string, string>;

/**
 * Normalises an incoming carrier (Node's `req.headers`, a plain object, ...) into a map
 * of lower-case names to single values. Repeated headers (arrays) are joined as Node
 * joins them; anything that is not a string is ignored.
 */
export function toHeaderMap(carrier: Record<string, unknown>): HeaderMap {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(carrier)) {
    if (typeof value === 'string') map.set(name.toLowerCase(), value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      map.set(name.toLowerCase(), value.join(', '));
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
