/**
 * Counts the spans in what Envoy's Zipkin tracer POSTs to /api/v2/spans: a JSON array of
 * Zipkin v2 spans. Trace ids become the same key as jaeger.thrift's (32 hex digits, high
 * half first), so Envoy's and the services' spans of one request meet in one tally.
 */
import type { TraceKey } from './thrift.js';

export class ZipkinFormatError extends Error {
  override readonly name = 'ZipkinFormatError';
}

export function traceKeyOfHex(id: string): TraceKey {
  if (!/^[0-9a-fA-F]{16}([0-9a-fA-F]{16})?$/.test(id))
    throw new ZipkinFormatError(`trace id ${JSON.stringify(id)} is not 16 or 32 hex digits`);
  return id.toLowerCase().padStart(32, '0');
}

export function spansInZipkinJson(body: Buffer): TraceKey[] {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (!Array.isArray(parsed)) throw new ZipkinFormatError('a Zipkin v2 body is a JSON array');
  return parsed.map((span: unknown) => {
    const traceId = (span as { traceId?: unknown } | null)?.traceId;
    if (typeof traceId !== 'string') throw new ZipkinFormatError('span without traceId');
    return traceKeyOfHex(traceId);
  });
}
