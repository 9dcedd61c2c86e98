/**
 * The mesh's Envoy configs, made from one template per role: what they say (checked on
 * the generated data) and that Envoy itself accepts every one of them (`envoy --mode
 * validate`, for both tracing providers and both address plans: npm run mesh's and
 * docker compose's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composePlan, localPlan } from '../../mesh/addresses.js';
import type { MeshAddresses } from '../../mesh/addresses.js';
import { validateConfig } from '../../mesh/envoy/binary.js';
import { GATEWAY_FILE, meshConfigs, renderYaml } from '../../mesh/envoy/configs.js';
import type { Json } from '../../mesh/envoy/parts.js';
import { formatterRoutes } from '../../mesh/envoy/routing.js';
import { MESH_TRACING_PROVIDERS } from '../../mesh/topology.js';
import { readRepoFile } from './support/paths.js';
import { at as get, ENVOY_MISSING, envoyForValidation } from './support/envoy.js';

const envoy = await envoyForValidation();
if (!envoy) process.stderr.write(`\n${ENVOY_MISSING}\n`);

const local = localPlan({
  gateway: 8080,
  headersOnlyGateway: 8090,
  internalBase: 18000,
  jaegerHost: '127.0.0.1',
});

function listeners(config: Json): Json[] {
  return get(config, 'static_resources', 'listeners') as Json[];
}

function hcmOf(listener: Json): Json | undefined {
  return get(listener, 'filter_chains', 0, 'filters', 0, 'typed_config');
}

function listenerNamed(config: Json, name: string): Json {
  const found = listeners(config).find((l) => get(l, 'name') === name);
  if (!found) throw new Error(`no listener ${name}`);
  return found;
}

describe('the Envoy templates', () => {
  const zipkin = meshConfigs(local, 'zipkin');
  const otel = meshConfigs(local, 'otel');

  it('make one config for the gateway and one per workload sidecar', () => {
    expect([...zipkin.keys()].sort()).toEqual([
      'formatter-v1.yaml',
      'formatter-v2.yaml',
      'gateway.yaml',
      'headers-only-formatter-v1.yaml',
      'headers-only-formatter-v2.yaml',
      'headers-only-hello.yaml',
      'hello.yaml',
    ]);
  });

  it("name each Envoy as istiod does: the node's cluster is <app>.<namespace>", () => {
    expect(get(zipkin.get('formatter-v2.yaml'), 'node', 'cluster')).toBe(
      'formatter.hello-opentracing',
    );
    expect(get(zipkin.get('headers-only-hello.yaml'), 'node', 'cluster')).toBe(
      'hello.hello-headers-only',
    );
    expect(get(zipkin.get(GATEWAY_FILE), 'node', 'cluster')).toBe(
      'istio-ingressgateway.istio-system',
    );
  });

  it('trace with Zipkin: 128-bit ids, a span id per hop, B3 and W3C, 100 % sampling, reported to Jaeger', () => {
    const tracing = get(
      hcmOf(listenerNamed(zipkin.get('hello.yaml') as Json, 'virtualInbound')),
      'tracing',
    );
    expect(get(tracing, 'random_sampling', 'value')).toBe(100);
    expect(get(tracing, 'provider', 'typed_config')).toMatchObject({
      trace_id_128bit: true,
      shared_span_context: false,
      // Istio 1.28+'s traceContextOption, as deploy/istio/mesh-config.yaml sets it
      trace_context_option: 'USE_B3_WITH_W3C_PROPAGATION',
      collector_endpoint_version: 'HTTP_JSON',
      collector_service: { http_uri: { uri: 'http://127.0.0.1:9411/api/v2/spans' } },
    });
    expect(get(tracing, 'custom_tags')).toContainEqual({
      tag: 'istio.canonical_revision',
      literal: { value: 'v1' },
    });
  });

  it('trace with OpenTelemetry: OTLP over gRPC to 4317, service name <app>.<namespace>', () => {
    const provider = get(
      hcmOf(listenerNamed(otel.get('formatter-v2.yaml') as Json, 'virtualInbound')),
      'tracing',
      'provider',
    );
    expect(get(provider, 'name')).toBe('envoy.tracers.opentelemetry');
    expect(get(provider, 'typed_config', 'service_name')).toBe('formatter.hello-opentracing');
    const collector = (
      get(otel.get('formatter-v2.yaml'), 'static_resources', 'clusters') as Json[]
    ).find((c) => get(c, 'name') === 'jaeger-collector');
    expect(
      get(
        collector,
        'load_assignment',
        'endpoints',
        0,
        'lb_endpoints',
        0,
        'endpoint',
        'address',
        'socket_address',
        'port_value',
      ),
    ).toBe(4317);
  });

  it("name spans by Istio's decorators and make the gateway spawn its upstream span", () => {
    const inbound = hcmOf(listenerNamed(zipkin.get('formatter-v1.yaml') as Json, 'virtualInbound'));
    expect(
      get(inbound, 'route_config', 'virtual_hosts', 0, 'routes', 0, 'decorator', 'operation'),
    ).toBe('formatter.hello-opentracing.svc.cluster.local:8080/*');
    expect(get(inbound, 'tracing', 'spawn_upstream_span')).toBe(false);
    const gateway = hcmOf(listeners(zipkin.get(GATEWAY_FILE) as Json)[0] as Json);
    expect(get(gateway, 'tracing', 'spawn_upstream_span')).toBe(true);
  });

  it("route hello's calls by the rule in deploy/base/formatter-routing.yaml: Netscape to v2, the rest to v1", () => {
    const routes = get(
      hcmOf(listenerNamed(zipkin.get('hello.yaml') as Json, 'virtualOutbound')),
      'route_config',
      'virtual_hosts',
      0,
      'routes',
    ) as Json[];
    expect(routes.map((r) => [get(r, 'match', 'headers'), get(r, 'route', 'cluster')])).toEqual([
      [
        [{ name: 'baggage-user-agent', string_match: { safe_regex: { regex: '.*Netscape.*' } } }],
        'outbound|8080|v2|formatter.hello-opentracing.svc.cluster.local',
      ],
      [undefined, 'outbound|8080|v1|formatter.hello-opentracing.svc.cluster.local'],
    ]);
    expect(get(routes[0], 'route', 'retry_policy', 'num_retries')).toBe(2);
  });

  it('read the routing rule from the file, not a copy of it', () => {
    const changed = readRepoFile('deploy', 'base', 'formatter-routing.yaml').replace(
      'regex: .*Netscape.*',
      'regex: .*Mosaic.*',
    );
    expect(formatterRoutes(changed)[0]?.headers).toEqual([
      { name: 'baggage-user-agent', string_match: { safe_regex: { regex: '.*Mosaic.*' } } },
    ]);
  });

  it('answer with the trace id at the gateway, and log JSON with trace id and x-request-id', () => {
    const gateway = hcmOf(listeners(zipkin.get(GATEWAY_FILE) as Json)[0] as Json);
    expect(get(gateway, 'route_config', 'response_headers_to_add', 0, 'header')).toEqual({
      key: 'x-trace-id',
      value: '%TRACE_ID%',
    });
    expect(
      get(gateway, 'access_log', 0, 'typed_config', 'log_format', 'json_format'),
    ).toMatchObject({
      trace_id: '%TRACE_ID%',
      request_id: '%REQ(X-REQUEST-ID)%',
    });
  });
});

const PLANS: [string, MeshAddresses][] = [
  ['npm run mesh', local],
  ['docker compose', composePlan()],
];

describe.each(PLANS)('every Envoy config of %s', (_plan, plan) => {
  const dir = mkdtempSync(join(tmpdir(), 'hello-app-envoy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  (envoy ? it : it.skip).each([...MESH_TRACING_PROVIDERS])(
    'passes envoy --mode validate (MESH_TRACING=%s)',
    async (provider) => {
      const problems: string[] = [];
      for (const [file, config] of meshConfigs(plan, provider)) {
        const path = join(dir, `${provider}-${file}`);
        writeFileSync(path, renderYaml(config, 'test'));
        const problem = await validateConfig(envoy as string, path);
        if (problem) problems.push(`${file}: ${problem}`);
      }
      expect(problems).toEqual([]);
    },
    60_000,
  );
});
