import type { IncomingHttpHeaders } from 'node:http';

/**
 * The headers Istio's documentation says an application must copy from each inbound
 * request to its outbound requests for the sidecars' spans to join one trace.
 */
export const ISTIO_TRACE_HEADERS = [
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'x-ot-span-context',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
] as const;

/**
 * The headers-only shape: copy the mesh's headers that are present and non-empty (an
 * empty x-b3-parentspanid breaks Envoy). x-request-id is this request's id, inbound or
 * generated, so the sidecars' logs and spans line up.
 */
export function copyMeshHeaders(
  inbound: IncomingHttpHeaders,
  requestId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ISTIO_TRACE_HEADERS) {
    const value = inbound[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  if (requestId) out['x-request-id'] = requestId;
  return out;
}

/** The mesh's trace id, if the inbound headers carry a plausible one (for log correlation only). */
export function meshTraceIdOf(inbound: IncomingHttpHeaders): string | undefined {
  const b3 = inbound['x-b3-traceid'];
  if (typeof b3 === 'string' && /^([0-9a-f]{16}|[0-9a-f]{32})$/.test(b3)) return b3;
  const traceparent = inbound['traceparent'];
  const match =
    typeof traceparent === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(traceparent) : null;
  return match?.[1];
}
