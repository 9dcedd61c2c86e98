/**
 * Counts the spans in what jaeger-client sends, without decoding them: a Thrift-binary
 * `Batch` (HTTP collector body) or an `Agent.emitBatch` message (UDP agent packet). Only
 * the span list and each span's trace id are read; everything else is skipped by type,
 * so the sink costs the machine next to nothing while the chain is under load. The smoke
 * test checks this reader against thriftrw decoding the same bytes with jaeger-client's IDL.
 */

/** Thrift binary type ids (TType). */
export const T = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;

export class ThriftFormatError extends Error {
  override readonly name = 'ThriftFormatError';
}

/** A trace id as a map key: the 16 bytes high||low in hex (64-bit ids have high = 0). */
export type TraceKey = string;

export class Reader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  private need(bytes: number): void {
    if (bytes < 0 || this.offset + bytes > this.buffer.length)
      throw new ThriftFormatError(`truncated Thrift data at byte ${this.offset}`);
  }

  byte(): number {
    this.need(1);
    return this.buffer.readUInt8(this.offset++);
  }

  i16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Moves past `length` bytes without copying them (the sink must stay cheap). */
  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  hex(length: number): string {
    this.need(length);
    const text = this.buffer.toString('hex', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  utf8(length: number): string {
    this.need(length);
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  skipValue(type: number): void {
    switch (type) {
      case T.BOOL:
      case T.BYTE:
        return this.skip(1);
      case T.I16:
        return this.skip(2);
      case T.I32:
        return this.skip(4);
      case T.DOUBLE:
      case T.I64:
        return this.skip(8);
      case T.STRING:
        return this.skip(this.i32());
      case T.STRUCT:
        return this.skipStruct();
      case T.MAP: {
        const keyType = this.byte();
        const valueType = this.byte();
        for (let n = this.i32(); n > 0; n--) {
          this.skipValue(keyType);
          this.skipValue(valueType);
        }
        return;
      }
      case T.SET:
      case T.LIST: {
        const elementType = this.byte();
        for (let n = this.i32(); n > 0; n--) this.skipValue(elementType);
        return;
      }
      default:
        throw new ThriftFormatError(`unknown Thrift type ${type} at byte ${this.offset - 1}`);
    }
  }

  skipStruct(): void {
    for (let type = this.byte(); type !== T.STOP; type = this.byte()) {
      this.skip(2); // field id
      this.skipValue(type);
    }
  }

  /** The next field header of a struct: its type (T.STOP at the end) and id. */
  fieldHeader(): { type: number; id: number } {
    const type = this.byte();
    return { type, id: type === T.STOP ? 0 : this.i16() };
  }
}

/** One span's trace id: Span field 1 is traceIdLow, field 2 traceIdHigh (both i64). */
function readSpanTraceKey(reader: Reader): TraceKey {
  let low = '';
  let high = '0000000000000000';
  for (let field = reader.fieldHeader(); field.type !== T.STOP; field = reader.fieldHeader()) {
    if (field.type === T.I64 && field.id === 1) low = reader.hex(8);
    else if (field.type === T.I64 && field.id === 2) high = reader.hex(8);
    else reader.skipValue(field.type);
  }
  if (!low) throw new ThriftFormatError('span without traceIdLow');
  return high + low;
}

/** Reads a `Batch` struct at the reader's position: the trace key of every span in it. */
function readBatch(reader: Reader): TraceKey[] {
  const keys: TraceKey[] = [];
  for (let field = reader.fieldHeader(); field.type !== T.STOP; field = reader.fieldHeader()) {
    if (field.id !== 2 || field.type !== T.LIST) {
      reader.skipValue(field.type);
      continue;
    }
    const elementType = reader.byte();
    const count = reader.i32();
    if (elementType !== T.STRUCT) throw new ThriftFormatError('Batch.spans is not a list<Span>');
    for (let n = 0; n < count; n++) keys.push(readSpanTraceKey(reader));
  }
  return keys;
}

/** The body jaeger-client's HTTPSender POSTs to /api/traces: one Thrift-binary Batch. */
export function spansInBatch(buffer: Buffer): TraceKey[] {
  return readBatch(new Reader(buffer));
}

/**
 * A UDP packet from jaeger-client's UDPSender: a Thrift message (strict or legacy header)
 * calling `emitBatch`, whose arguments struct holds the Batch as field 1.
 */
export function spansInEmitBatch(buffer: Buffer): TraceKey[] {
  const reader = new Reader(buffer);
  let name: string;
  if (buffer.length > 0 && (buffer.readUInt8(0) & 0x80) !== 0) {
    reader.i32(); // strict header: version and message type
    name = reader.utf8(reader.i32());
  } else {
    name = reader.utf8(reader.i32());
    reader.byte(); // message type
  }
  reader.i32(); // sequence id
  if (name !== 'emitBatch') throw new ThriftFormatError(`unexpected Thrift call "${name}"`);
  let keys: TraceKey[] | undefined;
  for (let field = reader.fieldHeader(); field.type !== T.STOP; field = reader.fieldHeader()) {
    if (field.id === 1 && field.type === T.STRUCT) keys = readBatch(reader);
    else reader.skipValue(field.type);
  }
  if (!keys) throw new ThriftFormatError('emitBatch without a batch');
  return keys;
}
