import { decodeHeaderValue, encodeHeaderValue } from './headers.js';
import type { HeaderMap, OutgoingHeaders } from './headers.js';

/**
 * Reads and writes baggage as one header per item under a prefix: `baggage-<key>` (what
 * Istio routes on) or jaeger's `uberctx-<key>`. Keys are lower-case (HTTP header names
 * are case-insensitive, and Node lower-cases them).
 */
export function readPrefixedBaggage(headers: HeaderMap, prefix: string): Record<string, string> {
  const baggage: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.length > prefix.length && name.startsWith(prefix) && value !== '') {
      baggage[name.slice(prefix.length)] = decodeHeaderValue(value);
    }
  }
  return baggage;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export function writePrefixedBaggage(
  baggage: Readonly<Record<string, string>>,
  prefix: string,
  out: OutgoingHeaders,
): void {
  for (const [key, value] of Object.entries(baggage)) {
    const name = `${prefix}${key.toLowerCase()}`;
    // a key that cannot be a header name, or an empty value, is not sent at all
    if (TOKEN.test(name) && value.trim() !== '') out[name] = encodeHeaderValue(value);
  }
}

export const MESH_BAGGAGE_PREFIX = 'baggage-';
