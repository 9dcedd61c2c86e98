import type { Span } from 'opentracing';
import type { TraceIds } from '../../context/request-context.js';
import { hexOf } from './jaeger-client.js';
import type { JaegerSpanContext } from './jaeger-client.js';

/**
 * Full-width hex ids of a jaeger-client span, for log lines; undefined for a span without
 * ids (OpenTracing's no-op span). Computed once per span, when it becomes active.
 */
export function spanIds(span: Span): TraceIds | undefined {
  const context = span.context() as Partial<JaegerSpanContext>;
  if (!context.traceId || !context.spanId) return undefined;
  return { traceId: hexOf(context.traceId), spanId: hexOf(context.spanId) };
}
