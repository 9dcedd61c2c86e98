import type { Logger } from '../../../log/logger.js';
import { roundMs } from '../../../log/numbers.js';
import type { JaegerSpan, Reporter } from '../jaeger-client.js';
import { hexOf } from '../jaeger-client.js';

/** Prints each finished span as one JSON log line: the local run's view when no Jaeger runs. */
export class ConsoleSpanReporter implements Reporter {
  constructor(private readonly logger: Logger) {}

  report(span: JaegerSpan): void {
    const context = span.context();
    const tags = Object.fromEntries(span._tags.map(({ key, value }) => [key, value]));
    this.logger.info('span finished', {
      operation: span.operationName,
      trace_id: hexOf(context.traceId),
      span_id: hexOf(context.spanId),
      parent_id: hexOf(context.parentId),
      duration_ms: roundMs(span._duration ?? 0),
      tags,
      logs: span._logs.length,
      baggage: context.baggage,
    });
  }

  close(callback?: () => void): void {
    callback?.();
  }

  setProcess(): void {}
}
