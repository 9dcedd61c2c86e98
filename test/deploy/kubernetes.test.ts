/**
 * The Kubernetes + Istio deployment: both overlays rendered by kustomize, every object
 * checked against its API schema, then the wiring that decides whether the demo works,
 * checked against each other and against the real app (started in-process with each
 * container's own environment).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type {
  IDestinationRule,
  IGateway,
  IVirtualService,
} from '@kubernetes-models/istio/networking.istio.io/v1';
import type { ITelemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer, INamespace, IProbe, IService } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { configFrom, get, startFromEnv } from './support/app.js';
import { runtimeEnv } from './support/dockerfile.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  INSTALL_COMMAND,
  findRenderer,
  lookupRenderer,
  parseObjects,
  renderGate,
  renderOverlay,
} from './support/kustomize.js';
import type { KubeObject } from './support/kustomize.js';
import { validateObject } from './support/models.js';
import { readRepoFile, repoPath } from './support/paths.js';
import { Recorder } from './support/recorder.js';

const SHAPES = ['opentracing', 'headers-only'] as const;
type Shape = (typeof SHAPES)[number];

type HttpRoute = NonNullable<NonNullable<IVirtualService['spec']>['http']>[number];
type HttpMatch = NonNullable<HttpRoute['match']>[number];
type StringMatch = { exact?: string; prefix?: string; regex?: string };

/** The image's own environment (Dockerfile ENV of the runtime stage): what a pod starts with. */
const imageEnv = runtimeEnv();

interface Rendered {
  shape: Shape;
  objects: KubeObject[];
  of<T>(kind: string): (T & KubeObject)[];
  named<T>(kind: string, name: string): T & KubeObject;
}

function rendered(shape: Shape): Rendered {
  const objects = renderOverlay(shape);
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as (T & KubeObject)[];
  return {
    shape,
    objects,
    of,
    named<T>(kind: string, name: string) {
      const found = of<T>(kind).find((o) => o.metadata.name === name);
      if (!found) throw new Error(`${shape}: no ${kind} named ${name}`);
      return found;
    },
  };
}

function containersOf(deployment: IDeployment): IContainer[] {
  return deployment.spec?.template.spec?.containers ?? [];
}

function podLabels(deployment: IDeployment): Record<string, string> {
  return deployment.spec?.template.metadata?.labels ?? {};
}

function envMap(container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of container.env ?? []) {
    if (name in env) throw new Error(`${container.name}: env ${name} is set twice`);
    if (value === undefined) throw new Error(`${container.name}: env ${name} has no literal value`);
    env[name] = value;
  }
  return env;
}

/** What the process sees: the image's ENV, overridden by the container's env. */
function processEnv(container: IContainer): Record<string, string> {
  return { ...imageEnv, ...envMap(container) };
}

const EXCLUDE_OUTBOUND_PORTS = 'traffic.sidecar.istio.io/excludeOutboundPorts';

/**
 * The port the app's span reports leave by, as the app reads its environment:
 * JAEGER_ENDPOINT's (HTTP, its scheme's default when the URL names none), else the
 * agent's (UDP).
 */
function reportingPort(env: Record<string, string>): number {
  const { endpoint, agentPort } = configFrom(env).jaeger;
  if (endpoint === undefined) return agentPort;
  const url = new URL(endpoint);
  if (url.port) return Number(url.port);
  if (url.protocol === 'http:') return 80;
  if (url.protocol === 'https:') return 443;
  throw new Error(`JAEGER_ENDPOINT ${endpoint}: no port, and no default for ${url.protocol}`);
}

function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The containerPort a probe or Service targetPort names (by name or number). */
function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  const ports = container.ports ?? [];
  if (typeof port === 'number') return ports.find((p) => p.containerPort === port)?.containerPort;
  return ports.find((p) => p.name === port)?.containerPort;
}

function matches(match: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (match.exact !== undefined) return value === match.exact;
  if (match.prefix !== undefined) return value.startsWith(match.prefix);
  // Envoy matches the whole value (RE2 full match)
  if (match.regex !== undefined) return new RegExp(`^(?:${match.regex})$`).test(value);
  return false;
}

/** The first route of a VirtualService whose match takes a request with these headers. */
function routeFor(
  vs: IVirtualService,
  headers: Record<string, string | undefined>,
): HttpRoute | undefined {
  return vs.spec?.http?.find(
    (route) =>
      !route.match?.length ||
      route.match.some((m: HttpMatch) =>
        Object.entries(m.headers ?? {}).every(([name, match]) =>
          matches(match as StringMatch, headers[name.toLowerCase()]),
        ),
      ),
  );
}

interface MeshConfig {
  spec?: {
    meshConfig?: {
      extensionProviders?: {
        name: string;
        zipkin?: { service: string; port: number };
        opentelemetry?: { service: string; port: number };
      }[];
      defaultProviders?: { tracing?: string[] };
    };
  };
}

const meshConfigText = readRepoFile('deploy', 'istio', 'mesh-config.yaml');
const meshConfig = parse(meshConfigText) as MeshConfig & KubeObject;

/**
 * Without kubectl or kustomize, outside CI, the tests that render are skipped with this
 * one notice (written once, plainly, not as a console.warn with a stack); in CI they run
 * and fail.
 */
const gate = renderGate();
if (!gate.run) process.stderr.write(`\n${gate.notice}\n\n`);
const describeRendered = gate.run ? describe : describe.skip;

describe('without a kustomize renderer', () => {
  let empty: string;
  beforeAll(() => {
    empty = mkdtempSync(path.join(tmpdir(), 'no-kustomize-'));
  });
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  /** PATH and the tool cache (which may hold a kubectl of its own) both empty. */
  const bare = (ci?: string) => ({ PATH: empty, HELLO_APP_CACHE: empty, CI: ci });

  it('finds none where neither PATH nor the tool cache has one, and says how to install one', () => {
    const result = lookupRenderer(bare());
    expect(result).toEqual({ missing: expect.stringContaining(INSTALL_COMMAND) });
    expect(result).toEqual({ missing: expect.stringContaining(path.join(empty, 'bin')) });
  });

  it('skips the rendering tests outside CI, with one notice naming the install command', () => {
    for (const ci of [undefined, '', 'false', '0']) {
      const result = renderGate(bare(ci));
      expect(result).toEqual({ run: false, notice: expect.stringContaining(INSTALL_COMMAND) });
    }
  });

  it('runs (and so fails) them in CI, never skips', () => {
    for (const ci of ['true', '1', 'TRUE', 'yes'])
      expect(renderGate(bare(ci))).toEqual({ run: true });
  });
});

describeRendered('kustomize', () => {
  it('is available to render the overlays', () => {
    // in CI fails (never skips) with how to install it: bash scripts/install-kubectl.sh
    expect(findRenderer().description).toMatch(/kustomize/);
  });
});

describeRendered.each(SHAPES)('deploy/overlays/%s', (shape) => {
  const namespace = `hello-${shape}`;
  let r: Rendered;

  beforeAll(() => {
    r = rendered(shape);
  });

  it('renders objects that all match their (current) API schemas', () => {
    expect(r.objects.length).toBeGreaterThan(0);
    for (const object of r.objects) validateObject(object);
    const kinds = r.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        `Namespace/${namespace}`,
        'ServiceAccount/hello',
        'ServiceAccount/formatter',
        'Service/hello',
        'Service/formatter',
        'Deployment/hello-v1',
        'Deployment/formatter-v1',
        'Deployment/formatter-v2',
        'Gateway/hello-gateway',
        'VirtualService/hello',
        'VirtualService/formatter',
        'DestinationRule/formatter',
        'Telemetry/hello-tracing',
      ].sort(),
    );
  });

  it('lives in its own namespace, with sidecar injection on', () => {
    const ns = r.named<INamespace>('Namespace', namespace);
    expect(ns.metadata.labels?.['istio-injection']).toBe('enabled');
    for (const object of r.objects.filter((o) => o.kind !== 'Namespace'))
      expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
        `${object.kind}/${object.metadata.name} in ${namespace}`,
      );
  });

  it('labels every Deployment and pod with app and version, and selects its own pods', () => {
    for (const d of r.of<IDeployment>('Deployment')) {
      const labels = podLabels(d);
      expect(labels['app']).toMatch(/^(hello|formatter)$/);
      expect(labels['version']).toMatch(/^v\d+$/);
      expect(d.metadata.labels).toMatchObject({ app: labels['app'], version: labels['version'] });
      expect(selects(d.spec?.selector.matchLabels, labels)).toBe(true);
      expect(d.spec?.template.spec?.serviceAccountName).toBe(labels['app']);
      r.named('ServiceAccount', labels['app'] as string);
    }
  });

  it('puts each Service in front of its pods, on a port named http that is the container port', () => {
    for (const service of r.of<IService>('Service')) {
      const pods = r
        .of<IDeployment>('Deployment')
        .filter((d) => selects(service.spec?.selector, podLabels(d)));
      expect(pods.length).toBeGreaterThan(0);
      const ports = service.spec?.ports ?? [];
      expect(ports.map((p) => p.name)).toEqual(['http']);
      for (const d of pods) {
        const container = containersOf(d)[0] as IContainer;
        const target = resolvePort(container, ports[0]?.targetPort ?? ports[0]?.port);
        expect(target).toBeDefined();
        // the app listens where the Service sends traffic
        expect(processEnv(container)['PORT']).toBe(String(target));
      }
    }
    // formatter's Service selects both versions; the DestinationRule's subsets split them
    const formatterPods = r
      .of<IDeployment>('Deployment')
      .filter((d) =>
        selects(r.named<IService>('Service', 'formatter').spec?.selector, podLabels(d)),
      );
    expect(formatterPods.map((d) => podLabels(d)['version']).sort()).toEqual(['v1', 'v2']);
  });

  it('runs every container non-root, read-only, unprivileged, with requests and limits', () => {
    const dockerUser = /^USER\s+(\d+)/m.exec(readRepoFile('Dockerfile'))?.[1];
    for (const d of r.of<IDeployment>('Deployment')) {
      const pod = d.spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBe(Number(dockerUser));
      expect(pod?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(
        JSON.parse(d.spec?.template.metadata?.annotations?.['proxy.istio.io/config'] ?? '{}'),
      ).toEqual({
        holdApplicationUntilProxyStarts: true,
      });
      const containers = containersOf(d);
      expect(containers).toHaveLength(1);
      for (const c of containers) {
        expect(c.image).toMatch(/^(.+\/)?hello-app(:[\w.-]+)?$/);
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext?.privileged).not.toBe(true);
        for (const kind of ['requests', 'limits'] as const)
          expect(Object.keys(c.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('gives every container an environment the app accepts, in this shape', () => {
    for (const d of r.of<IDeployment>('Deployment')) {
      for (const c of containersOf(d)) {
        const env = processEnv(c);
        const config = configFrom(env);
        expect(config.appName).toBe(podLabels(d)['app']);
        expect(config.tracingMode).toBe(shape);
        expect((c.env ?? []).filter((e) => e.name === 'TRACING_MODE')).toHaveLength(1);
        // spans leave by HTTP to the addon's collector (it has no UDP agent port)
        const endpoint = new URL(env['JAEGER_ENDPOINT'] ?? 'missing:');
        expect(`${endpoint.hostname}:${endpoint.port}${endpoint.pathname}`).toBe(
          'jaeger-collector.istio-system:14268/api/traces',
        );
        expect(env['JAEGER_AGENT_PORT']).toBeUndefined();
        if (config.appName === 'formatter')
          expect(config.professor).toBe(podLabels(d)['version'] === 'v2');
      }
    }
  });

  it("keeps every pod's span reports out of its sidecar: excludeOutboundPorts is the reporting port", () => {
    // Through Envoy, each POST to the collector would itself be traced (100 % sampling): a
    // noise trace under the workload's mesh name per flush. In the headers-only shape
    // nothing reports, and the base's annotation keeps both shapes' pods alike.
    const servicePorts = r
      .of<IService>('Service')
      .flatMap((service) => (service.spec?.ports ?? []).map((p) => p.port));
    for (const d of r.of<IDeployment>('Deployment')) {
      const container = containersOf(d)[0] as IContainer;
      const excluded = (d.spec?.template.metadata?.annotations?.[EXCLUDE_OUTBOUND_PORTS] ?? '')
        .split(',')
        .map((port) => port.trim())
        .filter(Boolean);
      expect({ deployment: d.metadata.name, excluded }).toEqual({
        deployment: d.metadata.name,
        excluded: [String(reportingPort(processEnv(container)))],
      });
      // the calls the mesh routes (hello to formatter) still go through Envoy
      for (const port of servicePorts) expect(excluded).not.toContain(String(port));
    }
  });

  it('points hello at the formatter Service, on its port', () => {
    const hello = containersOf(r.named<IDeployment>('Deployment', 'hello-v1'))[0] as IContainer;
    const config = configFrom(processEnv(hello));
    const service = r.named<IService>('Service', config.formatterHost);
    expect(service.spec?.ports?.map((p) => p.port)).toContain(config.formatterPort);
  });

  it('probes paths the app answers, on the container port', async () => {
    for (const d of r.of<IDeployment>('Deployment')) {
      const container = containersOf(d)[0] as IContainer;
      const probes = { liveness: container.livenessProbe, readiness: container.readinessProbe };
      expect(probes.liveness?.httpGet?.path).toBe('/health');
      expect(probes.readiness?.httpGet?.path).toBe('/ready');
      const service = await startFromEnv(processEnv(container));
      try {
        for (const probe of Object.values(probes) as IProbe[]) {
          expect(resolvePort(container, probe.httpGet?.port)).toBe(8080);
          const answer = await get(`${service.url}${probe.httpGet?.path}`);
          expect({ path: probe.httpGet?.path, status: answer.status }).toEqual({
            path: probe.httpGet?.path,
            status: 200,
          });
        }
      } finally {
        await service.stop();
      }
    }
  });

  it('labels formatter pods by the greeting they serve (the subsets route on it)', async () => {
    const greetings: Record<string, string> = {};
    for (const d of r
      .of<IDeployment>('Deployment')
      .filter((d) => podLabels(d)['app'] === 'formatter')) {
      const service = await startFromEnv(processEnv(containersOf(d)[0] as IContainer));
      try {
        greetings[podLabels(d)['version'] as string] = (
          await get(`${service.url}/formatGreeting?name=Fry`)
        ).text;
      } finally {
        await service.stop();
      }
    }
    expect(greetings['v1']).toContain('Hello, puny human Fry');
    expect(greetings['v2']).toContain('Good news, Fry');
  });

  it('splits formatter into subsets v1 and v2 that each select exactly one Deployment', () => {
    const rule = r.named<IDestinationRule>('DestinationRule', 'formatter');
    expect(rule.spec?.host).toBe('formatter');
    r.named('Service', rule.spec?.host as string);
    const subsets = rule.spec?.subsets ?? [];
    expect(subsets.map((s) => s.name).sort()).toEqual(['v1', 'v2']);
    for (const subset of subsets) {
      const pods = r
        .of<IDeployment>('Deployment')
        .filter((d) => podLabels(d)['app'] === 'formatter' && selects(subset.labels, podLabels(d)));
      expect(pods.map((d) => podLabels(d)['version'])).toEqual([subset.name]);
    }
  });

  it('routes baggage-user-agent ~ .*Netscape.* to v2 and everything else to v1', () => {
    const vs = r.named<IVirtualService>('VirtualService', 'formatter');
    expect(vs.spec?.hosts).toEqual(['formatter']);
    const rule = vs.spec?.http?.[0]?.match?.[0]?.headers?.['baggage-user-agent'] as
      StringMatch | undefined;
    expect(rule?.regex).toBe('.*Netscape.*');
    const subsetFor = (userAgent: string | undefined) =>
      routeFor(vs, { 'baggage-user-agent': userAgent })?.route?.map((d) => d.destination.subset);
    expect(subsetFor('Mozilla/4.0 (compatible; Netscape 4.7)')).toEqual(['v2']);
    expect(subsetFor('Netscape')).toEqual(['v2']);
    expect(subsetFor('curl/8.5.0')).toEqual(['v1']);
    expect(subsetFor(undefined)).toEqual(['v1']);
    const declared = (
      r.named<IDestinationRule>('DestinationRule', 'formatter').spec?.subsets ?? []
    ).map((s) => s.name);
    for (const route of vs.spec?.http ?? [])
      for (const { destination } of route.route ?? []) {
        expect(destination.host).toBe('formatter');
        expect(declared).toContain(destination.subset);
      }
  });

  it(
    shape === 'opentracing'
      ? "sends v2 a Netscape browser's request: the routing matches the header hello really sends"
      : 'sends every request to v1: without spans there is no baggage to route on',
    async () => {
      const vs = r.named<IVirtualService>('VirtualService', 'formatter');
      const formatter = await new Recorder('Good news, Fry!\n').start();
      const collector = await new Recorder().start();
      const container = containersOf(
        r.named<IDeployment>('Deployment', 'hello-v1'),
      )[0] as IContainer;
      const hello = await startFromEnv(processEnv(container), {
        JAEGER_DISABLED: 'false',
        JAEGER_ENDPOINT: `http://127.0.0.1:${collector.port}/api/traces`,
        formatter_host: '127.0.0.1',
        formatter_port: String(formatter.port),
      });
      try {
        const netscape = 'Mozilla/4.0 (compatible; Netscape 4.7)';
        const answer = await fetch(`${hello.url}/sayHello/Fry`, {
          headers: { 'user-agent': netscape },
        });
        expect(answer.status).toBe(200);
        const sent = formatter.requests[0]?.headers ?? {};
        const subset = routeFor(vs, sent as Record<string, string>)?.route?.[0]?.destination.subset;
        expect({ subset, header: sent['baggage-user-agent'] }).toEqual(
          shape === 'opentracing'
            ? { subset: 'v2', header: netscape }
            : { subset: 'v1', header: undefined },
        );
      } finally {
        await hello.stop();
        await formatter.stop();
        await collector.stop();
      }
    },
  );

  it('exposes /sayHello and /sayHello2 on its own host at the ingress gateway', async () => {
    const gateway = r.named<IGateway>('Gateway', 'hello-gateway');
    expect(gateway.spec?.selector).toEqual({ istio: 'ingressgateway' });
    const server = gateway.spec?.servers?.[0];
    expect(server?.port).toMatchObject({ number: 80, protocol: 'HTTP' });
    expect(server?.hosts).toEqual([`${shape}.hello.local`]);

    const vs = r.named<IVirtualService>('VirtualService', 'hello');
    expect(vs.spec?.gateways).toEqual(['hello-gateway']);
    expect(vs.spec?.hosts).toEqual(server?.hosts);
    const route = vs.spec?.http?.[0];
    const helloService = r.named<IService>('Service', 'hello');
    expect(route?.route?.map((d) => d.destination)).toEqual([
      { host: 'hello', port: { number: helloService.spec?.ports?.[0]?.port } },
    ]);
    const prefixes = (route?.match ?? []).map((m) => m.uri?.prefix);
    expect(prefixes.sort()).toEqual(['/sayHello/', '/sayHello2/']);

    // the app serves what the gateway exposes
    const formatter = await new Recorder('Hello, puny human Bender!\n').start();
    const container = containersOf(r.named<IDeployment>('Deployment', 'hello-v1'))[0] as IContainer;
    const hello = await startFromEnv(processEnv(container), {
      formatter_host: '127.0.0.1',
      formatter_port: String(formatter.port),
    });
    try {
      for (const prefix of prefixes) {
        const answer = await get(`${hello.url}${prefix}Bender`);
        expect({ prefix, status: answer.status }).toEqual({ prefix, status: 200 });
      }
    } finally {
      await hello.stop();
      await formatter.stop();
    }
  });

  it('samples every request, through the provider the mesh config defines', () => {
    const telemetry = r.named<ITelemetry>('Telemetry', 'hello-tracing');
    const tracing = telemetry.spec?.tracing ?? [];
    expect(tracing.map((t) => t.randomSamplingPercentage)).toEqual([100]);
    const defined = (meshConfig.spec?.meshConfig?.extensionProviders ?? []).map((p) => p.name);
    for (const t of tracing) for (const p of t.providers ?? []) expect(defined).toContain(p.name);
  });

  it('propagates the header format the mesh provider speaks (zipkin: B3; OpenTelemetry: W3C)', () => {
    const providers = meshConfig.spec?.meshConfig?.extensionProviders ?? [];
    const used =
      r
        .named<ITelemetry>('Telemetry', 'hello-tracing')
        .spec?.tracing?.flatMap((t) => t.providers ?? []) ?? [];
    const names = used.length
      ? used.map((p) => p.name)
      : (meshConfig.spec?.meshConfig?.defaultProviders?.tracing ?? []);
    expect(names.length).toBeGreaterThan(0);
    for (const d of r.of<IDeployment>('Deployment')) {
      const propagation = configFrom(processEnv(containersOf(d)[0] as IContainer)).jaeger
        .propagation;
      for (const name of names) {
        const provider = providers.find((p) => p.name === name);
        if (provider?.zipkin) expect(propagation).toContain('b3');
        else if (provider?.opentelemetry) expect(propagation).toContain('w3c');
        else throw new Error(`tracing provider ${name} is neither zipkin nor opentelemetry`);
      }
    }
  });
});

describeRendered('both overlays side by side', () => {
  it('claim different namespaces and different hosts on the one ingress gateway', () => {
    const [a, b] = SHAPES.map(rendered) as [Rendered, Rendered];
    const hosts = (x: Rendered) =>
      x
        .of<IGateway>('Gateway')
        .flatMap((g) => g.spec?.servers?.flatMap((s) => s.hosts ?? []) ?? []);
    expect(hosts(a).filter((h) => hosts(b).includes(h))).toEqual([]);
    const namespaces = (x: Rendered) =>
      new Set(x.objects.map((o) => o.metadata.namespace ?? o.metadata.name));
    expect([...namespaces(a)].filter((n) => namespaces(b).has(n))).toEqual([]);
  });
});

describe('deploy/istio/mesh-config.yaml', () => {
  it("is an IstioOperator that sends the sidecars' spans to Jaeger's Zipkin port", () => {
    const [object] = parseObjects(meshConfigText, 'deploy/istio/mesh-config.yaml');
    validateObject(object as KubeObject);
    const mesh = meshConfig.spec?.meshConfig;
    const zipkin = mesh?.extensionProviders?.find((p) => p.zipkin);
    expect(zipkin?.zipkin?.service).toMatch(
      /^jaeger-collector\.istio-system(\.svc(\.cluster\.local)?)?$/,
    );
    expect(zipkin?.zipkin?.port).toBe(9411);
    expect(mesh?.defaultProviders?.tracing).toEqual([zipkin?.name]);
    // the note for anyone switching to the OpenTelemetry provider
    expect(meshConfigText).toMatch(/traceparent/);
    expect(meshConfigText).toMatch(/JAEGER_PROPAGATION=w3c/);
  });
});

describe('the commands a user runs', () => {
  const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> })
    .scripts;
  const all = Object.values(scripts).join('\n');

  it('name overlays and scripts that exist', () => {
    for (const [, dir] of all.matchAll(/(deploy\/overlays\/[\w-]+)/g))
      expect(existsSync(repoPath(dir as string))).toBe(true);
    for (const [, file] of all.matchAll(/(scripts\/[\w/.-]+\.sh)/g))
      expect(existsSync(repoPath(file as string))).toBe(true);
    expect(all).toContain('docker build -t hello-app .');
  });

  it('has shell scripts bash can parse', () => {
    for (const file of [
      'scripts/k8s/hello-k8s.sh',
      'scripts/install-kubectl.sh',
      'scripts/node24.sh',
    ]) {
      const result = spawnSync('bash', ['-n', repoPath(file)], { encoding: 'utf8' });
      expect({ file, status: result.status, stderr: result.stderr }).toEqual({
        file,
        status: 0,
        stderr: '',
      });
    }
  });
});
