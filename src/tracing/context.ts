import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from 'opentracing';

/**
 * What one inbound request carries through async code. OpenTracing for JavaScript has
 * no scope manager, so the active span travels in AsyncLocalStorage: every await in a
 * request's handler sees its own request's span, never another's.
 */
export interface RequestScope {
  /** x-request-id: the inbound one, or a UUID generated for this request. */
  readonly requestId: string;
  /** The mesh's trace id from the inbound headers, for logs when the app makes no span. */
  readonly meshTraceId: string | undefined;
  /** The server span, once the tracing middleware has started one. */
  serverSpan?: Span;
}

interface Store {
  readonly request: RequestScope;
  readonly span: Span | undefined;
}

const storage = new AsyncLocalStorage<Store>();

export function runInRequest<T>(request: RequestScope, fn: () => T): T {
  return storage.run({ request, span: undefined }, fn);
}

/** Runs fn with `span` as the active span (inside the current request, if any). */
export function runWithSpan<T>(span: Span, fn: () => T): T {
  const current = storage.getStore();
  const request = current?.request ?? { requestId: '', meshTraceId: undefined };
  return storage.run({ request, span }, fn);
}

export function activeSpan(): Span | undefined {
  return storage.getStore()?.span;
}

export function currentRequest(): RequestScope | undefined {
  return storage.getStore()?.request;
}
