import { Tracer as NoopTracer } from 'opentracing';
import type { RequestHandler } from 'express';
import { currentRequest } from '../context/request-context.js';
import { getText } from '../http/get-text.js';
import type { SpanLogger } from '../log/span-logger.js';
import type { OutgoingHeaders } from './propagation/headers.js';
import { copyMeshHeaders } from './mesh-headers.js';
import type { Tracing } from './tracing.js';

const passThrough: RequestHandler = (_req, _res, next) => next();

/** Istio's trace headers of the request being served, with its x-request-id. */
function meshHeadersOfCurrentRequest(): OutgoingHeaders {
  const request = currentRequest();
  return copyMeshHeaders(request?.headers ?? {}, request?.requestId ?? '');
}

/**
 * The headers-only shape, as a real implementation of Tracing: no span of its own, and
 * what it injects is the mesh's tracing headers of the current request, copied, so the
 * sidecars' spans still join one trace. Its spans are OpenTracing's no-ops, never made
 * active (there is nothing to log against), and a call is the untraced GET with those
 * headers: this shape is the floor the instrumented one is measured against.
 */
export function headersOnlyTracing(log: SpanLogger, description: string): Tracing {
  const noopSpan = new NoopTracer().startSpan('headers-only');
  const tracing: Tracing = {
    shape: 'headers-only',
    description,
    lesson: undefined,
    log,
    serverSpan: () => passThrough,
    inject(_span, headers) {
      Object.assign(headers, meshHeadersOfCurrentRequest());
    },
    async inSpan(name, fn) {
      try {
        return await fn(noopSpan);
      } catch (error) {
        log.error(`${name} failed`, error, {}, noopSpan);
        throw error;
      }
    },
    getText(url, { operation, timeoutMs }) {
      return tracing.inSpan(operation, () =>
        getText(url, { headers: meshHeadersOfCurrentRequest(), timeoutMs }),
      );
    },
    get forwardingOnly() {
      return tracing;
    },
    close: () => Promise.resolve(),
  };
  return tracing;
}
