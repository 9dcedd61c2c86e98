import type { Span, SpanOptions } from 'opentracing';
import { activeSpan, runWithSpan } from '../context/request-context.js';
import type { TraceIds } from '../context/request-context.js';
import type { SpanLogger } from '../log/span-logger.js';

/** How a Tracing makes spans: jaeger-client's, or OpenTracing's no-op ones. */
export interface SpanMaker {
  start(name: string, options?: SpanOptions): Span;
  /** The span's ids for log lines (undefined for a no-op span). */
  idsOf(span: Span): TraceIds | undefined;
}

/**
 * Runs `fn` inside a new child of the active span, with that child active, and finishes
 * it when the returned promise settles. A throw marks the span failed and logs the
 * error (to the span and the log) before it propagates.
 */
export async function inChildSpan<T>(
  spans: SpanMaker,
  log: SpanLogger,
  name: string,
  fn: (span: Span) => Promise<T> | T,
  options: Omit<SpanOptions, 'childOf' | 'references'> = {},
): Promise<T> {
  const span = spans.start(name, { ...options, childOf: activeSpan() });
  try {
    return await runWithSpan(span, spans.idsOf(span), () => fn(span));
  } catch (error) {
    log.error(`${name} failed`, error, {}, span);
    throw error;
  } finally {
    span.finish();
  }
}
