/**
 * jaeger.thrift in Thrift binary, straight from a finished jaeger-client span: the bytes
 * the agent (UDP) and the collector (HTTP) read. jaeger-client converts every span three
 * times on its way out (spanToThrift, then a thriftrw Span to measure it, then another to
 * write the packet); here each span is encoded once, when it finishes, and batches are
 * those bytes put side by side. Tags are typed as jaeger-client's spanToThrift types them.
 */
import type { JaegerSpan, SpanTag } from '../jaeger-client.js';
import { ThriftWriter, TYPE } from './thrift-writer.js';

/** jaeger.thrift's TagType. */
const TAG_TYPE = { STRING: 0, DOUBLE: 1, BOOL: 2, BINARY: 4 } as const;
/** jaeger.thrift's SpanRefType, by OpenTracing reference type. */
const REF_TYPE: Record<string, number> = { child_of: 0, follows_from: 1 };

/** jaeger-client keeps times in milliseconds (fractional); Thrift wants whole microseconds. */
const micros = (ms: number) => Math.trunc(ms * 1000);

function writeTag(w: ThriftWriter, { key, value }: SpanTag): void {
  w.field(TYPE.STRING, 1);
  w.string(key);
  w.field(TYPE.I32, 2);
  if (typeof value === 'number') {
    w.i32(TAG_TYPE.DOUBLE);
    w.field(TYPE.DOUBLE, 4);
    w.double(value);
  } else if (typeof value === 'boolean') {
    w.i32(TAG_TYPE.BOOL);
    w.field(TYPE.BOOL, 5);
    w.byte(value ? 1 : 0);
  } else if (Buffer.isBuffer(value)) {
    w.i32(TAG_TYPE.BINARY);
    w.field(TYPE.STRING, 7);
    w.binary(value);
  } else {
    w.i32(TAG_TYPE.STRING);
    w.field(TYPE.STRING, 3);
    w.string(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  w.stop();
}

function writeTags(w: ThriftWriter, fieldId: number, tags: readonly SpanTag[]): void {
  w.field(TYPE.LIST, fieldId);
  w.list(TYPE.STRUCT, tags.length);
  for (const tag of tags) writeTag(w, tag);
}

/** Encodes jaeger.thrift's Span struct: ids, name, references, flags, times, tags, logs. */
export function encodeSpan(w: ThriftWriter, span: JaegerSpan): Buffer {
  const context = span._spanContext;
  const traceId = context.traceId;
  w.field(TYPE.I64, 1);
  w.id(traceId); // low 64 bits
  w.field(TYPE.I64, 2);
  w.id(traceId, 8); // high 64 bits (0 for a 64-bit trace id)
  w.field(TYPE.I64, 3);
  w.id(context.spanId);
  w.field(TYPE.I64, 4);
  w.id(context.parentId);
  w.field(TYPE.STRING, 5);
  w.string(span._operationName);
  const references = span._references.length
    ? span._references.filter((ref) => ref.type() in REF_TYPE)
    : span._references;
  if (references.length) {
    w.field(TYPE.LIST, 6);
    w.list(TYPE.STRUCT, references.length);
    for (const ref of references) {
      const referenced = ref.referencedContext();
      w.field(TYPE.I32, 1);
      w.i32(REF_TYPE[ref.type()] ?? 0);
      w.field(TYPE.I64, 2);
      w.id(referenced.traceId);
      w.field(TYPE.I64, 3);
      w.id(referenced.traceId, 8);
      w.field(TYPE.I64, 4);
      w.id(referenced.spanId);
      w.stop();
    }
  }
  w.field(TYPE.I32, 7);
  w.i32(context.flags);
  w.field(TYPE.I64, 8);
  w.int64(micros(span._startTime));
  w.field(TYPE.I64, 9);
  w.int64(micros(span._duration ?? 0));
  writeTags(w, 10, span._tags);
  w.field(TYPE.LIST, 11);
  w.list(TYPE.STRUCT, span._logs.length);
  for (const log of span._logs) {
    w.field(TYPE.I64, 1);
    w.int64(micros(log.timestamp));
    writeTags(w, 2, log.fields);
    w.stop();
  }
  w.stop();
  return w.take();
}

/**
 * The start of a Batch struct, up to its spans list: Batch.process (service name and
 * process tags, as jaeger-client's setProcess gives them).
 */
function writeBatchProcess(w: ThriftWriter, serviceName: string, tags: readonly SpanTag[]): void {
  w.field(TYPE.STRUCT, 1);
  w.field(TYPE.STRING, 1);
  w.string(serviceName);
  writeTags(w, 2, tags);
  w.stop();
}

/** Bytes around the encoded spans of one batch: `head`, the list header, spans, `tail`. */
export interface BatchFraming {
  readonly head: Buffer;
  readonly tail: Buffer;
}

/** Batch.spans's list header: field 2, a list of `count` structs. */
function spansListHeader(count: number): Buffer {
  const header = Buffer.allocUnsafe(8);
  header[0] = TYPE.LIST;
  header.writeInt16BE(2, 1);
  header[3] = TYPE.STRUCT;
  header.writeInt32BE(count, 4);
  return header;
}
export const SPANS_LIST_HEADER_BYTES = 8;

/** The collector's HTTP body (POST /api/traces): one Batch struct. */
export function collectorBatchFraming(serviceName: string, tags: readonly SpanTag[]): BatchFraming {
  const w = new ThriftWriter();
  writeBatchProcess(w, serviceName, tags);
  const head = w.take();
  w.stop(); // Batch
  return { head, tail: w.take() };
}

/** The agent's UDP packet: a one-way Agent.emitBatch message carrying one Batch. */
export function agentBatchFraming(serviceName: string, tags: readonly SpanTag[]): BatchFraming {
  const w = new ThriftWriter();
  w.i32(0x80010004 | 0); // strict message header: version 1, type ONEWAY
  w.string('emitBatch');
  w.i32(0); // sequence id
  w.field(TYPE.STRUCT, 1); // emitBatch's argument 1: batch
  writeBatchProcess(w, serviceName, tags);
  const head = w.take();
  w.stop(); // Batch
  w.stop(); // emitBatch's arguments
  return { head, tail: w.take() };
}

/** One batch's bytes: framing around the given encoded spans. */
export function frameBatch(framing: BatchFraming, spans: readonly Buffer[]): Buffer {
  return Buffer.concat([framing.head, spansListHeader(spans.length), ...spans, framing.tail]);
}

/** Bytes a batch of spans whose encodings total `spanBytes` occupies. */
export function batchBytes(framing: BatchFraming, spanBytes: number): number {
  return framing.head.length + SPANS_LIST_HEADER_BYTES + spanBytes + framing.tail.length;
}
