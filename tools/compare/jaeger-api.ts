/**
 * The model compare reads traces into: Jaeger's JSON trace as its UI's query API
 * (`/api/traces`, internal and unversioned) answers it, and the checks of those answers at
 * runtime, so a wrong URL (a UI path, a proxy's error page) fails here with a clear
 * message, not later. Answers of the stable `/api/v3` (OTLP JSON) are read into the same
 * model by otlp.ts, the way Jaeger itself converts them.
 */

export type TagValue = string | number | boolean;

export interface JaegerTag {
  key: string;
  type?: string;
  value: TagValue;
}

export interface JaegerLog {
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerReference {
  refType: string;
  traceID: string;
  spanID: string;
}

/**
 * A span as Jaeger's query API answers it. Not `JaegerSpan` of src/tracing/jaeger/jaeger-client.ts,
 * which is jaeger-client's live span object in the services.
 */
export interface QuerySpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  processID: string;
  warnings?: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: QuerySpan[];
  processes: Record<string, JaegerProcess>;
  warnings?: string[] | null;
}

export class JaegerApiError extends Error {
  override readonly name = 'JaegerApiError';
}

// checks shared with otlp.ts, which reads /api/v3's answers into this same model
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field<T>(
  object: Json,
  key: string,
  check: (v: unknown) => v is T,
  what: string,
): T {
  const value = object[key];
  if (!check(value))
    throw new JaegerApiError(
      `unexpected Jaeger answer: ${what}.${key} is ${JSON.stringify(value)}`,
    );
  return value;
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isTagValue = (v: unknown): v is TagValue =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function toTags(list: unknown, what: string): JaegerTag[] {
  if (list === null || list === undefined) return [];
  if (!isArray(list)) throw new JaegerApiError(`unexpected Jaeger answer: ${what} is not a list`);
  return list.map((item) => {
    if (!isObject(item)) throw new JaegerApiError(`unexpected Jaeger answer: a tag in ${what}`);
    const tag: JaegerTag = {
      key: field(item, 'key', isString, what),
      value: field(item, 'value', isTagValue, what),
    };
    if (isString(item['type'])) tag.type = item['type'];
    return tag;
  });
}

function toSpan(raw: unknown): QuerySpan {
  if (!isObject(raw)) throw new JaegerApiError('unexpected Jaeger answer: a span is not an object');
  const references = (isArray(raw['references']) ? raw['references'] : []).map((ref) => {
    if (!isObject(ref)) throw new JaegerApiError('unexpected Jaeger answer: a span reference');
    return {
      refType: field(ref, 'refType', isString, 'reference'),
      traceID: field(ref, 'traceID', isString, 'reference'),
      spanID: field(ref, 'spanID', isString, 'reference'),
    };
  });
  const logs = (isArray(raw['logs']) ? raw['logs'] : []).map((log) => {
    if (!isObject(log)) throw new JaegerApiError('unexpected Jaeger answer: a span log');
    return {
      timestamp: field(log, 'timestamp', isNumber, 'log'),
      fields: toTags(log['fields'], 'log.fields'),
    };
  });
  const span: QuerySpan = {
    traceID: field(raw, 'traceID', isString, 'span'),
    spanID: field(raw, 'spanID', isString, 'span'),
    operationName: field(raw, 'operationName', isString, 'span'),
    references,
    startTime: field(raw, 'startTime', isNumber, 'span'),
    duration: field(raw, 'duration', isNumber, 'span'),
    tags: toTags(raw['tags'], 'span.tags'),
    logs,
    processID: field(raw, 'processID', isString, 'span'),
  };
  if (isArray(raw['warnings'])) span.warnings = raw['warnings'].filter(isString);
  return span;
}

/** Checks one element of the `data` list of `/api/traces/{id}` or `/api/traces?...`. */
export function toTrace(raw: unknown): JaegerTrace {
  if (!isObject(raw))
    throw new JaegerApiError('unexpected Jaeger answer: a trace is not an object');
  const processes: Record<string, JaegerProcess> = {};
  const rawProcesses = isObject(raw['processes']) ? raw['processes'] : {};
  for (const [id, process] of Object.entries(rawProcesses)) {
    if (!isObject(process)) throw new JaegerApiError(`unexpected Jaeger answer: process ${id}`);
    processes[id] = {
      serviceName: field(process, 'serviceName', isString, `processes.${id}`),
      tags: toTags(process['tags'], `processes.${id}.tags`),
    };
  }
  return {
    traceID: field(raw, 'traceID', isString, 'trace'),
    spans: field(raw, 'spans', isArray, 'trace').map(toSpan),
    processes,
  };
}

/** The `data` list of an answer; Jaeger reports failures as `errors: [{code, msg}]`. */
export function dataOf(body: unknown, url: string): unknown[] {
  if (!isObject(body)) throw new JaegerApiError(`${url} did not answer a JSON object`);
  const errors = body['errors'];
  if (isArray(errors) && errors.length) {
    const messages = errors.map((e) =>
      isObject(e) && isString(e['msg']) ? e['msg'] : JSON.stringify(e),
    );
    throw new JaegerApiError(`${url}: ${messages.join('; ')}`);
  }
  const data = body['data'];
  if (data === null) return [];
  if (!isArray(data))
    throw new JaegerApiError(`${url} answered no "data" list; is this Jaeger's query API?`);
  return data;
}
