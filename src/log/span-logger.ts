import type { Span } from 'opentracing';
import { activeSpan } from '../context/request-context.js';
import type { Logger } from './logger.js';

/**
 * One call, two sinks: the event goes to the JSON log and onto the active span, so the
 * same facts show up in `kubectl logs` and in Jaeger. Field values are capped: a UDP
 * packet holds ~65 kB and jaeger-client drops (with only a log line) a span that is larger.
 */
export const MAX_FIELD_LENGTH = 1024;

export type Fields = Record<string, string | number | boolean | undefined>;

function capped(value: string): string {
  return value.length > MAX_FIELD_LENGTH
    ? `${value.slice(0, MAX_FIELD_LENGTH)}…[truncated]`
    : value;
}

export function capFields(fields: Fields): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = typeof value === 'string' ? capped(value) : value;
  }
  return out;
}

export class SpanLogger {
  constructor(private readonly logger: Logger) {}

  info(event: string, fields: Fields = {}, span: Span | undefined = activeSpan()): void {
    const safe = capFields(fields);
    this.logger.info(event, safe);
    span?.log({ event, ...safe });
  }

  /**
   * A per-request detail: onto the active span as a span log, as `info` does, but its JSON
   * log line only at debug. At the default level (info) each request writes one line per
   * service, the access log; the trace keeps the detail.
   */
  debug(event: string, fields: Fields = {}, span: Span | undefined = activeSpan()): void {
    const safe = capFields(fields);
    // winston formats (timestamp, JSON) a line below its level before dropping it: ask first
    if (this.logger.isDebugEnabled()) this.logger.debug(event, safe);
    span?.log({ event, ...safe });
  }

  /** Logs the error and marks the span failed (OpenTracing's `error` tag and error log fields). */
  error(
    event: string,
    error: unknown,
    fields: Fields = {},
    span: Span | undefined = activeSpan(),
  ): void {
    const message = error instanceof Error ? error.message : String(error);
    const ownKind = (error as { kind?: unknown } | null)?.kind;
    const kind =
      typeof ownKind === 'string' ? ownKind : error instanceof Error ? error.name : typeof error;
    const safe = capFields({ ...fields, 'error.kind': kind });
    // winston folds a `message` meta field into the message itself: the log says error.message
    this.logger.error(event, { ...safe, 'error.message': capped(message) });
    if (span) {
      span.setTag('error', true);
      span.log({
        event: 'error',
        'error.object': capped(String(error)),
        message: capped(message),
        ...safe,
        detail: event,
      });
    }
  }
}
