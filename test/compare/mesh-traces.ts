/**
 * Traces shaped like the ones `npm run mesh` leaves in Jaeger (gateway and sidecar spans
 * as Envoy reports them, the instrumented shape's application spans), and a fake Jaeger
 * that answers searches with them by service.
 */
import type { JaegerTag, JaegerTrace, QuerySpan } from '../../tools/compare/jaeger-api.js';
import { HttpStatusError } from '../../tools/compare/jaeger-query.js';
import type { FetchJson } from '../../tools/compare/jaeger-query.js';

export const SERVICES = {
  gateway: 'istio-ingressgateway.istio-system',
  instrumented: 'hello.hello-opentracing',
  headersOnly: 'hello.hello-headers-only',
} as const;

export interface MeshTraceOptions {
  shape: 'instrumented' | 'headers-only';
  /** The request's path, e.g. /sayHello/Bender. */
  path: string;
  /** When the gateway span started, in seconds (any epoch: only the order matters). */
  at: number;
  /** The tag Envoy put the URL in; http.url unless given. */
  urlTag?: string;
  /** Leave the gateway's span out, as when it was not reported (yet). */
  withoutGateway?: boolean;
}

let lastId = 0;
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

const tag = (key: string, value: string): JaegerTag => ({ key, type: 'string', value });

export function meshTrace(options: MeshTraceOptions): JaegerTrace {
  const namespace = options.shape === 'instrumented' ? 'hello-opentracing' : 'hello-headers-only';
  const port = options.shape === 'instrumented' ? 8080 : 8090;
  const traceID = hex(++lastId, 32);
  const spans: QuerySpan[] = [];
  const span = (
    processID: string,
    operationName: string,
    parent: QuerySpan | undefined,
    offsetUs: number,
    tags: JaegerTag[],
  ): QuerySpan => {
    const made: QuerySpan = {
      traceID,
      spanID: hex(++lastId, 16),
      operationName,
      references: parent ? [{ refType: 'CHILD_OF', traceID, spanID: parent.spanID }] : [],
      startTime: options.at * 1_000_000 + offsetUs,
      duration: 5000 - offsetUs,
      tags,
      logs: [],
      processID,
    };
    spans.push(made);
    return made;
  };
  const envoy = (url: string, istioNamespace: string) => [
    tag('component', 'proxy'),
    tag('http.method', 'GET'),
    tag('http.status_code', '200'),
    tag(options.urlTag ?? 'http.url', url),
    tag('istio.namespace', istioNamespace),
  ];
  const hello = `hello.${namespace}.svc.cluster.local:8080/*`;
  const gateway = options.withoutGateway
    ? undefined
    : span(
        'p1',
        hello,
        undefined,
        0,
        envoy(`http://localhost:${port}${options.path}`, 'istio-system'),
      );
  const inbound = span(
    'p2',
    hello,
    gateway,
    100,
    envoy(`http://localhost:${port}${options.path}`, namespace),
  );
  const formatter = `formatter.${namespace}.svc.cluster.local:8080`;
  const processes: JaegerTrace['processes'] = {
    p1: { serviceName: SERVICES.gateway, tags: [] },
    p2: { serviceName: `hello.${namespace}`, tags: [] },
  };
  let caller = inbound;
  if (options.shape === 'instrumented') {
    // the application's own span has the path too, but the route must come from Envoy's
    processes['p3'] = { serviceName: 'hello', tags: [tag('jaeger.version', 'Node-3.19.0')] };
    caller = span('p3', 'GET /sayHello/:name', inbound, 150, [tag('http.url', options.path)]);
  }
  // hello's sidecar also reports the call out to formatter: a URL of no hello route
  span(
    'p2',
    `${formatter}/*`,
    caller,
    200,
    envoy(`http://${formatter}/formatGreeting?name=x`, namespace),
  );
  return { traceID, spans, processes };
}

/**
 * A fake Jaeger that serves only its UI's API (/api/v3 is a 404, so the client reads
 * /api/traces): searches answer the traces given for their service, in the order given.
 */
export function meshJaeger(
  byService: Partial<Record<string, JaegerTrace[]>>,
): FetchJson & { requests: string[] } {
  const requests: string[] = [];
  const fetchJson = async (raw: string) => {
    requests.push(raw);
    const url = new URL(raw);
    if (url.pathname.startsWith('/api/v3/')) throw new HttpStatusError(404, raw, 'not found');
    if (url.pathname !== '/api/traces') throw new Error(`no fake answer for ${raw}`);
    const data = byService[url.searchParams.get('service') ?? ''] ?? [];
    // through JSON, as the real answer arrives
    return JSON.parse(JSON.stringify({ data, total: data.length, errors: null })) as unknown;
  };
  return Object.assign(fetchJson, { requests });
}
