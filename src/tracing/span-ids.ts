import type { Span } from 'opentracing';
import { hexOf } from './jaeger.js';
import type { JaegerSpanContext } from './jaeger.js';

export interface SpanIds {
  traceId: string;
  spanId: string;
}

/** A span's ids never change, and every log line of a request asks for them again. */
const cache = new WeakMap<Span, SpanIds>();

/** Full-width hex ids of a jaeger-client span; undefined for a no-op span. */
export function spanIds(span: Span): SpanIds | undefined {
  const cached = cache.get(span);
  if (cached) return cached;
  const context = span.context() as Partial<JaegerSpanContext>;
  if (!context.traceId || !context.spanId) return undefined;
  const ids = { traceId: hexOf(context.traceId), spanId: hexOf(context.spanId) };
  cache.set(span, ids);
  return ids;
}
