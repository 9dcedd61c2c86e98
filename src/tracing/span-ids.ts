import type { Span } from 'opentracing';
import { hexOf } from './jaeger.js';
import type { JaegerSpanContext } from './jaeger.js';

export interface SpanIds {
  traceId: string;
  spanId: string;
}

/** Full-width hex ids of a jaeger-client span; undefined for a no-op span. */
export function spanIds(span: Span): SpanIds | undefined {
  const context = span.context() as Partial<JaegerSpanContext>;
  if (!context.traceId || !context.spanId) return undefined;
  return { traceId: hexOf(context.traceId), spanId: hexOf(context.spanId) };
}
