/**
 * The test plays the mesh's part at the edge, as an Istio ingress gateway (Envoy) would:
 * it starts a trace with a 128-bit id, sends the request on with that span's B3 headers
 * and an x-request-id, and when the answer is back reports its SERVER span to Jaeger as
 * Zipkin v2 JSON. It also plays the VirtualService that routes hello -> formatter by the
 * `baggage-user-agent` header. (The sidecars' own spans are left out: the trace shape
 * under test is ingress + application spans.)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ZIPKIN_URL } from './endpoints.js';

export const INGRESS_SERVICE = 'istio-ingressgateway';
/** Envoy names a gateway's span after the route's destination: host:port/*. */
export const INGRESS_OPERATION = 'hello.default.svc.cluster.local:8080/*';

export interface Ingress {
  traceId: string;
  spanId: string;
  requestId: string;
}

export interface MeshAnswer {
  status: number;
  text: string;
  ingress: Ingress;
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Microseconds since the epoch, at sub-millisecond precision. */
function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export function newIngress(traceId = hex(16)): Ingress {
  return { traceId, spanId: hex(8), requestId: randomUUID() };
}

/** The headers Envoy sends upstream for its span. */
export function b3HeadersOf(ingress: Ingress): Record<string, string> {
  return {
    'x-b3-traceid': ingress.traceId,
    'x-b3-spanid': ingress.spanId,
    'x-b3-sampled': '1',
    'x-request-id': ingress.requestId,
  };
}

interface ZipkinSpanInput {
  ingress: Ingress;
  path: string;
  startUs: number;
  durationUs: number;
  status: number;
  userAgent: string;
}

/** A gateway span the way Envoy's Zipkin tracer writes it (its tag values are strings). */
export function zipkinIngressSpan({
  ingress,
  path,
  startUs,
  durationUs,
  status,
  userAgent,
}: ZipkinSpanInput): object {
  const tags: Record<string, string> = {
    component: 'proxy',
    'guid:x-request-id': ingress.requestId,
    'http.method': 'GET',
    'http.protocol': 'HTTP/1.1',
    'http.url': `http://hello.example.com${path}`,
    'http.status_code': String(status),
    'istio.canonical_service': INGRESS_SERVICE,
    'istio.namespace': 'istio-system',
    node_id:
      'router~10.1.0.5~istio-ingressgateway-7d4f8c9b-x2x4z.istio-system~istio-system.svc.cluster.local',
    response_flags: '-',
    upstream_cluster: 'outbound|8080||hello.default.svc.cluster.local',
    user_agent: userAgent,
  };
  if (status >= 500) tags['error'] = 'true';
  return {
    traceId: ingress.traceId,
    id: ingress.spanId,
    kind: 'SERVER',
    name: INGRESS_OPERATION,
    timestamp: startUs,
    duration: durationUs,
    localEndpoint: { serviceName: INGRESS_SERVICE, ipv4: '10.1.0.5' },
    tags,
  };
}

export async function reportToZipkin(spans: object[]): Promise<void> {
  const response = await fetch(ZIPKIN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spans),
  });
  if (response.status !== 202) {
    throw new Error(
      `Zipkin endpoint ${ZIPKIN_URL} answered ${response.status}: ${await response.text()}`,
    );
  }
}

/** GET `path` on `baseUrl` through the "ingress gateway"; its span is reported afterwards. */
export async function throughIngress(
  baseUrl: string,
  path: string,
  {
    userAgent = 'curl/8.5.0',
    ingress = newIngress(),
  }: { userAgent?: string; ingress?: Ingress } = {},
): Promise<MeshAnswer> {
  const startUs = nowUs();
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { ...b3HeadersOf(ingress), 'user-agent': userAgent },
  });
  const text = await response.text();
  const durationUs = Math.max(1, nowUs() - startUs);
  await reportToZipkin([
    zipkinIngressSpan({ ingress, path, startUs, durationUs, status: response.status, userAgent }),
  ]);
  return { status: response.status, text, ingress };
}

/**
 * The VirtualService: a request whose `baggage-user-agent` matches `.*Netscape.*` goes to
 * formatter v2, everything else to v1. Headers pass through unchanged.
 */
export class BaggageRouter {
  readonly routed: { version: 'v1' | 'v2'; headers: IncomingHttpHeaders }[] = [];
  private server: Server | undefined;

  constructor(private readonly ports: { v1: number; v2: number }) {}

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const version = /.*Netscape.*/.test(String(req.headers['baggage-user-agent'] ?? ''))
        ? 'v2'
        : 'v1';
      this.routed.push({ version, headers: req.headers });
      const upstream = request(
        {
          host: '127.0.0.1',
          port: this.ports[version],
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(503).end('no healthy upstream'));
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
