/**
 * The mesh's tracing setup for Kubernetes (deploy/istio/): the two providers, which one
 * is the default, where the sampling decision is set, and that each setup is the one the
 * local mesh runs under the same MESH_TRACING name (the same Envoy tracer, the same
 * services' propagation). No cluster and no kustomize needed.
 */
import { parse } from 'yaml';
import { localPlan } from '../../mesh/addresses.js';
import { meshConfigs } from '../../mesh/envoy/configs.js';
import { at as get } from './support/envoy.js';
import type { Json } from '../../mesh/envoy/parts.js';
import { propagationFor } from '../../mesh/settings.js';
import { MESH_TRACING_PROVIDERS } from '../../mesh/topology.js';
import type { KubeObject } from './support/kustomize.js';
import {
  ADDON_COLLECTOR_HOST,
  ADDON_COLLECTOR_PORTS,
  DEMO_PROFILE_PROVIDERS,
  MESH_SETUPS,
  TRACE_CONTEXT_OPTIONS,
  defaultTracingProvider,
  meshSetup,
  mergeLikeIstioctl,
  readIstioOperator,
} from './support/istio.js';
import type { ExtensionProvider } from './support/istio.js';
import { validateObject } from './support/models.js';
import { readRepoFile } from './support/paths.js';

const meshConfig = readIstioOperator('deploy/istio/mesh-config.yaml');
const providers = meshConfig.spec?.meshConfig?.extensionProviders ?? [];
const named = (name: string): ExtensionProvider => {
  const found = providers.find((p) => p.name === name);
  if (!found) throw new Error(`no extension provider ${name}`);
  return found;
};

/** `host[.svc[.cluster.local]]` -> `host` as `<service>.<namespace>`. */
const shortHost = (service: string) => service.replace(/\.svc(\.cluster\.local)?$/, '');

/** Every `tracing.provider` of every HTTP connection manager in one Envoy config. */
function tracersOf(config: Json): Json[] {
  const found: Json[] = [];
  const listeners = (get(config, 'static_resources', 'listeners') as Json[]) ?? [];
  for (const listener of listeners)
    for (const chain of (get(listener, 'filter_chains') as Json[]) ?? [])
      for (const filter of (get(chain, 'filters') as Json[]) ?? []) {
        const provider = get(filter, 'typed_config', 'tracing', 'provider');
        if (provider) found.push(provider);
      }
  return found;
}

describe('deploy/istio/mesh-config.yaml', () => {
  it('is an IstioOperator for the demo profile with tracing on', () => {
    validateObject(meshConfig as unknown as KubeObject);
    expect(meshConfig.spec?.profile).toBe('demo');
    expect(meshConfig.spec?.meshConfig?.enableTracing).toBe(true);
    // no legacy MeshConfig tracing (sampling, zipkin address): the providers and Telemetry decide
    expect(meshConfig.spec?.meshConfig?.defaultConfig?.tracing).toEqual({});
  });

  it("keeps the demo profile's own providers (a list given here replaces the profile's)", () => {
    for (const provider of DEMO_PROFILE_PROVIDERS) expect(providers).toContainEqual(provider);
    expect(new Set(providers.map((p) => p.name)).size).toBe(providers.length);
  });

  it("defines Zipkin to the addon's collector, reading B3 then W3C and writing both", () => {
    const zipkin = named('jaeger-zipkin').zipkin;
    expect(shortHost(zipkin?.service ?? '')).toBe(ADDON_COLLECTOR_HOST);
    expect(ADDON_COLLECTOR_PORTS[zipkin?.port ?? 0]).toBe('http-zipkin');
    expect(zipkin?.traceContextOption).toBe('USE_B3_WITH_W3C_PROPAGATION');
    expect(TRACE_CONTEXT_OPTIONS).toContain(zipkin?.traceContextOption);
  });

  it("defines OpenTelemetry to the addon's collector: the demo profile's `jaeger`, unchanged", () => {
    const otel = named('jaeger').opentelemetry;
    expect(shortHost(otel?.service ?? '')).toBe(ADDON_COLLECTOR_HOST);
    expect(ADDON_COLLECTOR_PORTS[otel?.port ?? 0]).toBe('grpc-otel');
  });

  it('makes Zipkin the default, and deploy/istio/otel.yaml switches only that to OpenTelemetry', () => {
    expect(defaultTracingProvider(meshSetup('zipkin')).name).toBe('jaeger-zipkin');
    const otel = meshSetup('otel');
    expect(defaultTracingProvider(otel).name).toBe('jaeger');
    // everything else is mesh-config.yaml's, as istioctl merges the second file onto the first
    expect({ ...otel.spec?.meshConfig, defaultProviders: undefined }).toEqual({
      ...meshConfig.spec?.meshConfig,
      defaultProviders: undefined,
    });
    const overlay = readIstioOperator('deploy/istio/otel.yaml');
    validateObject(overlay as unknown as KubeObject);
    expect(Object.keys(overlay.spec ?? {})).toEqual(['meshConfig']);
    expect(Object.keys(overlay.spec?.meshConfig ?? {})).toEqual(['defaultProviders']);
  });

  it('merges -f files as istioctl does: maps key by key, a list replaced whole', () => {
    expect(mergeLikeIstioctl({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
  });
});

describe.each([...MESH_TRACING_PROVIDERS])(
  "MESH_TRACING=%s: the Kubernetes setup is the local mesh's",
  (tracing) => {
    const provider = defaultTracingProvider(meshSetup(tracing));
    const envoys = meshConfigs(
      localPlan({
        gateway: 8080,
        headersOnlyGateway: 8090,
        internalBase: 18000,
        jaegerHost: '127.0.0.1',
      }),
      tracing,
    );

    it(`installs with ${MESH_SETUPS[tracing].join(' + ')}`, () => {
      expect(provider.zipkin ?? provider.opentelemetry).toBeDefined();
    });

    it('runs the same Envoy tracer, configured as istiod configures this provider', () => {
      for (const [file, config] of envoys) {
        for (const tracer of tracersOf(config)) {
          if (provider.zipkin) {
            expect({ file, name: get(tracer, 'name') }).toEqual({
              file,
              name: 'envoy.tracers.zipkin',
            });
            expect(get(tracer, 'typed_config')).toMatchObject({
              trace_context_option: provider.zipkin.traceContextOption ?? 'USE_B3',
              // Istio: 128-bit ids unless enable64bitTraceId; a new span id per hop
              trace_id_128bit: true,
              shared_span_context: false,
              collector_endpoint_version: 'HTTP_JSON',
            });
            expect(
              String(get(tracer, 'typed_config', 'collector_service', 'http_uri', 'uri')),
            ).toMatch(new RegExp(`:${provider.zipkin.port}/api/v2/spans$`));
          } else {
            expect({ file, name: get(tracer, 'name') }).toEqual({
              file,
              name: 'envoy.tracers.opentelemetry',
            });
          }
        }
      }
    });

    it('gives the services the propagation whose first format is the one that Envoy reads first', () => {
      const first = propagationFor(tracing).split(',')[0];
      // Zipkin (with or without W3C) reads B3 first; OpenTelemetry reads only traceparent and
      // passes B3 on untouched, so a service listing b3 first would follow a stale header
      expect(first).toBe(provider.zipkin ? 'b3' : 'w3c');
    });
  },
);

describe('deploy/istio/ingress-sampling.yaml', () => {
  const telemetry = parse(
    readRepoFile('deploy', 'istio', 'ingress-sampling.yaml'),
  ) as KubeObject & {
    spec: {
      selector?: { matchLabels?: Record<string, string> };
      tracing?: { providers?: { name: string }[]; randomSamplingPercentage?: number }[];
    };
  };
  const istioGateway = parse(
    readRepoFile('deploy', 'base', 'gateway.yaml').split(/^---$/m)[0] ?? '',
  ) as {
    kind: string;
    spec: { selector: Record<string, string> };
  };

  it('samples 100 % where the decision is made: the ingress gateway pods, in istio-system', () => {
    validateObject(telemetry);
    expect(telemetry.metadata.namespace).toBe('istio-system');
    expect(istioGateway.kind).toBe('Gateway');
    // the very pods the overlays' Istio Gateway selects, and no others
    expect(telemetry.spec.selector?.matchLabels).toEqual(istioGateway.spec.selector);
    expect(telemetry.spec.tracing).toEqual([{ randomSamplingPercentage: 100 }]);
  });

  it('names no provider, so the gateway uses the mesh default like the sidecars', () => {
    for (const t of telemetry.spec.tracing ?? []) expect(t.providers).toBeUndefined();
  });
});

describe('deploy/base/telemetry.yaml', () => {
  it('sets 100 % for its namespace and names no provider (the mesh default is the one switch)', () => {
    const telemetry = parse(readRepoFile('deploy', 'base', 'telemetry.yaml')) as KubeObject & {
      spec: { selector?: unknown; tracing?: unknown[] };
    };
    validateObject(telemetry);
    expect(telemetry.spec.selector).toBeUndefined();
    expect(telemetry.spec.tracing).toEqual([{ randomSamplingPercentage: 100 }]);
  });
});
