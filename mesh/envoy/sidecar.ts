/**
 * A workload's sidecar, as istiod configures one: an inbound listener in front of the
 * app (SERVER spans) and, for hello, an outbound listener for its calls to formatter
 * (CLIENT spans) that carries the baggage routing rule.
 */
import { addressesOf, type MeshAddresses } from '../addresses.js';
import {
  SERVICE_PORT,
  decorator,
  findWorkload,
  meshServiceName,
  serviceFqdn,
  workloadName,
} from '../topology.js';
import type { Workload } from '../topology.js';
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
import { formatterRoutes } from './routing.js';

function identityOf(workload: Workload): ProxyIdentity {
  return {
    serviceName: meshServiceName(workload.app, workload.shape.namespace),
    canonicalService: workload.app,
    canonicalRevision: workload.version,
    namespace: workload.shape.namespace,
  };
}

/** Istio's cluster names: `inbound|8080||` for the app, `outbound|8080|v2|formatter.<ns>...` for a subset. */
const INBOUND_CLUSTER = `inbound|${SERVICE_PORT}||`;
function outboundCluster(workload: Workload, subset: string): string {
  return `outbound|${SERVICE_PORT}|${subset}|${serviceFqdn('formatter', workload.shape.namespace)}`;
}

function inboundListener(workload: Workload, plan: MeshAddresses, tracing: TracingTarget): Json {
  const { namespace } = workload.shape;
  const hcm = httpConnectionManager({
    statPrefix: `inbound_0.0.0.0_${SERVICE_PORT};`,
    tracing: hcmTracing(tracing, identityOf(workload), { spawnUpstreamSpan: false }),
    routeConfig: {
      name: `inbound|${SERVICE_PORT}||`,
      virtual_hosts: [
        {
          name: `inbound|http|${SERVICE_PORT}`,
          domains: ['*'],
          routes: [
            route(INBOUND_CLUSTER, decorator(workload.app, namespace), { direction: 'inbound' }),
          ],
        },
      ],
    },
    useRemoteAddress: false,
  });
  return listener('virtualInbound', addressesOf(plan, workload).inboundListen, 'INBOUND', hcm);
}

/** hello's way to formatter: the VirtualService's routes, in order, each to its subset. */
function outboundListener(workload: Workload, plan: MeshAddresses, tracing: TracingTarget): Json {
  const { namespace } = workload.shape;
  const routes = formatterRoutes().map((rule) => ({
    ...(route(outboundCluster(workload, rule.subset), decorator('formatter', namespace), {
      direction: 'outbound',
      match: rule.headers.length ? { prefix: '/', headers: rule.headers } : { prefix: '/' },
    }) as Record<string, Json>),
    name: rule.name,
  }));
  const hcm = httpConnectionManager({
    statPrefix: `outbound_0.0.0.0_${SERVICE_PORT};`,
    tracing: hcmTracing(tracing, identityOf(workload), { spawnUpstreamSpan: false }),
    routeConfig: {
      name: String(SERVICE_PORT),
      virtual_hosts: [
        {
          name: `${serviceFqdn('formatter', namespace)}:${SERVICE_PORT}`,
          // hello reaches this listener by its loopback address: it is formatter's port
          domains: ['*'],
          routes,
        },
      ],
    },
    useRemoteAddress: false,
  });
  return listener('virtualOutbound', addressesOf(plan, workload).outbound, 'OUTBOUND', hcm);
}

export function sidecarConfig(
  workload: Workload,
  plan: MeshAddresses,
  tracing: TracingTarget,
): Json {
  const own = addressesOf(plan, workload);
  const listeners = [inboundListener(workload, plan, tracing)];
  const clusters = [cluster(INBOUND_CLUSTER, own.app), collectorCluster(tracing)];
  if (workload.app === 'hello') {
    listeners.push(outboundListener(workload, plan, tracing));
    for (const version of ['v1', 'v2'] as const) {
      const formatter = findWorkload(workload.shape, 'formatter', version);
      clusters.push(
        cluster(outboundCluster(workload, version), addressesOf(plan, formatter).inbound),
      );
    }
  }
  const podName = `${workloadName(workload)}-0`;
  return bootstrap({
    nodeId: `sidecar~127.0.0.1~${podName}.${workload.shape.namespace}~${workload.shape.namespace}.svc.cluster.local`,
    identity: identityOf(workload),
    admin: own.admin,
    listeners,
    clusters,
  });
}
