/** Every Envoy config of the mesh, by file name, rendered from the templates. */
import { stringify } from 'yaml';
import type { MeshAddresses } from '../addresses.js';
import { WORKLOADS, workloadName } from '../topology.js';
import type { MeshTracing, Workload } from '../topology.js';
import { gatewayConfig } from './gateway.js';
import type { Json, TracingTarget } from './parts.js';
import { sidecarConfig } from './sidecar.js';

export const GATEWAY_FILE = 'gateway.yaml';

export function sidecarFile(workload: Workload): string {
  return `${workloadName(workload)}.yaml`;
}

export function tracingTarget(plan: MeshAddresses, provider: MeshTracing): TracingTarget {
  return { provider, collector: provider === 'zipkin' ? plan.jaeger.zipkin : plan.jaeger.otlpGrpc };
}

export function meshConfigs(plan: MeshAddresses, provider: MeshTracing): Map<string, Json> {
  const tracing = tracingTarget(plan, provider);
  const configs = new Map<string, Json>([[GATEWAY_FILE, gatewayConfig(plan, tracing)]]);
  for (const workload of WORKLOADS)
    configs.set(sidecarFile(workload), sidecarConfig(workload, plan, tracing));
  return configs;
}

export function renderYaml(config: Json, header: string): string {
  const comment = header
    .split('\n')
    .map((line) => (line ? `# ${line}` : '#'))
    .join('\n');
  return `${comment}\n${stringify(config, { lineWidth: 0 })}`;
}
