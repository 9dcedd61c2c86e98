/**
 * Encoded spans to a Jaeger collector over HTTP (POST /api/traces, a Thrift-binary Batch).
 * jaeger-client's HTTP sender buffers without bound while a collector is slow and hands
 * its timeout to http.request, which only emits an event and never aborts, so requests
 * pile up. This one keeps at most `maxQueueSize` spans (a span that finds the queue full
 * is dropped, and counted), has one POST in flight at a time, and aborts a POST that
 * outlives `timeoutMs`.
 */
import http from 'node:http';
import https from 'node:https';
import type { JaegerLogger, SpanTag } from '../jaeger-client.js';
import { collectorBatchFraming, frameBatch } from './span-encoding.js';
import type { BatchFraming } from './span-encoding.js';
import type { DeliveryListener, SpanTransport } from './transport.js';

export interface HttpTransportOptions {
  endpoint: string;
  timeoutMs: number;
  maxQueueSize: number;
  /** Spans per POST (default 100). */
  maxBatchSize?: number;
  logger: JaegerLogger;
}

export class HttpTransport implements SpanTransport {
  /** Counted once the collector has answered the POST with 2xx. */
  readonly delivered = 'acknowledged';
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly batchSize: number;
  private framing: BatchFraming | undefined;
  private readonly queue: Buffer[] = [];
  private inFlight = 0;
  private closed = false;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly options: HttpTransportOptions,
    private readonly onDelivery: DeliveryListener,
  ) {
    this.url = new URL(options.endpoint);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true })
        : new http.Agent({ keepAlive: true });
    this.batchSize = options.maxBatchSize ?? 100;
  }

  setProcess(serviceName: string, tags: readonly SpanTag[]): void {
    this.framing = collectorBatchFraming(serviceName, tags);
  }

  append(span: Buffer): string | undefined {
    if (this.closed) return 'reporter closed';
    if (this.queue.length >= this.options.maxQueueSize)
      return `span queue full (${this.options.maxQueueSize} spans; the collector is slow or down)`;
    this.queue.push(span);
    if (this.queue.length >= this.batchSize) void this.drain();
    return undefined;
  }

  flush(): Promise<void> {
    return this.drain();
  }

  unsent(): { queued: number; inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight };
  }

  /** Stops sending; a POST still waiting for its answer is aborted. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  /** One drain at a time; it posts batches until the queue is empty (also what arrives meanwhile). */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.queue.length && this.framing && !this.closed) {
        const spans = this.queue.splice(0, this.batchSize);
        this.inFlight = spans.length;
        const problem = await this.post(frameBatch(this.framing, spans));
        this.inFlight = 0;
        this.onDelivery(
          problem
            ? {
                result: 'err',
                spans: spans.length,
                error: `HTTP to ${this.url.origin}: ${problem}`,
              }
            : { result: 'acknowledged', spans: spans.length },
        );
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** POSTs one batch; resolves to what went wrong, or undefined when the collector took it. */
  private post(body: Buffer): Promise<string | undefined> {
    const send = this.url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      const req = send(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/x-thrift', 'Content-Length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve(
              res.statusCode && res.statusCode < 300
                ? undefined
                : `collector answered HTTP ${res.statusCode}`,
            ),
          );
          res.on('error', (error) => resolve(error.message));
        },
      );
      // unlike the library's sender, a timeout really ends the request
      req.setTimeout(this.options.timeoutMs, () =>
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
      );
      req.on('error', (error) => resolve(error.message));
      req.end(body);
    });
  }
}
