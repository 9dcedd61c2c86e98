/**
 * The pieces every Envoy of the mesh shares, each set the way istiod sets it for a
 * sidecar or gateway (see deploy/README.md, "How the local mesh maps onto Istio").
 */
import type { Address } from '../addresses.js';
import { MESH_ID } from '../topology.js';
import type { MeshTracing } from '../topology.js';

/** An Envoy config is plain data; this is its type, not Envoy's schema (`envoy --mode validate` checks that). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Who an Envoy is: the values istiod puts into the node and into every span's tags. */
export interface ProxyIdentity {
  /** `<app>.<namespace>`: the node's cluster, which Envoy writes as each span's service name. */
  serviceName: string;
  /** istio.canonical_service: the app label. */
  canonicalService: string;
  /** istio.canonical_revision: the version label (v1, v2; `latest` for the gateway). */
  canonicalRevision: string;
  namespace: string;
}

export interface TracingTarget {
  provider: MeshTracing;
  /** Jaeger's Zipkin endpoint (zipkin) or its OTLP gRPC port (otel). */
  collector: Address;
}

/** The one cluster the tracer reports through. */
export const COLLECTOR_CLUSTER = 'jaeger-collector';

/** Istio's route timeout: none (0s disables Envoy's 15 s default). */
const NO_TIMEOUT = '0s';

const isIp = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host);

export function socketAddress({ host, port }: Address): Json {
  return { socket_address: { address: host, port_value: port } };
}

/** A cluster of one endpoint: STATIC for an IP, STRICT_DNS for a compose service name. */
export function cluster(name: string, target: Address, options: { http2?: boolean } = {}): Json {
  const result: Record<string, Json> = {
    name,
    type: isIp(target.host) ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '10s', // Istio's default connectTimeout
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(target) } }] }],
    },
  };
  if (options.http2) {
    result['typed_extension_protocol_options'] = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    };
  }
  return result;
}

export function collectorCluster(tracing: TracingTarget): Json {
  // OTLP is gRPC, so HTTP/2; Zipkin JSON is a plain HTTP/1.1 POST
  return cluster(COLLECTOR_CLUSTER, tracing.collector, { http2: tracing.provider === 'otel' });
}

function tracerProvider(tracing: TracingTarget, identity: ProxyIdentity): Json {
  if (tracing.provider === 'zipkin') {
    return {
      name: 'envoy.tracers.zipkin',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
        // istiod for 1.29+ proxies: an HttpService rather than collector_cluster/_endpoint
        collector_service: {
          http_uri: {
            uri: `http://${tracing.collector.host}:${tracing.collector.port}/api/v2/spans`,
            cluster: COLLECTOR_CLUSTER,
            timeout: '5s',
          },
        },
        collector_endpoint_version: 'HTTP_JSON',
        // Envoy's trace ids are 128-bit: an application that cuts them to 64 splits the trace
        trace_id_128bit: true,
        // every hop gets its own span id, child of the caller's x-b3-spanid
        shared_span_context: false,
        // Istio 1.28+'s traceContextOption USE_B3_WITH_W3C_PROPAGATION, as
        // deploy/istio/mesh-config.yaml sets it: read B3, or W3C traceparent where a request
        // has no B3; write both, with the same ids and sampled flag
        trace_context_option: 'USE_B3_WITH_W3C_PROPAGATION',
      },
    };
  }
  return {
    name: 'envoy.tracers.opentelemetry',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
      grpc_service: {
        envoy_grpc: { cluster_name: COLLECTOR_CLUSTER, authority: tracing.collector.host },
        timeout: '5s',
      },
      service_name: identity.serviceName,
    },
  };
}

/**
 * The HCM's `tracing` block: 100 % sampling, Istio's custom tags. The percentage decides
 * only where no decision arrived with the request: at the gateway (in a cluster,
 * deploy/istio/ingress-sampling.yaml sets it to 100 on any profile); the sidecars follow
 * the gateway's x-b3-sampled / traceparent flag and x-request-id.
 */
export function hcmTracing(
  tracing: TracingTarget,
  identity: ProxyIdentity,
  { spawnUpstreamSpan }: { spawnUpstreamSpan: boolean },
): Json {
  const literal = (tag: string, value: string): Json => ({ tag, literal: { value } });
  return {
    client_sampling: { value: 100 },
    random_sampling: { value: 100 }, // Telemetry randomSamplingPercentage: 100
    overall_sampling: { value: 100 },
    spawn_upstream_span: spawnUpstreamSpan,
    custom_tags: [
      literal('istio.canonical_revision', identity.canonicalRevision),
      literal('istio.canonical_service', identity.canonicalService),
      literal('istio.mesh_id', MESH_ID),
      literal('istio.namespace', identity.namespace),
      literal('istio.cluster_id', 'Kubernetes'),
    ],
    provider: tracerProvider(tracing, identity),
  };
}

/**
 * Istio's default retry policy for outbound routes: twice more, on a refused or reset
 * connection, never to the same host. `retriable-status-codes` is listed but no code is,
 * so a 503 answer is not retried. Retries show on the callee: one CLIENT span here, a
 * SERVER span there per try.
 */
export const OUTBOUND_RETRY_POLICY: Json = {
  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  num_retries: 2,
  retry_host_predicate: [
    {
      name: 'envoy.retry_host_predicates.previous_hosts',
      typed_config: {
        '@type':
          'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
      },
    },
  ],
  host_selection_retry_max_attempts: '5',
};

/** Istio's inbound routes retry only a request the app never saw (its connection reset first). */
export const INBOUND_RETRY_POLICY: Json = { retry_on: 'reset-before-request', num_retries: 2 };

/** A route to `clusterName`, named for tracing as Istio names it. */
export function route(
  clusterName: string,
  operation: string,
  options: { direction: 'inbound' | 'outbound'; match?: Json },
): Json {
  const routeAction: Record<string, Json> = {
    cluster: clusterName,
    timeout: NO_TIMEOUT,
    retry_policy: options.direction === 'inbound' ? INBOUND_RETRY_POLICY : OUTBOUND_RETRY_POLICY,
  };
  return {
    match: options.match ?? { prefix: '/' },
    route: routeAction,
    decorator: { operation },
  };
}

/**
 * One JSON line per request on stdout, with Istio's default access-log fields plus the
 * trace id, so a log line leads to its trace.
 */
export const JSON_ACCESS_LOG: Json = [
  {
    name: 'envoy.access_loggers.stdout',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
      log_format: {
        json_format: {
          start_time: '%START_TIME%',
          method: '%REQ(:METHOD)%',
          path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
          protocol: '%PROTOCOL%',
          response_code: '%RESPONSE_CODE%',
          response_flags: '%RESPONSE_FLAGS%',
          response_code_details: '%RESPONSE_CODE_DETAILS%',
          bytes_received: '%BYTES_RECEIVED%',
          bytes_sent: '%BYTES_SENT%',
          duration: '%DURATION%',
          upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
          x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
          user_agent: '%REQ(USER-AGENT)%',
          request_id: '%REQ(X-REQUEST-ID)%',
          authority: '%REQ(:AUTHORITY)%',
          upstream_host: '%UPSTREAM_HOST%',
          upstream_cluster: '%UPSTREAM_CLUSTER%',
          route_name: '%ROUTE_NAME%',
          trace_id: '%TRACE_ID%',
        },
      },
    },
  },
];

/** An HTTP connection manager: tracing, a request id per request, JSON access log, the routes. */
export function httpConnectionManager(options: {
  statPrefix: string;
  tracing: Json;
  routeConfig: Json;
  /** The gateway is the edge: it trusts no inbound x-forwarded-for. */
  useRemoteAddress: boolean;
}): Json {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type':
        'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: options.statPrefix,
      codec_type: 'AUTO',
      use_remote_address: options.useRemoteAddress,
      // every request gets an x-request-id (Envoy rewrites its UUID version digit: 9 = sampled)
      generate_request_id: true,
      tracing: options.tracing,
      access_log: JSON_ACCESS_LOG,
      route_config: options.routeConfig,
      http_filters: [
        {
          name: 'envoy.filters.http.router',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
          },
        },
      ],
    },
  };
}

export function listener(
  name: string,
  address: Address,
  direction: 'INBOUND' | 'OUTBOUND',
  hcm: Json,
): Json {
  return {
    name,
    address: socketAddress(address),
    // decides the span kind: SERVER on an inbound listener, CLIENT on an outbound one
    traffic_direction: direction,
    filter_chains: [{ filters: [hcm] }],
  };
}

/**
 * The bootstrap around the listeners and clusters. The one setting not taken from
 * Istio: tracers flush every second instead of every five, so a span shows in Jaeger
 * right after the curl and a stopping mesh waits one second for the last ones.
 */
export function bootstrap(options: {
  nodeId: string;
  identity: ProxyIdentity;
  admin: Address;
  listeners: Json[];
  clusters: Json[];
}): Json {
  return {
    node: { id: options.nodeId, cluster: options.identity.serviceName },
    admin: { address: socketAddress(options.admin) },
    static_resources: { listeners: options.listeners, clusters: options.clusters },
    // Istio caps downstream connections too; without a cap Envoy warns at every start
    overload_manager: {
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: {
            '@type':
              'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
            max_active_downstream_connections: 100000,
          },
        },
      ],
    },
    layered_runtime: {
      layers: [
        {
          name: 'static',
          static_layer: {
            'tracing.zipkin.flush_interval_ms': FLUSH_INTERVAL_MS,
            'tracing.opentelemetry.flush_interval_ms': FLUSH_INTERVAL_MS,
          },
        },
      ],
    },
  };
}

/** How often a sidecar's tracer sends its finished spans. */
export const FLUSH_INTERVAL_MS = 1000;
