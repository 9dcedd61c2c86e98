import type { Span, SpanOptions } from 'opentracing';
import type { SpanLogger } from '../log/span-logger.js';
import { activeSpan, runWithSpan } from './context.js';

type StartSpan = (name: string, options?: SpanOptions) => Span;

/**
 * Runs `fn` inside a new child of the active span, with that child active, and finishes
 * it when the returned promise settles. A throw marks the span failed and logs the
 * error (to the span and the log) before it propagates.
 */
export async function inChildSpan<T>(
  startSpan: StartSpan,
  log: SpanLogger,
  name: string,
  fn: (span: Span) => Promise<T> | T,
  options: Omit<SpanOptions, 'childOf' | 'references'> = {},
): Promise<T> {
  const span = startSpan(name, { ...options, childOf: activeSpan() });
  try {
    return await runWithSpan(span, () => fn(span));
  } catch (error) {
    log.error(`${name} failed`, error, {}, span);
    throw error;
  } finally {
    span.finish();
  }
}
