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
  /** Where the value of the last LEN field read by nextField() begins and ends. */
  bodyStart = 0;
  bodyEnd = 0;
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

  /**
   * Reads the next field's tag and moves past its value. Returns the field number, or -1
   * for a field that is not length-delimited; for LEN fields, `bodyStart`/`bodyEnd` frame
   * the value, so a caller makes a sub-reader only for the fields it wants.
   */
  nextField(): number {
    const tag = this.varint();
    const id = Math.floor(tag / 8);
    switch (tag % 8) {
      case WIRE.VARINT:
        this.varint();
        return -1;
      case WIRE.I64:
        this.skip(8);
        return -1;
      case WIRE.I32:
        this.skip(4);
        return -1;
      case WIRE.LEN: {
        const length = this.varint();
        this.bodyStart = this.offset;
        this.skip(length);
        this.bodyEnd = this.offset;
        return id;
      }
      default:
        throw new ProtobufFormatError(`unsupported wire type ${tag % 8} at byte ${this.offset}`);
    }
  }

  body(): Reader {
    return new Reader(this.buffer, this.bodyStart, this.bodyEnd);
  }

  hex(): string {
    return this.buffer.toString('hex', this.offset, this.end);
  }

  private skip(length: number): void {
    if (this.offset + length > this.end) throw new ProtobufFormatError('truncated field');
    this.offset += length;
  }
}

/** The LEN sub-messages of `reader` with field number `id`. */
function* children(reader: Reader, id: number): Generator<Reader> {
  while (!reader.done) if (reader.nextField() === id) yield reader.body();
}

function traceKeyOf(span: Reader): TraceKey {
  while (!span.done) if (span.nextField() === 1) return span.body().hex();
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
