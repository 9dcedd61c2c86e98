import type { IncomingHttpHeaders } from 'node:http';
import {
  B3_HEADERS,
  firstHeaderValue,
  SINGLE_VALUE_TRACING_HEADERS,
} from './propagation/headers.js';

/**
 * The headers Istio's documentation says an application must copy from each inbound
 * request to its outbound requests for the sidecars' spans to join one trace.
 */
export const ISTIO_TRACE_HEADERS = [
  'x-request-id',
  ...B3_HEADERS,
  'x-ot-span-context',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
] as const;

/** A mesh header's value as Envoy reads it: the first value of a repeated B3 or W3C header. */
function meshValue(inbound: IncomingHttpHeaders, name: string): string | undefined {
  const value = inbound[name];
  if (typeof value !== 'string') return undefined;
  return SINGLE_VALUE_TRACING_HEADERS.has(name) ? firstHeaderValue(value) : value;
}

/**
 * The headers-only shape: copy the mesh's headers that are present and non-empty (an
 * empty x-b3-parentspanid breaks Envoy). A B3 or traceparent header that came twice
 * (Node joined it as `a, b`) is copied as its first value, the one Envoy reads: sent on
 * as `a, b` in one header, the next sidecar would find it malformed and start a new
 * trace. x-request-id is this request's id, inbound or generated, so the sidecars' logs
 * and spans line up.
 */
export function copyMeshHeaders(
  inbound: IncomingHttpHeaders,
  requestId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ISTIO_TRACE_HEADERS) {
    const value = meshValue(inbound, name);
    if (value !== undefined && value !== '') out[name] = value;
  }
  if (requestId) out['x-request-id'] = requestId;
  return out;
}

/** The mesh's trace id, if the inbound headers carry a plausible one (for log correlation only). */
export function meshTraceIdOf(inbound: IncomingHttpHeaders): string | undefined {
  const b3 = meshValue(inbound, 'x-b3-traceid');
  if (typeof b3 === 'string' && /^([0-9a-f]{16}|[0-9a-f]{32})$/.test(b3)) return b3;
  const traceparent = meshValue(inbound, 'traceparent');
  const match =
    typeof traceparent === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(traceparent) : null;
  return match?.[1];
}
