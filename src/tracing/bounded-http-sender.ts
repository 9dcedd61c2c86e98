/**
 * A replacement for jaeger-client's HTTP sender (the reporter takes any sender). The
 * library's sender buffers without bound while a collector is slow and passes its
 * timeout to http.request, which only emits an event and never aborts: requests pile up.
 * This one keeps at most `maxQueueSize` spans (new spans are dropped, and counted, when
 * full), sends one batch at a time, and aborts a POST that outlives `timeoutMs`.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { JaegerLogger } from './jaeger.js';

const require = createRequire(import.meta.url);

type ThriftValue = object;
interface ThriftModel {
  Span: new (span: unknown) => ThriftValue;
  Batch: {
    new (batch: { process: ThriftValue; spans: ThriftValue[] }): ThriftValue;
    rw: { toBuffer(batch: ThriftValue): { err: Error | null; value: Buffer } };
  };
}
const { Thrift } = require('thriftrw') as { Thrift: new (options: object) => ThriftModel };
const jaegerThrift = (
  require('jaeger-client/dist/src/thrift.js') as {
    default: { loadJaegerThriftDefinition(): string };
  }
).default;
const senderUtils = (
  require('jaeger-client/dist/src/reporters/sender_utils.js') as {
    default: { convertProcessToThrift(model: ThriftModel, process: unknown): ThriftValue };
  }
).default;

/** jaeger-client's sender callbacks: how many spans, and an error text when they were lost. */
type SenderCallback = (numSpans: number, error?: string) => void;

export interface BoundedHttpSenderOptions {
  endpoint: string;
  timeoutMs: number;
  maxQueueSize: number;
  maxBatchSize?: number;
  logger: JaegerLogger;
}

export class BoundedHttpSender {
  private readonly model = new Thrift({
    source: jaegerThrift.loadJaegerThriftDefinition(),
    allowOptionalArguments: true,
  });
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly queue: ThriftValue[] = [];
  private process: ThriftValue | undefined;
  private inFlight = 0;
  private draining: Promise<{ sent: number; failed: number; error?: string }> | undefined;

  constructor(private readonly options: BoundedHttpSenderOptions) {
    this.url = new URL(options.endpoint);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true })
        : new http.Agent({ keepAlive: true });
  }

  setProcess(process: unknown): void {
    this.process = senderUtils.convertProcessToThrift(this.model, process);
  }

  append(span: unknown, callback?: SenderCallback): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      callback?.(1, `span queue full (${this.options.maxQueueSize}): span dropped`);
      return;
    }
    this.queue.push(new this.model.Span(span));
    if (this.queue.length >= this.batchSize) this.drainAndReport(callback);
    else callback?.(0);
  }

  flush(callback?: SenderCallback): void {
    this.drainAndReport(callback);
  }

  /**
   * A caller that joins a drain already under way reports nothing: the drain's starter
   * reports its spans, so the reporter's counters see every span exactly once.
   */
  private drainAndReport(callback?: SenderCallback): void {
    const joined = this.draining !== undefined;
    void this.drain().then(({ sent, failed, error }) => {
      if (joined) callback?.(0);
      else callback?.(error ? failed : sent, error);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Spans not yet acknowledged: still queued, or in a POST the collector has not answered. */
  unsent(): { queued: number; inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight };
  }

  private get batchSize(): number {
    return this.options.maxBatchSize ?? 100;
  }

  /** One drain at a time; it sends batches until the queue is empty (also what was appended meanwhile). */
  private drain(): Promise<{ sent: number; failed: number; error?: string }> {
    this.draining ??= (async () => {
      let sent = 0;
      let failed = 0;
      let error: string | undefined;
      while (this.queue.length && this.process) {
        const spans = this.queue.splice(0, this.batchSize);
        this.inFlight = spans.length;
        const problem = await this.post(spans);
        this.inFlight = 0;
        if (problem) {
          failed += spans.length;
          error ??= problem;
          this.options.logger.error(`error sending spans over HTTP: ${problem}`);
        } else {
          sent += spans.length;
        }
      }
      return error ? { sent, failed, error } : { sent, failed };
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** POSTs one Thrift batch; resolves to an error text, or undefined on success. */
  private post(spans: ThriftValue[]): Promise<string | undefined> {
    const encoded = this.model.Batch.rw.toBuffer(
      new this.model.Batch({ process: this.process as ThriftValue, spans }),
    );
    if (encoded.err) return Promise.resolve(`cannot encode Thrift batch: ${encoded.err.message}`);
    const send = this.url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      const req = send(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'Content-Type': 'application/x-thrift',
            'Content-Length': encoded.value.length,
          },
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
          res.on('error', (err) => resolve(String(err)));
        },
      );
      // unlike the library's sender, a timeout really ends the request
      req.setTimeout(this.options.timeoutMs, () =>
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
      );
      req.on('error', (err) => resolve(String(err)));
      req.end(encoded.value);
    });
  }
}
