/**
 * The mesh's one source of truth: which shapes run, which workloads each shape has, and
 * the names Istio would give them. Every Envoy config, the local runner and the compose
 * file are made from this.
 */

export const MESH_TRACING_PROVIDERS = ['zipkin', 'otel'] as const;
/** Istio's two tracing providers: Zipkin (B3, the legacy one) and OpenTelemetry (W3C). */
export type MeshTracing = (typeof MESH_TRACING_PROVIDERS)[number];

export interface Shape {
  /** `instrumented` or `headers-only`, as TRACING_MODE says it. */
  tracingMode: 'instrumented' | 'headers-only';
  /** One Kubernetes namespace per shape, as deploy/overlays has them. */
  namespace: string;
  /** The host the gateway routes to this shape (as the overlays' Gateway). */
  host: string;
}

export const INSTRUMENTED: Shape = {
  tracingMode: 'instrumented',
  namespace: 'hello-opentracing',
  host: 'opentracing.hello.local',
};
export const HEADERS_ONLY: Shape = {
  tracingMode: 'headers-only',
  namespace: 'hello-headers-only',
  host: 'headers-only.hello.local',
};
export const SHAPES: readonly Shape[] = [INSTRUMENTED, HEADERS_ONLY];

export interface Workload {
  shape: Shape;
  /** The Kubernetes `app` label: hello or formatter. */
  app: 'hello' | 'formatter';
  /** The `version` label: the DestinationRule's subsets pick formatter v1 or v2 by it. */
  version: 'v1' | 'v2';
}

/** The port every service listens on inside its pod, and its Kubernetes Service port. */
export const SERVICE_PORT = 8080;
export const MESH_ID = 'cluster.local';
export const GATEWAY_NAMESPACE = 'istio-system';
export const GATEWAY_APP = 'istio-ingressgateway';

export function workloadsOf(shape: Shape): Workload[] {
  return [
    { shape, app: 'hello', version: 'v1' },
    { shape, app: 'formatter', version: 'v1' },
    { shape, app: 'formatter', version: 'v2' },
  ];
}

export const WORKLOADS: readonly Workload[] = SHAPES.flatMap(workloadsOf);

/** `hello-opentracing` style short shape name, used in file and compose service names. */
function shapePrefix(shape: Shape): string {
  return shape === INSTRUMENTED ? '' : 'headers-only-';
}

/** A workload's name for files, processes and compose: hello, formatter-v2, headers-only-hello... */
export function workloadName(workload: Workload): string {
  const base = workload.app === 'hello' ? 'hello' : `formatter-${workload.version}`;
  return `${shapePrefix(workload.shape)}${base}`;
}

/** The Kubernetes Service's cluster-local name. */
export function serviceFqdn(app: string, namespace: string): string {
  return `${app}.${namespace}.svc.cluster.local`;
}

/**
 * What Envoy writes as a span's service name: the node's cluster, which istiod sets to
 * `<app>.<namespace>`. formatter v1 and v2 share it; only istio.canonical_revision differs.
 */
export function meshServiceName(app: string, namespace: string): string {
  return `${app}.${namespace}`;
}

/** Istio names a span by its route's decorator: the destination's `host:port/*`. */
export function decorator(app: string, namespace: string): string {
  return `${serviceFqdn(app, namespace)}:${SERVICE_PORT}/*`;
}

export const GATEWAY_SERVICE_NAME = meshServiceName(GATEWAY_APP, GATEWAY_NAMESPACE);

/** The one Workload object of WORKLOADS with these labels (address plans are keyed by it). */
export function findWorkload(
  shape: Shape,
  app: Workload['app'],
  version: Workload['version'],
): Workload {
  const found = WORKLOADS.find((w) => w.shape === shape && w.app === app && w.version === version);
  if (!found) throw new Error(`no ${app} ${version} in ${shape.namespace}`);
  return found;
}
