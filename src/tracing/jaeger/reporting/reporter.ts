/**
 * Reports finished spans the way jaeger-client's RemoteReporter does (buffer, flush every
 * interval, flush on close), but encodes each span once, when it finishes, and buffers
 * bytes instead of span objects. The transport decides how the bytes travel. Spans are
 * counted by what became of them (SpanReportResult): unlike jaeger-client's
 * reporter_spans{result="ok"}, a UDP packet counts as `sent`, never as delivered.
 */
import type { JaegerLogger, JaegerSpan, Reporter, SpanTag } from '../jaeger-client.js';
import { encodeSpan } from './span-encoding.js';
import { ThriftWriter } from './thrift-writer.js';
import type { SpanReportResult } from '../../../metrics/metrics.js';
import type { Delivery, DeliveryListener, SpanTransport } from './transport.js';

/** Counts spans by result (hello_app_jaeger:reporter_spans{result} on /metrics). */
export type SpanReportCounter = (result: SpanReportResult, spans: number) => void;

/** Spans not yet delivered: still queued, or sent and not yet acknowledged. */
export interface Unsent {
  queued: number;
  inFlight: number;
}

export interface EncodingReporterOptions {
  flushIntervalMs: number;
  logger: JaegerLogger;
  count: SpanReportCounter;
  /** The longest close() waits for the last flush before it gives up on what is unsent. */
  closeTimeoutMs: number;
  /** Told what close() gave up on when its deadline passed: nothing is lost silently. */
  onCloseDeadline: (unsent: Unsent, deadlineMs: number) => void;
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
    // the series this transport can move exist from the start, at 0: /metrics shows which
    // success this service counts (sent or acknowledged) before the first span
    for (const result of [this.transport.delivered, 'err', 'dropped'] as const)
      options.count(result, 0);
    // a forgotten close must not keep the process alive; close() still flushes
    this.timer = setInterval(() => void this.transport.flush(), options.flushIntervalMs).unref();
  }

  private count(delivery: Delivery): void {
    if (delivery.result === 'err')
      this.options.logger.error(`failed to send spans: ${delivery.error}`);
    this.options.count(delivery.result, delivery.spans);
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
      this.options.count('dropped', 1);
    }
  }

  /** Gives up on what is unsent (the shutdown deadline has passed): nothing keeps the process alive. */
  private abandon(): void {
    clearInterval(this.timer);
    this.transport.close();
  }

  /** Flushes what is buffered; by the close deadline at the latest, callback runs. */
  close(callback?: () => void): void {
    clearInterval(this.timer);
    const { closeTimeoutMs, onCloseDeadline } = this.options;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      callback?.();
    };
    const deadline = setTimeout(() => {
      if (done) return;
      onCloseDeadline(this.transport.unsent(), closeTimeoutMs);
      this.abandon();
      finish();
    }, closeTimeoutMs);
    void this.transport.flush().then(() => {
      this.transport.close();
      finish();
    });
  }
}
