/**
 * A Jaeger collector endpoint for tests: accepts what jaeger-client's HTTP sender POSTs
 * to /api/traces (a Thrift-binary `Batch`), decodes it with the jaeger.thrift IDL that
 * ships inside jaeger-client, and keeps the spans for assertions.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type TagValue = string | number | boolean;
/** jaeger.thrift's structs as thriftrw decodes them (i64 as 8-byte Buffers, enums by name). */
export interface ThriftTag {
  key: string;
  vType: string;
  vStr?: string | null;
  vDouble?: number | null;
  vBool?: boolean | null;
  vLong?: Buffer | null;
  vBinary?: Buffer | null;
}
export interface ThriftSpan {
  traceIdLow: Buffer;
  traceIdHigh: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  operationName: string;
  references: { refType: string; traceIdLow: Buffer; traceIdHigh: Buffer; spanId: Buffer }[] | null;
  flags: number;
  startTime: Buffer;
  duration: Buffer;
  tags: ThriftTag[] | null;
  logs: { timestamp: Buffer; fields: ThriftTag[] }[] | null;
}
export interface ThriftBatch {
  process: { serviceName: string; tags: ThriftTag[] | null };
  spans: ThriftSpan[];
}
interface BatchType {
  fromBuffer(buffer: Buffer): ThriftBatch;
}

const { Thrift } = require('thriftrw') as { Thrift: new (options: object) => { Batch: BatchType } };
const jaegerThrift = (
  require('jaeger-client/dist/src/thrift.js') as {
    default: { loadJaegerThriftDefinition(): string };
  }
).default;
const model = new Thrift({
  source: jaegerThrift.loadJaegerThriftDefinition(),
  allowOptionalArguments: true,
});

/** A span as a user sees it in Jaeger: ids in full-width hex, tags and logs as plain objects. */
export interface CollectedSpan {
  service: string;
  operation: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentId: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationUs: number;
  tags: Record<string, TagValue>;
  logs: Record<string, TagValue>[];
}

function hex(buffer: Buffer): string {
  return Buffer.from(buffer).toString('hex');
}

function tagValue(tag: ThriftTag): TagValue {
  switch (tag.vType) {
    case 'BOOL':
      return Boolean(tag.vBool);
    case 'DOUBLE':
      return Number(tag.vDouble);
    case 'LONG':
      return tag.vLong ? Number(Buffer.from(tag.vLong).readBigInt64BE()) : 0;
    default:
      return tag.vStr ?? '';
  }
}

function toObject(tags: ThriftTag[] | null): Record<string, TagValue> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.key, tagValue(tag)]));
}

function toCollected(service: string, span: ThriftSpan): CollectedSpan {
  const high = hex(span.traceIdHigh);
  const parent = hex(span.parentSpanId);
  return {
    service,
    operation: span.operationName,
    traceId: /^0+$/.test(high) ? hex(span.traceIdLow) : high + hex(span.traceIdLow),
    spanId: hex(span.spanId),
    parentId: /^0+$/.test(parent) ? '' : parent,
    startUs: Number(Buffer.from(span.startTime).readBigInt64BE()),
    durationUs: Number(Buffer.from(span.duration).readBigInt64BE()),
    tags: toObject(span.tags),
    logs: (span.logs ?? []).map((log) => toObject(log.fields)),
  };
}

export class ThriftCollector {
  readonly spans: CollectedSpan[] = [];
  batches = 0;
  /** Play a slow collector: accept the batch, answer only after this long. */
  answerDelayMs = 0;
  private server: Server | undefined;

  get endpoint(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/traces`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          const batch = model.Batch.fromBuffer(Buffer.concat(chunks));
          this.batches++;
          for (const span of batch.spans)
            this.spans.push(toCollected(batch.process.serviceName, span));
          // unref: a delayed answer must not keep a finished test's worker alive
          setTimeout(() => res.writeHead(202).end(), this.answerDelayMs).unref();
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  trace(traceId: string): CollectedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Polls until `predicate` holds for the collected spans, or fails after `timeoutMs`. */
  async waitFor(
    predicate: (spans: CollectedSpan[]) => boolean,
    timeoutMs = 5000,
  ): Promise<CollectedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline) {
        throw new Error(
          `spans did not arrive in ${timeoutMs} ms; have: ${this.spans.map((s) => `${s.service}:${s.operation}`).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.spans;
  }

  clear(): void {
    this.spans.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
