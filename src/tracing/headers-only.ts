import { Tracer as NoopTracer } from 'opentracing';
import type { RequestHandler } from 'express';
import { currentRequest } from '../context/request-context.js';
import type { SpanLogger } from '../log/span-logger.js';
import { copyMeshHeaders } from './mesh-headers.js';
import { inChildSpan } from './spans.js';
import type { SpanMaker } from './spans.js';
import { tracedGetText } from './traced-get.js';
import type { Tracing } from './tracing.js';

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * The headers-only shape, as a real implementation of Tracing: no span of its own (its
 * spans are OpenTracing's no-ops), and what it injects is the mesh's tracing headers of
 * the current request, copied, so the sidecars' spans still join one trace.
 */
export function headersOnlyTracing(log: SpanLogger, description: string): Tracing {
  const noop = new NoopTracer();
  const spans: SpanMaker = {
    start: (name, options) => noop.startSpan(name, options),
    idsOf: () => undefined,
  };
  const tracing: Tracing = {
    shape: 'headers-only',
    description,
    lesson: undefined,
    log,
    serverSpan: () => passThrough,
    inject(_span, headers) {
      const request = currentRequest();
      Object.assign(headers, copyMeshHeaders(request?.headers ?? {}, request?.requestId ?? ''));
    },
    inSpan: (name, fn, options) => inChildSpan(spans, log, name, fn, options),
    getText: (url, options) => tracedGetText(tracing, url, options),
    get forwardingOnly() {
      return tracing;
    },
    close: () => Promise.resolve(),
  };
  return tracing;
}
