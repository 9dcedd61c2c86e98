/**
 * Where every part of the mesh listens and how the others reach it. The Envoy templates
 * take these addresses as values; two plans fill them in: the local one (everything on
 * 127.0.0.1, a port each) and the compose one (a container per workload, Istio's ports).
 */
import { WORKLOADS, workloadName } from './topology.js';
import type { Workload } from './topology.js';

export interface Address {
  host: string;
  port: number;
}

export interface WorkloadAddresses {
  /** The PORT the service listens on. */
  appPort: number;
  /** How the sidecar reaches its app (the pod's loopback). */
  app: Address;
  /** The sidecar's inbound listener (Istio: 15006, where iptables sends the pod's traffic). */
  inboundListen: Address;
  /** How the gateway and other sidecars reach this workload. */
  inbound: Address;
  /** The sidecar's outbound listener, on the pod's loopback (Istio: 15001). hello calls formatter here. */
  outbound: Address;
  /** Envoy's admin port; 0 lets the OS choose (the runner reads it back). */
  admin: Address;
}

export interface JaegerAddresses {
  /** Zipkin v2 JSON: Istio's Zipkin provider reports here. */
  zipkin: Address;
  /** OTLP over gRPC: Istio's OpenTelemetry provider reports here. */
  otlpGrpc: Address;
  /** Thrift over HTTP: the instrumented services (jaeger-client) report here. */
  collectorUrl: string;
}

export interface GatewayAddresses {
  /** The instrumented shape's way in. */
  instrumented: Address;
  /** The headers-only shape's way in. */
  headersOnly: Address;
  admin: Address;
}

export interface MeshAddresses {
  gateway: GatewayAddresses;
  workloads: ReadonlyMap<Workload, WorkloadAddresses>;
  jaeger: JaegerAddresses;
}

export function addressesOf(plan: MeshAddresses, workload: Workload): WorkloadAddresses {
  const found = plan.workloads.get(workload);
  if (!found) throw new Error(`no addresses for ${workloadName(workload)}`);
  return found;
}

export interface LocalPorts {
  /** The instrumented shape's gateway port (MESH_PORT, default 8080). */
  gateway: number;
  /** The headers-only shape's gateway port (MESH_HEADERS_ONLY_PORT, default 8090). */
  headersOnlyGateway: number;
  /** The first of the internal ports (MESH_INTERNAL_PORT_BASE, default 18000). */
  internalBase: number;
  /** Jaeger's own ports are its defaults (scripts/jaeger-config.yaml). */
  jaegerHost: string;
}

/** How many internal ports one workload takes: app, sidecar inbound, sidecar outbound. */
export const PORTS_PER_WORKLOAD = 3;
export const INTERNAL_PORT_COUNT = WORKLOADS.length * PORTS_PER_WORKLOAD;

/** Everything on 127.0.0.1: workload i uses internalBase + 3i (app), +1 (inbound), +2 (outbound). */
export function localPlan(ports: LocalPorts): MeshAddresses {
  const loopback = (port: number): Address => ({ host: '127.0.0.1', port });
  const workloads = new Map<Workload, WorkloadAddresses>();
  WORKLOADS.forEach((workload, index) => {
    const first = ports.internalBase + index * PORTS_PER_WORKLOAD;
    workloads.set(workload, {
      appPort: first,
      app: loopback(first),
      inboundListen: loopback(first + 1),
      inbound: loopback(first + 1),
      outbound: loopback(first + 2),
      admin: loopback(0),
    });
  });
  return {
    gateway: {
      instrumented: { host: '0.0.0.0', port: ports.gateway },
      headersOnly: { host: '0.0.0.0', port: ports.headersOnlyGateway },
      admin: loopback(0),
    },
    workloads,
    jaeger: {
      zipkin: { host: ports.jaegerHost, port: 9411 },
      otlpGrpc: { host: ports.jaegerHost, port: 4317 },
      collectorUrl: `http://${ports.jaegerHost}:14268/api/traces`,
    },
  };
}

/** Istio's sidecar ports, which the compose file uses inside each workload's network namespace. */
export const ISTIO_PORTS = { app: 8080, inbound: 15006, outbound: 15001, admin: 15000 } as const;

/**
 * docker compose: each workload's sidecar is a container named after the workload, and
 * its app shares the sidecar's network namespace (`network_mode: service:<sidecar>`), as
 * the containers of a pod share one.
 */
export function composePlan(): MeshAddresses {
  const workloads = new Map<Workload, WorkloadAddresses>();
  for (const workload of WORKLOADS) {
    workloads.set(workload, {
      appPort: ISTIO_PORTS.app,
      app: { host: '127.0.0.1', port: ISTIO_PORTS.app },
      inboundListen: { host: '0.0.0.0', port: ISTIO_PORTS.inbound },
      inbound: { host: workloadName(workload), port: ISTIO_PORTS.inbound },
      outbound: { host: '127.0.0.1', port: ISTIO_PORTS.outbound },
      admin: { host: '127.0.0.1', port: ISTIO_PORTS.admin },
    });
  }
  return {
    gateway: {
      instrumented: { host: '0.0.0.0', port: 8080 },
      headersOnly: { host: '0.0.0.0', port: 8090 },
      admin: { host: '127.0.0.1', port: ISTIO_PORTS.admin },
    },
    workloads,
    jaeger: {
      zipkin: { host: 'jaeger', port: 9411 },
      otlpGrpc: { host: 'jaeger', port: 4317 },
      collectorUrl: 'http://jaeger:14268/api/traces',
    },
  };
}
