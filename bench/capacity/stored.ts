/**
 * What Jaeger keeps of each span, read back through its query APIs and sized three ways:
 *
 * - `otlpJson`: the span's object in `/api/v3/traces/{id}` (OTLP JSON, compact), alone;
 * - `otlpProto`: the same span encoded as OTLP protobuf (the `Span` message with its field
 *   tag), plus `resourceProto`, its resource and scope encoded the same way: a backend
 *   that stores span by span (Badger, Cassandra, Elasticsearch) keeps the process with
 *   every span;
 * - `jaegerJson`: the span's object in `/api/traces/{id}` (Jaeger's UI model) with its
 *   process put in, as Jaeger's Elasticsearch documents carry it.
 *
 * Jaeger's memory store keeps its own Go structures, whose size is not observable; these
 * are sizes of the stored data in the encodings a backend would write, not of any index.
 */

type Json = Record<string, unknown>;

export interface StoredSpan {
  traceId: string;
  spanId: string;
  service: string;
  kind: string;
  name: string;
  /** Envoy's spans carry Istio's custom tags (istio.mesh_id); the services' do not. */
  mesh: boolean;
  otlpJson: number;
  otlpProto: number;
  resourceProto: number;
  jaegerJson: number;
}

// ---------------------------------------------------------------- a minimal protobuf writer

function varint(value: bigint | number): Buffer {
  let n = BigInt(value);
  if (n < 0n) n += 1n << 64n; // int64: two's complement, ten bytes
  const bytes: number[] = [];
  while (n > 127n) {
    bytes.push(Number(n & 127n) | 0x80);
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

const tag = (id: number, wire: number) => varint(id * 8 + wire);
const len = (id: number, body: Buffer) => Buffer.concat([tag(id, 2), varint(body.length), body]);
const str = (id: number, text: unknown) =>
  typeof text === 'string' && text !== '' ? len(id, Buffer.from(text)) : Buffer.alloc(0);
/** An id as hex: OTLP JSON writes hex; proto3's JSON rule for bytes is base64 (read too). */
export function hexId(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  if (/^([0-9a-fA-F]{16}|[0-9a-fA-F]{32})$/.test(value)) return value.toLowerCase();
  return Buffer.from(value, 'base64').toString('hex');
}
const hexBytes = (id: number, value: unknown) => {
  const hex = hexId(value);
  return hex !== '' && !/^0+$/.test(hex) ? len(id, Buffer.from(hex, 'hex')) : Buffer.alloc(0);
};
const uint = (id: number, value: unknown) =>
  value !== undefined && value !== null && BigInt(value as string | number) !== 0n
    ? Buffer.concat([tag(id, 0), varint(BigInt(value as string | number))])
    : Buffer.alloc(0);
const fixed64 = (id: number, value: unknown) =>
  value !== undefined && BigInt(value as string | number) !== 0n
    ? Buffer.concat([tag(id, 1), Buffer.alloc(8)])
    : Buffer.alloc(0);
const fixed32 = (id: number, value: unknown) =>
  typeof value === 'number' && value !== 0
    ? Buffer.concat([tag(id, 5), Buffer.alloc(4)])
    : Buffer.alloc(0);
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const kindNumber = (kind: unknown): number =>
  typeof kind === 'number'
    ? kind
    : Math.max(0, KINDS.indexOf(String(kind ?? '').replace(/^SPAN_KIND_/, '')));
const statusNumber = (code: unknown): number =>
  typeof code === 'number'
    ? code
    : Math.max(
        0,
        ['UNSET', 'OK', 'ERROR'].indexOf(String(code ?? '').replace(/^STATUS_CODE_/, '')),
      );

function anyValue(value: Json | undefined): Buffer {
  if (!value) return Buffer.alloc(0);
  if ('stringValue' in value) return len(1, Buffer.from(String(value['stringValue'])));
  if ('boolValue' in value) return Buffer.concat([tag(2, 0), varint(value['boolValue'] ? 1 : 0)]);
  if ('intValue' in value)
    return Buffer.concat([tag(3, 0), varint(BigInt(value['intValue'] as string))]);
  if ('doubleValue' in value) return Buffer.concat([tag(4, 1), Buffer.alloc(8)]);
  if ('bytesValue' in value) return len(7, Buffer.from(String(value['bytesValue']), 'base64'));
  if ('arrayValue' in value) {
    const values = list((value['arrayValue'] as Json | undefined)?.['values']);
    return len(5, Buffer.concat(values.map((v) => len(1, anyValue(v)))));
  }
  if ('kvlistValue' in value) {
    const values = list((value['kvlistValue'] as Json | undefined)?.['values']);
    return len(6, Buffer.concat(values.map((kv) => len(1, keyValue(kv)))));
  }
  return Buffer.alloc(0);
}

function keyValue(kv: Json): Buffer {
  return Buffer.concat([str(1, kv['key']), len(2, anyValue(kv['value'] as Json | undefined))]);
}

const attributes = (id: number, value: unknown) =>
  Buffer.concat(list(value).map((kv) => len(id, keyValue(kv))));

/** An OTLP JSON span as the protobuf `Span` message it stands for. */
export function spanProto(span: Json): Buffer {
  const status = (span['status'] as Json | undefined) ?? {};
  const statusBody = Buffer.concat([
    str(2, status['message']),
    uint(3, statusNumber(status['code'])),
  ]);
  return Buffer.concat([
    hexBytes(1, span['traceId']),
    hexBytes(2, span['spanId']),
    str(3, span['traceState']),
    hexBytes(4, span['parentSpanId']),
    str(5, span['name']),
    uint(6, kindNumber(span['kind'])),
    fixed64(7, span['startTimeUnixNano']),
    fixed64(8, span['endTimeUnixNano']),
    attributes(9, span['attributes']),
    uint(10, span['droppedAttributesCount']),
    ...list(span['events']).map((event) =>
      len(
        11,
        Buffer.concat([
          fixed64(1, event['timeUnixNano']),
          str(2, event['name']),
          attributes(3, event['attributes']),
        ]),
      ),
    ),
    uint(12, span['droppedEventsCount']),
    ...list(span['links']).map((link) =>
      len(
        13,
        Buffer.concat([
          hexBytes(1, link['traceId']),
          hexBytes(2, link['spanId']),
          str(3, link['traceState']),
          attributes(4, link['attributes']),
          fixed32(6, link['flags']),
        ]),
      ),
    ),
    uint(14, span['droppedLinksCount']),
    statusBody.length ? len(15, statusBody) : Buffer.alloc(0),
    fixed32(16, span['flags']),
  ]);
}

/** A resource and a scope, as they sit around the spans in ResourceSpans and ScopeSpans. */
export function resourceProto(resource: Json | undefined, scope: Json | undefined): number {
  const resourceBody = attributes(1, resource?.['attributes']);
  const scopeBody = Buffer.concat([
    str(1, scope?.['name']),
    str(2, scope?.['version']),
    attributes(3, scope?.['attributes']),
  ]);
  // ResourceSpans.resource (1) and ScopeSpans.scope (1), each with its tag and length
  return len(1, resourceBody).length + len(1, scopeBody).length;
}

// ---------------------------------------------------------------- reading a trace back

async function getJson(url: string): Promise<Json | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return undefined;
    return (await response.json()) as Json;
  } catch {
    return undefined;
  }
}

function serviceOf(resource: Json | undefined): string {
  for (const kv of list(resource?.['attributes']))
    if (kv['key'] === 'service.name')
      return String((kv['value'] as Json | undefined)?.['stringValue'] ?? '');
  return '';
}

/** One trace's spans as Jaeger stores them, or undefined if it does not have the trace (yet). */
export async function storedTrace(
  queryUrl: string,
  traceId: string,
): Promise<StoredSpan[] | undefined> {
  const v3 = await getJson(`${queryUrl}/api/v3/traces/${traceId}`);
  const ui = await getJson(`${queryUrl}/api/traces/${traceId}`);
  const result = v3?.['result'] as Json | undefined;
  if (!result) return undefined;
  // /api/traces: span id → its JSON with the process put in
  const jaegerJson = new Map<string, number>();
  for (const trace of list(ui?.['data'])) {
    const processes = (trace['processes'] as Record<string, Json> | undefined) ?? {};
    for (const span of list(trace['spans'])) {
      const { processID, ...rest } = span;
      const process = processes[String(processID)];
      jaegerJson.set(
        String(span['spanID']),
        Buffer.byteLength(JSON.stringify({ ...rest, process })),
      );
    }
  }
  const spans: StoredSpan[] = [];
  for (const rs of list(result['resourceSpans'])) {
    const resource = rs['resource'] as Json | undefined;
    const service = serviceOf(resource);
    for (const ss of list(rs['scopeSpans'])) {
      const scope = ss['scope'] as Json | undefined;
      const shared = resourceProto(resource, scope);
      for (const span of list(ss['spans'])) {
        const proto = spanProto(span);
        const spanId = hexId(span['spanId']);
        const attrs = list(span['attributes']);
        spans.push({
          traceId: hexId(span['traceId']).padStart(32, '0'),
          spanId,
          service,
          kind: KINDS[kindNumber(span['kind'])] ?? 'UNSPECIFIED',
          name: String(span['name'] ?? ''),
          mesh: attrs.some((kv) => kv['key'] === 'istio.mesh_id'),
          otlpJson: Buffer.byteLength(JSON.stringify(span)),
          // Span message + its field tag and length inside ScopeSpans
          otlpProto: len(2, proto).length,
          resourceProto: shared,
          jaegerJson: jaegerJson.get(spanId) ?? NaN,
        });
      }
    }
  }
  return spans;
}
