/**
 * The mesh side of the Kubernetes deployment as istioctl reads it: deploy/istio/*.yaml
 * merged the way `istioctl install -f a.yaml -f b.yaml` merges its files, the tracing
 * provider that results, and the upstream facts the files are checked against.
 */
import { parse } from 'yaml';
import type { MeshTracing } from '../../../mesh/topology.js';
import { parseObjects } from './kustomize.js';
import type { KubeObject } from './kustomize.js';
import { readRepoFile } from './paths.js';

export interface ExtensionProvider {
  name: string;
  zipkin?: { service: string; port: number; maxTagLength?: number; traceContextOption?: string };
  opentelemetry?: { service: string; port: number };
  envoyOtelAls?: { service: string; port: number };
  skywalking?: { service: string; port: number };
}

export interface IstioOperatorFile {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    profile?: string;
    meshConfig?: {
      enableTracing?: boolean;
      defaultConfig?: { tracing?: Record<string, unknown> };
      extensionProviders?: ExtensionProvider[];
      defaultProviders?: { tracing?: string[] };
    };
  };
}

/**
 * The istioctl -f files of each tracing setup, named as the local mesh names it
 * (MESH_TRACING): `istioctl install -f <each file, in order>`.
 */
export const MESH_SETUPS: Record<MeshTracing, string[]> = {
  zipkin: ['deploy/istio/mesh-config.yaml'],
  otel: ['deploy/istio/mesh-config.yaml', 'deploy/istio/otel.yaml'],
};

type Value = unknown;

function isMap(value: Value): value is Record<string, Value> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * istioctl's merge of its -f files (operator/pkg/values/map.go, MergeFrom): key by key,
 * maps merge recursively, anything else (a list included) is replaced by the later file.
 */
export function mergeLikeIstioctl(base: Value, overlay: Value): Value {
  if (!isMap(base) || !isMap(overlay)) return structuredClone(overlay);
  const result: Record<string, Value> = structuredClone(base);
  for (const [key, value] of Object.entries(overlay))
    result[key] = key in result ? mergeLikeIstioctl(result[key], value) : structuredClone(value);
  return result;
}

export function readIstioOperator(file: string): IstioOperatorFile {
  return parse(readRepoFile(file)) as IstioOperatorFile;
}

/** The IstioOperator istioctl installs for one setup. */
export function meshSetup(provider: MeshTracing): IstioOperatorFile {
  return MESH_SETUPS[provider]
    .map(readIstioOperator)
    .reduce((merged, file) => mergeLikeIstioctl(merged, file) as IstioOperatorFile);
}

/**
 * The provider every proxy uses when no Telemetry names one (the overlays' Telemetry
 * resources name none): the first of defaultProviders.tracing, as istiod takes it.
 */
export function defaultTracingProvider(setup: IstioOperatorFile): ExtensionProvider {
  const mesh = setup.spec?.meshConfig;
  const name = mesh?.defaultProviders?.tracing?.[0];
  const provider = mesh?.extensionProviders?.find((p) => p.name === name);
  if (!provider) throw new Error(`default tracing provider ${name} is not defined`);
  return provider;
}

/** meshconfig's ZipkinTracingProvider.TraceContextOption (istio/api, Istio 1.28+). */
export const TRACE_CONTEXT_OPTIONS = ['USE_B3', 'USE_B3_WITH_W3C_PROPAGATION'] as const;

/**
 * The demo profile's own extensionProviders, as Istio 1.28 to 1.30 define them
 * (manifests/helm-profiles/demo.yaml). An extensionProviders list in an IstioOperator
 * replaces the profile's list (helm's mustMergeOverwrite replaces lists), so
 * mesh-config.yaml repeats them to keep them.
 */
export const DEMO_PROFILE_PROVIDERS: ExtensionProvider[] = [
  {
    name: 'otel',
    envoyOtelAls: {
      service: 'opentelemetry-collector.observability.svc.cluster.local',
      port: 4317,
    },
  },
  {
    name: 'skywalking',
    skywalking: { service: 'tracing.istio-system.svc.cluster.local', port: 11800 },
  },
  {
    name: 'otel-tracing',
    opentelemetry: {
      port: 4317,
      service: 'opentelemetry-collector.observability.svc.cluster.local',
    },
  },
  {
    name: 'jaeger',
    opentelemetry: { port: 4317, service: 'jaeger-collector.istio-system.svc.cluster.local' },
  },
];

/**
 * The TCP ports of the Service jaeger-collector.istio-system that Istio's Jaeger addon
 * installs (samples/addons/jaeger.yaml, Istio 1.29 and 1.30: Jaeger 2.14.0). It has no
 * UDP port.
 */
export const ADDON_COLLECTOR_PORTS: Record<number, string> = {
  14268: 'jaeger-collector-http (jaeger.thrift over HTTP)',
  14250: 'jaeger-collector-grpc',
  9411: 'http-zipkin',
  4317: 'grpc-otel',
  4318: 'http-otel',
};

export const ADDON_COLLECTOR_HOST = 'jaeger-collector.istio-system';

/** Where the tests keep Istio's Jaeger addon (samples/addons/jaeger.yaml), verbatim. */
export const ADDON_FIXTURE = ['test', 'fixtures', 'istio', 'samples-addons-jaeger.yaml'];

/** The part of the addon's Jaeger config (ConfigMap jaeger, config.yaml) the tests read. */
export interface AddonJaegerConfig {
  extensions?: {
    remote_sampling?: {
      file?: {
        path?: string | null;
        default_sampling_probability?: number;
        reload_interval?: string;
      };
      adaptive?: unknown;
      http?: { endpoint?: string };
    };
  };
}

/** Istio's Jaeger addon: its objects, and its Jaeger's config parsed. */
export function jaegerAddon(): { objects: KubeObject[]; config: AddonJaegerConfig } {
  const objects = parseObjects(readRepoFile(...ADDON_FIXTURE), ADDON_FIXTURE.join('/'));
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'jaeger');
  const text = (configMap?.['data'] as Record<string, string> | undefined)?.['config.yaml'];
  if (text === undefined) throw new Error('the addon has no ConfigMap jaeger with config.yaml');
  return { objects, config: parse(text) as AddonJaegerConfig };
}
