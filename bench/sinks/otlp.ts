/**
 * Counts the spans in an OTLP/HTTP protobuf export (`ExportTraceServiceRequest`) without
 * a protobuf library: only the nesting resource_spans(1) → scope_spans(2) → spans(2) and
 * each span's trace_id(1) are read; every other field is skipped by wire type.
 */
import type { TraceKey } from './thrift.js';

export class ProtobufFormatError extends Error {
  override readonly name = 'ProtobufFormatError';
}

const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

class Reader {
  offset: number;
  constructor(
    private readonly buffer: Buffer,
    start = 0,
    readonly end = buffer.length,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtobufFormatError('truncated varint');
      const byte = this.buffer.readUInt8(this.offset++);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ProtobufFormatError('varint longer than 10 bytes');
  }

  /** The next field: number, wire type, and for LEN fields a reader over its bytes. */
  field(): { id: number; wire: number; body: Reader | undefined } {
    const tag = this.varint();
    const id = Math.floor(tag / 8);
    const wire = tag % 8;
    switch (wire) {
      case WIRE.VARINT:
        this.varint();
        return { id, wire, body: undefined };
      case WIRE.I64:
        return this.skip(id, wire, 8);
      case WIRE.I32:
        return this.skip(id, wire, 4);
      case WIRE.LEN: {
        const length = this.varint();
        const body = new Reader(this.buffer, this.offset, this.offset + length);
        this.skip(id, wire, length);
        return { id, wire, body };
      }
      default:
        throw new ProtobufFormatError(`unsupported wire type ${wire} at byte ${this.offset}`);
    }
  }

  bytes(): Buffer {
    return this.buffer.subarray(this.offset, this.end);
  }

  private skip(id: number, wire: number, length: number) {
    if (this.offset + length > this.end) throw new ProtobufFormatError('truncated field');
    this.offset += length;
    return { id, wire, body: undefined };
  }
}

/** The LEN sub-messages of `reader` with field number `id`. */
function* children(reader: Reader, id: number): Generator<Reader> {
  while (!reader.done) {
    const field = reader.field();
    if (field.id === id && field.body) yield field.body;
  }
}

function traceKeyOf(span: Reader): TraceKey {
  for (const traceId of children(span, 1)) return traceId.bytes().toString('hex');
  throw new ProtobufFormatError('span without trace_id');
}

/** Trace key of every span in an ExportTraceServiceRequest. */
export function spansInOtlpExport(buffer: Buffer): TraceKey[] {
  const keys: TraceKey[] = [];
  for (const resourceSpans of children(new Reader(buffer), 1))
    for (const scopeSpans of children(resourceSpans, 2))
      for (const span of children(scopeSpans, 2)) keys.push(traceKeyOf(span));
  return keys;
}
