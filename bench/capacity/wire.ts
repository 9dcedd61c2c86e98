/**
 * Span by span, what each reporter put on the wire: the bytes of every span in a
 * jaeger.thrift Batch (the services' HTTP reporter), a Zipkin v2 JSON body (Envoy's
 * Zipkin tracer) and an OTLP ExportTraceServiceRequest (Envoy's OpenTelemetry tracer),
 * with its kind and service, and what the body carries besides the spans (the envelope).
 */
import { Reader, T, ThriftFormatError } from '../sinks/thrift.js';

/** OTLP's span kinds, as names (jaeger.thrift and Zipkin use the same words as tags or fields). */
export type SpanKind = 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
export const OTLP_KINDS: readonly SpanKind[] = [
  'UNSPECIFIED',
  'INTERNAL',
  'SERVER',
  'CLIENT',
  'PRODUCER',
  'CONSUMER',
];

export interface WireSpan {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  service: string;
  kind: SpanKind;
  name: string;
  /** The span's own bytes in the body (for protobuf: with its field tag and length). */
  bytes: number;
}

export interface WireBody {
  spans: WireSpan[];
  /** Body bytes that are not any span's: batch header, process/resource, list framing. */
  envelopeBytes: number;
  bodyBytes: number;
}

// ---------------------------------------------------------------- jaeger.thrift (binary)

function readTags(reader: Reader): Map<string, string> {
  const tags = new Map<string, string>();
  const elementType = reader.byte();
  const count = reader.i32();
  if (elementType !== T.STRUCT) throw new ThriftFormatError('tags is not a list<Tag>');
  for (let n = 0; n < count; n++) {
    let key = '';
    let value = '';
    for (let f = reader.fieldHeader(); f.type !== T.STOP; f = reader.fieldHeader()) {
      if (f.id === 1 && f.type === T.STRING) key = reader.utf8(reader.i32());
      else if (f.id === 3 && f.type === T.STRING) value = reader.utf8(reader.i32());
      else reader.skipValue(f.type);
    }
    tags.set(key, value);
  }
  return tags;
}

function readProcessName(reader: Reader): string {
  let name = '';
  for (let f = reader.fieldHeader(); f.type !== T.STOP; f = reader.fieldHeader()) {
    if (f.id === 1 && f.type === T.STRING) name = reader.utf8(reader.i32());
    else reader.skipValue(f.type);
  }
  return name;
}

/** A jaeger.thrift Batch (Thrift binary), as POSTed to the collector's /api/traces. */
export function thriftBatchSpans(body: Buffer): WireBody {
  const reader = new Reader(body);
  let service = '';
  const spans: WireSpan[] = [];
  for (let field = reader.fieldHeader(); field.type !== T.STOP; field = reader.fieldHeader()) {
    if (field.id === 1 && field.type === T.STRUCT) {
      service = readProcessName(reader);
      continue;
    }
    if (field.id !== 2 || field.type !== T.LIST) {
      reader.skipValue(field.type);
      continue;
    }
    if (reader.byte() !== T.STRUCT) throw new ThriftFormatError('Batch.spans is not a list<Span>');
    for (let n = reader.i32(); n > 0; n--) {
      const start = reader.offset;
      let low = '';
      let high = '0'.repeat(16);
      let spanId = '';
      let name = '';
      // jaeger-client writes span.kind only when the code set it: the in-process span has none
      let kind: SpanKind = 'UNSPECIFIED';
      for (let f = reader.fieldHeader(); f.type !== T.STOP; f = reader.fieldHeader()) {
        if (f.type === T.I64 && f.id === 1) low = reader.hex(8);
        else if (f.type === T.I64 && f.id === 2) high = reader.hex(8);
        else if (f.type === T.I64 && f.id === 3) spanId = reader.hex(8);
        else if (f.type === T.STRING && f.id === 5) name = reader.utf8(reader.i32());
        else if (f.type === T.LIST && f.id === 10) {
          const value = readTags(reader).get('span.kind');
          if (value) kind = value.toUpperCase() as SpanKind;
        } else reader.skipValue(f.type);
      }
      spans.push({
        traceId: high + low,
        spanId,
        service,
        kind,
        name,
        bytes: reader.offset - start,
      });
    }
  }
  // spans are added to `service` afterwards: the process may come first or last
  for (const span of spans) span.service = service;
  return envelope(body.length, spans);
}

function envelope(bodyBytes: number, spans: WireSpan[]): WireBody {
  return {
    spans,
    bodyBytes,
    envelopeBytes: bodyBytes - spans.reduce((n, s) => n + s.bytes, 0),
  };
}

// ---------------------------------------------------------------- Zipkin v2 JSON

interface ZipkinSpan {
  traceId?: string;
  id?: string;
  kind?: string;
  name?: string;
  localEndpoint?: { serviceName?: string };
}

/**
 * Zipkin v2 JSON, as Envoy POSTs it to /api/v2/spans. Each span's bytes are its compact
 * JSON; Envoy writes compact JSON, so the envelope is the brackets and commas (a
 * different result would show as a larger envelope).
 */
export function zipkinSpans(body: Buffer): WireBody {
  const parsed = JSON.parse(body.toString('utf8')) as ZipkinSpan[];
  if (!Array.isArray(parsed)) throw new Error('a Zipkin v2 body is a JSON array');
  const spans = parsed.map((span) => ({
    traceId: (span.traceId ?? '').toLowerCase().padStart(32, '0'),
    spanId: (span.id ?? '').toLowerCase(),
    service: span.localEndpoint?.serviceName ?? '',
    kind: (span.kind?.toUpperCase() ?? 'INTERNAL') as SpanKind,
    name: span.name ?? '',
    bytes: Buffer.byteLength(JSON.stringify(span)),
  }));
  return envelope(body.length, spans);
}

// ---------------------------------------------------------------- OTLP protobuf

/** A protobuf reader that knows the wire types and nothing else. */
class Pb {
  offset: number;
  constructor(
    readonly buffer: Buffer,
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
      if (this.offset >= this.end) throw new Error('truncated varint');
      const byte = this.buffer[this.offset++] as number;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** Each field: its number, wire type, where it started, its value (number or sub-reader). */
  *fields(): Generator<{ id: number; start: number; value: number | Pb }> {
    while (!this.done) {
      const start = this.offset;
      const tag = this.varint();
      const id = Math.floor(tag / 8);
      switch (tag % 8) {
        case 0:
          yield { id, start, value: this.varint() };
          break;
        case 1:
          this.offset += 8;
          yield { id, start, value: 0 };
          break;
        case 5:
          this.offset += 4;
          yield { id, start, value: 0 };
          break;
        case 2: {
          const length = this.varint();
          const body = new Pb(this.buffer, this.offset, this.offset + length);
          this.offset += length;
          if (this.offset > this.end) throw new Error('truncated field');
          yield { id, start, value: body };
          break;
        }
        default:
          throw new Error(`unsupported wire type ${tag % 8}`);
      }
    }
  }

  hex(): string {
    return this.buffer.toString('hex', this.offset, this.end);
  }

  text(): string {
    return this.buffer.toString('utf8', this.offset, this.end);
  }
}

const sub = (value: number | Pb): Pb | undefined => (typeof value === 'number' ? undefined : value);

function serviceOfResource(resource: Pb): string {
  for (const attr of resource.fields()) {
    const kv = attr.id === 1 ? sub(attr.value) : undefined;
    if (!kv) continue;
    let key = '';
    let value = '';
    for (const f of kv.fields()) {
      const body = sub(f.value);
      if (f.id === 1 && body) key = body.text();
      if (f.id === 2 && body)
        for (const any of body.fields()) {
          const text = sub(any.value);
          if (any.id === 1 && text) value = text.text();
        }
    }
    if (key === 'service.name') return value;
  }
  return '';
}

/** An OTLP ExportTraceServiceRequest (the protobuf message, without gRPC's 5-byte frame). */
export function otlpSpans(message: Buffer, bodyBytes = message.length): WireBody {
  const spans: WireSpan[] = [];
  for (const rs of new Pb(message).fields()) {
    const resourceSpans = rs.id === 1 ? sub(rs.value) : undefined;
    if (!resourceSpans) continue;
    let service = '';
    const own: WireSpan[] = [];
    for (const part of resourceSpans.fields()) {
      const body = sub(part.value);
      if (part.id === 1 && body) service = serviceOfResource(body);
      if (part.id !== 2 || !body) continue;
      for (const ss of body.fields()) {
        const span = ss.id === 2 ? sub(ss.value) : undefined;
        if (!span) continue;
        const found: WireSpan = {
          traceId: '',
          spanId: '',
          service: '',
          kind: 'UNSPECIFIED',
          name: '',
          bytes: span.end - ss.start,
        };
        for (const f of span.fields()) {
          const value = sub(f.value);
          if (f.id === 1 && value) found.traceId = value.hex();
          else if (f.id === 2 && value) found.spanId = value.hex();
          else if (f.id === 5 && value) found.name = value.text();
          else if (f.id === 6 && typeof f.value === 'number')
            found.kind = OTLP_KINDS[f.value] ?? 'UNSPECIFIED';
        }
        own.push(found);
      }
    }
    for (const span of own) span.service = service;
    spans.push(...own);
  }
  return envelope(bodyBytes, spans);
}

/** gRPC's length-prefixed messages in a request body (1 byte compressed flag, 4 bytes length). */
export function grpcMessages(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let at = 0; at + 5 <= body.length;) {
    if (body[at] !== 0) throw new Error('compressed gRPC message: not read here');
    const length = body.readUInt32BE(at + 1);
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return messages;
}
