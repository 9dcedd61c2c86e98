/**
 * Reads the answers of Jaeger's stable query API, `/api/v3`, into the model compare uses
 * (jaeger-api.ts). /api/v3 answers OTLP JSON, a `TracesData` wrapped as `{"result": …}`:
 * resourceSpans → scopeSpans → spans, a search's traces all in one list, ids as hex
 * strings (OTLP's JSON rule; base64, proto3's rule for bytes, is read too), times as
 * nanoseconds in decimal strings, enums as numbers (or their names).
 *
 * The conversion is the one Jaeger applies to the same stored spans to answer its UI's
 * `/api/traces` (the OpenTelemetry Collector's Jaeger translator, then tags sorted by key),
 * so a trace reads the same through either API, down to its tag and log counts:
 *
 * - resource `service.name` → the process's service; the other resource attributes → its
 *   tags (a Jaeger client's stamp, `opencensus.exporterversion: Jaeger-…`, among them);
 * - attributes → tags, plus `span.kind` (from kind), `otel.status_code`, `error=true` and
 *   `otel.status_description` (from status: jaeger-client's `error` tag arrives as status
 *   ERROR), `otel.scope.name`/`.version`, `w3c.tracestate`; Jaeger's own
 *   `@jaeger@warnings` attribute → the span's warnings;
 * - parentSpanId → a CHILD_OF reference, first; links → references, FOLLOWS_FROM unless
 *   their `opentracing.ref_type` is child_of (a link to the parent retypes that reference);
 * - events → logs: the name as an `event` field (unless an attribute is called so), then
 *   the attributes.
 */
import { field, isArray, isObject, isString, JaegerApiError } from './jaeger-api.js';
import type {
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerTag,
  JaegerTrace,
  Json,
  QuerySpan,
} from './jaeger-api.js';

const WARNINGS_ATTRIBUTE = '@jaeger@warnings';
const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['unset', 'ok', 'error'];

function unexpected(what: string): never {
  throw new JaegerApiError(`unexpected Jaeger answer: ${what}`);
}

function object(value: unknown, what: string): Json {
  if (!isObject(value)) unexpected(`${what} is not an object`);
  return value;
}

/** proto3 JSON leaves empty lists (and empty messages) out. */
function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!isArray(value)) unexpected(`${what} is not a list`);
  return value;
}

/** An id as lowercase hex, from hex or from base64. */
function hexId(value: unknown, bytes: 8 | 16, what: string): string {
  if (!isString(value)) unexpected(`${what} is ${JSON.stringify(value)}`);
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== bytes || raw.toString('base64') !== value)
    unexpected(`${what} ${JSON.stringify(value)} is not a ${bytes}-byte id`);
  return raw.toString('hex');
}

/** As /api/traces writes a trace id: a 128-bit id whose high half is zero as 16 digits. */
const jaegerTraceId = (hex: string): string =>
  hex.startsWith('0000000000000000') ? hex.slice(16) : hex;

/** The parent's id, or '' when there is none (left out, empty, or all zeros). */
function parentIdOf(value: unknown, what: string): string {
  if (value === undefined || value === '') return '';
  const id = hexId(value, 8, what);
  return /^0+$/.test(id) ? '' : id;
}

function nanos(value: unknown, what: string): bigint {
  if (value === undefined) return 0n;
  if ((isString(value) && /^\d+$/.test(value)) || Number.isSafeInteger(value))
    return BigInt(value as string | number);
  unexpected(`${what} is ${JSON.stringify(value)}`);
}

const micros = (ns: bigint): number => Number(ns / 1000n);

/** An enum's index from its number or its name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`). */
function enumIndex(value: unknown, prefix: string, names: readonly string[]): number {
  if (typeof value === 'number') return value;
  return isString(value) ? names.findIndex((name) => value === prefix + name.toUpperCase()) : 0;
}

/** An AnyValue as plain JSON, as the collector's AsRaw() makes it (compound tags print so). */
function rawOf(value: unknown): unknown {
  if (!isObject(value)) return null;
  if ('stringValue' in value) return value['stringValue'];
  if ('boolValue' in value) return value['boolValue'];
  if ('intValue' in value) return Number(value['intValue']);
  if ('doubleValue' in value) return Number(value['doubleValue']);
  if ('bytesValue' in value) return value['bytesValue'];
  const values = (key: string) => list(isObject(value[key]) ? value[key]['values'] : [], key);
  if ('arrayValue' in value) return values('arrayValue').map(rawOf);
  if ('kvlistValue' in value) {
    const entries = values('kvlistValue').map((kv) => {
      const item = object(kv, 'a kvlistValue entry');
      return [String(item['key']), rawOf(item['value'])] as const;
    });
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return null;
}

const stringTag = (key: string, value: string): JaegerTag => ({ key, type: 'string', value });

function tagOf(raw: unknown, what: string): JaegerTag {
  const item = object(raw, what);
  const key = field(item, 'key', isString, what);
  const value = isObject(item['value']) ? item['value'] : {};
  const plain = rawOf(value);
  if ('stringValue' in value) return stringTag(key, String(plain));
  if ('boolValue' in value) return { key, type: 'bool', value: plain === true };
  if ('intValue' in value || 'doubleValue' in value) {
    if (typeof plain !== 'number' || Number.isNaN(plain)) unexpected(`${what} ${key} is no number`);
    return { key, type: 'intValue' in value ? 'int64' : 'float64', value: plain };
  }
  if ('bytesValue' in value) return { key, type: 'binary', value: String(plain) };
  // arrays and maps become their JSON; an empty value, an empty string
  return stringTag(key, plain === null ? '' : JSON.stringify(plain));
}

const byKey = (a: JaegerTag, b: JaegerTag) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function processOf(resource: Json, what: string): JaegerProcess {
  const attributes = list(resource['attributes'], `${what}.attributes`);
  // the collector's name for a resource with no attributes at all
  if (!attributes.length) return { serviceName: 'OTLPResourceNoServiceName', tags: [] };
  const tags = attributes.map((a) => tagOf(a, `${what}.attributes`));
  const service = tags.find((tag) => tag.key === 'service.name');
  return {
    serviceName: typeof service?.value === 'string' ? service.value : '',
    tags: tags.filter((tag) => tag !== service).sort(byKey),
  };
}

function tagsOf(span: Json, scope: Json): { tags: JaegerTag[]; warnings: string[] } {
  const tags: JaegerTag[] = [];
  const warnings: string[] = [];
  for (const key of ['name', 'version']) {
    const value = scope[key];
    if (isString(value) && value) tags.push(stringTag(`otel.scope.${key}`, value));
  }
  for (const raw of list(span['attributes'], 'span.attributes')) {
    if (isObject(raw) && raw['key'] === WARNINGS_ATTRIBUTE) {
      const value = rawOf(raw['value']);
      warnings.push(...(Array.isArray(value) ? value.map(String) : [String(value)]));
    } else tags.push(tagOf(raw, 'span.attributes'));
  }
  const kind = SPAN_KINDS[enumIndex(span['kind'], 'SPAN_KIND_', SPAN_KINDS)];
  if (kind && kind !== 'unspecified') tags.push(stringTag('span.kind', kind));
  const status = isObject(span['status']) ? span['status'] : {};
  const code = STATUS_CODES[enumIndex(status['code'], 'STATUS_CODE_', STATUS_CODES)];
  if (code === 'ok') tags.push(stringTag('otel.status_code', 'OK'));
  if (code === 'error') {
    tags.push(stringTag('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true });
  }
  const message = status['message'];
  if (isString(message) && message) tags.push(stringTag('otel.status_description', message));
  const traceState = span['traceState'];
  if (isString(traceState) && traceState) tags.push(stringTag('w3c.tracestate', traceState));
  return { tags: tags.sort(byKey), warnings };
}

function referencesOf(span: Json, traceID: string): JaegerReference[] {
  const parent = parentIdOf(span['parentSpanId'], 'span.parentSpanId');
  const references: JaegerReference[] = parent
    ? [{ refType: 'CHILD_OF', traceID, spanID: parent }]
    : [];
  for (const raw of list(span['links'], 'span.links')) {
    const link = object(raw, 'a span link');
    const linked = {
      traceID: jaegerTraceId(hexId(link['traceId'], 16, 'link.traceId')),
      spanID: hexId(link['spanId'], 8, 'link.spanId'),
    };
    const refType = list(link['attributes'], 'link.attributes').some(
      (a) => isObject(a) && a['key'] === 'opentracing.ref_type' && rawOf(a['value']) === 'child_of',
    )
      ? 'CHILD_OF'
      : 'FOLLOWS_FROM';
    const first = references[0];
    if (first && linked.traceID === traceID && linked.spanID === parent) first.refType = refType;
    else references.push({ refType, ...linked });
  }
  return references;
}

function logOf(raw: unknown): JaegerLog {
  const event = object(raw, 'a span event');
  const fields = list(event['attributes'], 'event.attributes').map((a) =>
    tagOf(a, 'event.attributes'),
  );
  const name = event['name'];
  if (isString(name) && name && !fields.some((f) => f.key === 'event'))
    fields.unshift(stringTag('event', name));
  return { timestamp: micros(nanos(event['timeUnixNano'], 'event.timeUnixNano')), fields };
}

function spanOf(span: Json, scope: Json, traceID: string, processID: string): QuerySpan {
  const start = nanos(span['startTimeUnixNano'], 'span.startTimeUnixNano');
  const end = nanos(span['endTimeUnixNano'], 'span.endTimeUnixNano');
  const { tags, warnings } = tagsOf(span, scope);
  const converted: QuerySpan = {
    traceID,
    spanID: hexId(span['spanId'], 8, 'span.spanId'),
    operationName: isString(span['name']) ? span['name'] : '',
    references: referencesOf(span, traceID),
    startTime: micros(start),
    duration: micros(end - start),
    tags,
    logs: list(span['events'], 'span.events').map(logOf),
    processID,
  };
  if (warnings.length) converted.warnings = warnings;
  return converted;
}

/**
 * The traces of an answer of `/api/v3/traces/{id}` or `/api/v3/traces?…`, in the order
 * their first spans come; each trace's processes are numbered p1, p2, … as /api/traces does.
 */
export function tracesFromOtlp(body: unknown): JaegerTrace[] {
  if (!isObject(body) || !isObject(body['result']))
    unexpected(
      `no "result" object in ${JSON.stringify(body).slice(0, 100)}; is this Jaeger's /api/v3?`,
    );
  const traces = new Map<string, { trace: JaegerTrace; processIds: Map<string, string> }>();
  list(body['result']['resourceSpans'], 'resourceSpans').forEach((rawResourceSpans, i) => {
    const resourceSpans = object(rawResourceSpans, `resourceSpans[${i}]`);
    const resource = isObject(resourceSpans['resource']) ? resourceSpans['resource'] : {};
    const process = processOf(resource, `resourceSpans[${i}].resource`);
    const processKey = JSON.stringify(process);
    for (const rawScopeSpans of list(resourceSpans['scopeSpans'], 'scopeSpans')) {
      const scopeSpans = object(rawScopeSpans, 'a scopeSpans');
      const scope = isObject(scopeSpans['scope']) ? scopeSpans['scope'] : {};
      for (const rawSpan of list(scopeSpans['spans'], 'spans')) {
        const span = object(rawSpan, 'a span');
        const traceID = jaegerTraceId(hexId(span['traceId'], 16, 'span.traceId'));
        let entry = traces.get(traceID);
        if (!entry) {
          entry = { trace: { traceID, spans: [], processes: {} }, processIds: new Map() };
          traces.set(traceID, entry);
        }
        let processID = entry.processIds.get(processKey);
        if (!processID) {
          processID = `p${entry.processIds.size + 1}`;
          entry.processIds.set(processKey, processID);
          entry.trace.processes[processID] = process;
        }
        entry.trace.spans.push(spanOf(span, scope, traceID, processID));
      }
    }
  });
  return [...traces.values()].map(({ trace }) => trace);
}
