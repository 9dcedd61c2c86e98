/**
 * The ingress gateway (Istio's istio-ingressgateway): one Envoy in front of both shapes.
 * Like the overlays' Gateway and VirtualService it sends /sayHello/ and /sayHello2/ to
 * hello, choosing the shape by Host (opentracing.hello.local, headers-only.hello.local)
 * or, for a plain curl, by port.
 */
import type { Address, GatewayAddresses, MeshAddresses } from '../addresses.js';
import { addressesOf } from '../addresses.js';
import {
  GATEWAY_APP,
  GATEWAY_NAMESPACE,
  GATEWAY_SERVICE_NAME,
  HEADERS_ONLY,
  INSTRUMENTED,
  SERVICE_PORT,
  decorator,
  findWorkload,
  serviceFqdn,
} from '../topology.js';
import type { Shape } from '../topology.js';
import {
  bootstrap,
  cluster,
  collectorCluster,
  hcmTracing,
  httpConnectionManager,
  listener,
  route,
} from './parts.js';
import type { Json, ProxyIdentity, TracingTarget } from './parts.js';

/** Not Istio: the gateway answers with its trace id, so a demo (and a test) can find the trace. */
export const TRACE_ID_HEADER = 'x-trace-id';

const IDENTITY: ProxyIdentity = {
  serviceName: GATEWAY_SERVICE_NAME,
  canonicalService: GATEWAY_APP,
  canonicalRevision: 'latest',
  namespace: GATEWAY_NAMESPACE,
};

function helloCluster(shape: Shape): string {
  return `outbound|${SERVICE_PORT}||${serviceFqdn('hello', shape.namespace)}`;
}

function virtualHost(shape: Shape, domains: string[]): Json {
  const helloRoute = (prefix: string) =>
    route(helloCluster(shape), decorator('hello', shape.namespace), {
      direction: 'outbound',
      match: { prefix },
    });
  return {
    name: `${shape.host}:80`,
    domains,
    routes: [helloRoute('/sayHello/'), helloRoute('/sayHello2/')],
  };
}

function gatewayListener(shape: Shape, address: Address, tracing: TracingTarget): Json {
  const other = shape === INSTRUMENTED ? HEADERS_ONLY : INSTRUMENTED;
  const hostDomains = (s: Shape) => [s.host, `${s.host}:*`];
  const routeConfig: Json = {
    name: `http.${address.port}`,
    virtual_hosts: [
      virtualHost(other, hostDomains(other)),
      // this port's own shape answers its host name and any other (curl localhost:PORT)
      virtualHost(shape, [...hostDomains(shape), '*']),
    ],
    response_headers_to_add: [
      {
        header: { key: TRACE_ID_HEADER, value: '%TRACE_ID%' },
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
      },
    ],
  };
  const hcm = httpConnectionManager({
    statPrefix: `outbound_0.0.0.0_${address.port};`,
    // since Istio 1.28 a gateway makes a SERVER span and a CLIENT span per request
    tracing: hcmTracing(tracing, IDENTITY, { spawnUpstreamSpan: true }),
    routeConfig,
    useRemoteAddress: true,
  });
  // Istio's gateway listeners are outbound listeners
  return listener(`0.0.0.0_${address.port}`, address, 'OUTBOUND', hcm);
}

export function gatewayConfig(plan: MeshAddresses, tracing: TracingTarget): Json {
  const gateway: GatewayAddresses = plan.gateway;
  const helloOf = (shape: Shape) => addressesOf(plan, findWorkload(shape, 'hello', 'v1')).inbound;
  return bootstrap({
    nodeId: `router~127.0.0.1~${GATEWAY_APP}-0.${GATEWAY_NAMESPACE}~${GATEWAY_NAMESPACE}.svc.cluster.local`,
    identity: IDENTITY,
    admin: gateway.admin,
    listeners: [
      gatewayListener(INSTRUMENTED, gateway.instrumented, tracing),
      gatewayListener(HEADERS_ONLY, gateway.headersOnly, tracing),
    ],
    clusters: [
      cluster(helloCluster(INSTRUMENTED), helloOf(INSTRUMENTED)),
      cluster(helloCluster(HEADERS_ONLY), helloOf(HEADERS_ONLY)),
      collectorCluster(tracing),
    ],
  });
}
