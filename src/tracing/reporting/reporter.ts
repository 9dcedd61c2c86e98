/**
 * Reports finished spans the way jaeger-client's RemoteReporter does (buffer, flush every
 * interval, flush on close, the same reporter_spans counters), but encodes each span
 * once, when it finishes, and buffers bytes instead of span objects. The transport
 * decides how the bytes travel.
 */
import type { JaegerLogger, JaegerSpan, Reporter, ReporterMetrics, SpanTag } from '../jaeger.js';
import { encodeSpan } from './span-encoding.js';
import { ThriftWriter } from './thrift-writer.js';
import type { Delivery, DeliveryListener, SpanTransport } from './transport.js';

export interface EncodingReporterOptions {
  flushIntervalMs: number;
  logger: JaegerLogger;
  metrics: ReporterMetrics;
}

export class EncodingReporter implements Reporter {
  private readonly writer = new ThriftWriter();
  private readonly transport: SpanTransport;
  private readonly timer: NodeJS.Timeout;

  /** `createTransport` gets the listener it must tell of every delivery attempt. */
  constructor(
    createTransport: (onDelivery: DeliveryListener) => SpanTransport,
    private readonly options: EncodingReporterOptions,
  ) {
    this.transport = createTransport((delivery) => this.count(delivery));
    // a forgotten close must not keep the process alive; close() still flushes
    this.timer = setInterval(() => void this.transport.flush(), options.flushIntervalMs).unref();
  }

  private count(delivery: Delivery): void {
    if ('sent' in delivery) {
      this.options.metrics.reporterSuccess.increment(delivery.sent);
    } else {
      this.options.logger.error(`failed to send spans: ${delivery.error}`);
      this.options.metrics.reporterFailure.increment(delivery.failed);
    }
  }

  setProcess(serviceName: string, tags: SpanTag[]): void {
    this.transport.setProcess(serviceName, tags);
  }

  report(span: JaegerSpan): void {
    let dropped: string | undefined;
    try {
      dropped = this.transport.append(encodeSpan(this.writer, span));
    } catch (error) {
      // e.g. a tag whose object value JSON cannot represent
      dropped = `cannot encode span "${span._operationName}": ${String(error)}`;
      this.writer.take();
    }
    if (dropped) {
      this.options.logger.error(`span dropped: ${dropped}`);
      this.options.metrics.reporterDropped.increment(1);
    }
  }

  /** Spans not yet delivered (the tracer logs them when its close deadline passes). */
  unsent(): { queued: number; inFlight: number } {
    return this.transport.unsent();
  }

  /** Gives up on what is unsent (the shutdown deadline has passed): nothing keeps the process alive. */
  abandon(): void {
    clearInterval(this.timer);
    this.transport.close();
  }

  close(callback?: () => void): void {
    clearInterval(this.timer);
    void this.transport.flush().then(() => {
      this.transport.close();
      callback?.();
    });
  }
}
