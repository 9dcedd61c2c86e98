import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Span } from 'opentracing';

/**
 * What one inbound request carries through async code. OpenTracing for JavaScript has
 * no scope manager, so the active span travels in AsyncLocalStorage: every await in a
 * request's handler sees its own request's span, never another's. The log and the
 * tracer module both read it here; neither imports the other.
 */

/** A span's ids as logs print them: full-width lower-case hex. */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

export interface RequestScope {
  /** x-request-id: the inbound one, or a UUID generated for this request. */
  readonly requestId: string;
  /** The mesh's trace id from the inbound headers, for logs when the app makes no span. */
  readonly meshTraceId: string | undefined;
  /** The inbound headers: the headers-only shape forwards the mesh's tracing headers from them. */
  readonly headers: IncomingHttpHeaders;
  /** The server span's ids, once runInServerSpan started it: the access-log line names them. */
  serverSpanIds?: TraceIds;
}

interface Store {
  readonly request: RequestScope;
  readonly span: Span | undefined;
  readonly ids: TraceIds | undefined;
}

const storage = new AsyncLocalStorage<Store>();
const NO_REQUEST: RequestScope = { requestId: '', meshTraceId: undefined, headers: {} };

export function runInRequest<T>(request: RequestScope, fn: () => T): T {
  return storage.run({ request, span: undefined, ids: undefined }, fn);
}

/** Runs fn with `span` (whose ids are `ids`, none for a no-op span) as the active span. */
export function runWithSpan<T>(span: Span, ids: TraceIds | undefined, fn: () => T): T {
  const request = storage.getStore()?.request ?? NO_REQUEST;
  return storage.run({ request, span, ids }, fn);
}

/** runWithSpan for the request's server span: the request remembers its ids for the access log. */
export function runInServerSpan<T>(span: Span, ids: TraceIds | undefined, fn: () => T): T {
  const request = storage.getStore()?.request;
  if (request && ids) request.serverSpanIds = ids;
  return runWithSpan(span, ids, fn);
}

export function activeSpan(): Span | undefined {
  return storage.getStore()?.span;
}

/** The active span's ids (undefined when there is none, or it is a no-op span). */
export function activeSpanIds(): TraceIds | undefined {
  return storage.getStore()?.ids;
}

export function currentRequest(): RequestScope | undefined {
  return storage.getStore()?.request;
}
