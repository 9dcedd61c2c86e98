/**
 * Thrift binary protocol, the few primitives jaeger.thrift needs, written into one
 * growing buffer. Used to encode each finished span once (see span-encoding.ts): thriftrw
 * builds an object graph per span and costs about four times as much per span.
 */

/** Thrift binary type codes. */
export const TYPE = {
  STOP: 0,
  BOOL: 2,
  DOUBLE: 4,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  LIST: 15,
} as const;

const TWO_TO_32 = 2 ** 32;
/** Strings up to this many chars try the ASCII path first. */
const SHORT_STRING = 64;

export class ThriftWriter {
  private buffer = Buffer.allocUnsafe(2048);
  private offset = 0;

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(bigger, 0, 0, this.offset);
    this.buffer = bigger;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  i16(value: number): void {
    this.reserve(2);
    this.offset = this.buffer.writeInt16BE(value, this.offset);
  }

  i32(value: number): void {
    this.reserve(4);
    this.offset = this.buffer.writeInt32BE(value, this.offset);
  }

  /** A field header: its type and id. */
  field(type: number, id: number): void {
    this.byte(type);
    this.i16(id);
  }

  /** A list header: element type and count. */
  list(elementType: number, count: number): void {
    this.byte(elementType);
    this.i32(count);
  }

  stop(): void {
    this.byte(TYPE.STOP);
  }

  /**
   * An id as an i64: the 8 bytes of `id` that end `fromEnd` bytes before its end
   * (0: its last 8 bytes, the low half of a 128-bit trace id; 8: the high half),
   * left-padded with zeros when the id is shorter. A missing id is 0.
   */
  id(id: Buffer | null, fromEnd = 0): void {
    this.reserve(8);
    const end = id ? id.length - fromEnd : 0;
    const start = Math.max(0, end - 8);
    const length = end - start;
    for (let i = 0; i < 8 - length; i++) this.buffer[this.offset + i] = 0;
    for (let i = 0; i < length; i++)
      this.buffer[this.offset + 8 - length + i] = (id as Buffer)[start + i] as number;
    this.offset += 8;
  }

  /** A non-negative integer below 2^53 as an i64 (microsecond times and durations). */
  int64(value: number): void {
    this.reserve(8);
    const high = Math.floor(value / TWO_TO_32);
    this.buffer.writeUInt32BE(high >>> 0, this.offset);
    this.buffer.writeUInt32BE((value - high * TWO_TO_32) >>> 0, this.offset + 4);
    this.offset += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.offset = this.buffer.writeDoubleBE(value, this.offset);
  }

  /** A UTF-8 string: its byte length, then its bytes. */
  string(value: string): void {
    if (value.length <= SHORT_STRING && this.asciiString(value)) return;
    const length = Buffer.byteLength(value);
    this.i32(length);
    this.reserve(length);
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
  }

  /**
   * Most strings in a span (tag keys, methods, routes) are short ASCII: copying their
   * char codes is cheaper than a call into the UTF-8 encoder. False (nothing written)
   * when the string holds anything else.
   */
  private asciiString(value: string): boolean {
    this.reserve(4 + value.length);
    const start = this.offset + 4;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return false;
      this.buffer[start + i] = code;
    }
    this.buffer.writeInt32BE(value.length, this.offset);
    this.offset = start + value.length;
    return true;
  }

  binary(value: Buffer): void {
    this.i32(value.length);
    this.reserve(value.length);
    this.offset += value.copy(this.buffer, this.offset);
  }

  /** Copies out what was written and starts over (the buffer is reused). */
  take(): Buffer {
    const written = Buffer.from(this.buffer.subarray(0, this.offset));
    this.offset = 0;
    return written;
  }
}
