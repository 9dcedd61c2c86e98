/**
 * `npm run compare` with no --a/--b: the latest instrumented trace and the latest
 * headers-only trace of the same route, from the local mesh (`npm run mesh`). Its Envoys
 * report under Istio's names, `<app>.<namespace>`, so each shape is found by its hello
 * sidecar's service. choosePair() decides from search answers alone, so the tests pin
 * every case without a Jaeger.
 */
import { comparePair, SEARCH_LIMIT, startOf } from './compare.js';
import type { Comparison } from './compare.js';
import type { JaegerTrace, QuerySpan } from './jaeger-api.js';
import type { JaegerQuery } from './jaeger-query.js';
import { DEFAULT_LOOKBACK_MS } from './selector.js';

export interface MeshShape {
  /** How the output names the shape. */
  name: 'instrumented' | 'headers-only';
  /** Its hello sidecar's service name in Jaeger: every request of the shape passes it. */
  service: string;
  /** The variable that moves `npm run mesh`'s gateway port for the shape, and its default. */
  portVariable: 'MESH_PORT' | 'MESH_HEADERS_ONLY_PORT';
  defaultPort: number;
}

export const INSTRUMENTED: MeshShape = {
  name: 'instrumented',
  service: 'hello.hello-opentracing',
  portVariable: 'MESH_PORT',
  defaultPort: 8080,
};
export const HEADERS_ONLY: MeshShape = {
  name: 'headers-only',
  service: 'hello.hello-headers-only',
  portVariable: 'MESH_HEADERS_ONLY_PORT',
  defaultPort: 8090,
};

export type Env = Readonly<Record<string, string | undefined>>;

/** Where `npm run mesh` serves the shape through its gateway, read from the same variables. */
function gatewayUrl(shape: MeshShape, env: Env): string {
  const port = Number(env[shape.portVariable]);
  return `http://localhost:${Number.isInteger(port) && port > 0 ? port : shape.defaultPort}`;
}
const GATEWAY_SERVICE = 'istio-ingressgateway.istio-system';

/** hello's routes; Envoy names every span `host:port/*`, so only the URL tells them apart. */
const ROUTES = [
  { route: 'GET /sayHello/:name', prefix: '/sayHello/', example: '/sayHello/Bender' },
  { route: 'GET /sayHello2/:name', prefix: '/sayHello2/', example: '/sayHello2/Leela' },
] as const;
export type Route = (typeof ROUTES)[number]['route'];

/** Envoy tags the URL `http.url` with either tracer; `url.full` is OpenTelemetry's newer name. */
const URL_TAGS = ['http.url', 'url.full'];

function pathOf(span: QuerySpan): string | undefined {
  for (const tag of span.tags) {
    if (!URL_TAGS.includes(tag.key) || typeof tag.value !== 'string') continue;
    try {
      // a full URL or just a path: both resolve against a placeholder base
      return new URL(tag.value, 'http://path.invalid').pathname;
    } catch {
      // not a URL: try the next tag
    }
  }
  return undefined;
}

/** The route of a trace, from the URL of its gateway span or else its hello sidecar's span. */
export function routeOf(trace: JaegerTrace, shape: MeshShape): Route | undefined {
  const entry = [GATEWAY_SERVICE, shape.service];
  const spans = trace.spans
    .filter((span) => entry.includes(trace.processes[span.processID]?.serviceName ?? ''))
    .sort((x, y) => x.startTime - y.startTime);
  for (const span of spans) {
    const path = pathOf(span);
    // the sidecar's outbound span (to formatter) has a URL too, of no hello route
    const found = path === undefined ? undefined : ROUTES.find((r) => path.startsWith(r.prefix));
    if (found) return found.route;
  }
  return undefined;
}

/** A shape with no trace to compare; with a route when only that route lacks one. */
export interface Missing {
  shape: MeshShape;
  route?: Route;
}

export type PairChoice =
  | {
      kind: 'pair';
      route: Route;
      instrumented: JaegerTrace;
      headersOnly: JaegerTrace;
      /** The newest headers-only trace's route, when no instrumented trace had it. */
      passedOver?: Route;
    }
  | { kind: 'missing'; missing: Missing[] };

function newestFirst(traces: readonly JaegerTrace[], shape: MeshShape) {
  return traces
    .flatMap((trace) => {
      const route = routeOf(trace, shape);
      return route ? [{ trace, route }] : [];
    })
    .sort((x, y) => startOf(y.trace) - startOf(x.trace));
}

/** Picks the pair from the two searches' answers, which come in no promised order. */
export function choosePair(
  instrumented: readonly JaegerTrace[],
  headersOnly: readonly JaegerTrace[],
): PairChoice {
  const a = newestFirst(instrumented, INSTRUMENTED);
  const b = newestFirst(headersOnly, HEADERS_ONLY);
  const newestB = b[0];
  if (!newestB || !a.length) {
    const missing = [...(b.length ? [] : [HEADERS_ONLY]), ...(a.length ? [] : [INSTRUMENTED])];
    return { kind: 'missing', missing: missing.map((shape) => ({ shape })) };
  }
  // the newest headers-only trace decides the route; the other route is the fallback
  for (const candidate of b) {
    const match = a.find(({ route }) => route === candidate.route);
    if (!match) continue;
    const pair = {
      kind: 'pair' as const,
      route: match.route,
      instrumented: match.trace,
      headersOnly: candidate.trace,
    };
    return match.route === newestB.route ? pair : { ...pair, passedOver: newestB.route };
  }
  return { kind: 'missing', missing: [{ shape: INSTRUMENTED, route: newestB.route }] };
}

/** Exactly what to run so that there is something to compare. */
export function missingMessage({ shape, route }: Missing, jaeger: string, env: Env = {}): string {
  const { example } = ROUTES.find((r) => r.route === route) ?? ROUTES[0];
  const curl = `curl ${gatewayUrl(shape, env)}${example}`;
  if (!route) {
    return `no ${shape.name} trace in Jaeger at ${jaeger} yet. Start the mesh (npm run mesh) and send one: ${curl}`;
  }
  return `no ${shape.name} trace of ${route} in Jaeger at ${jaeger} yet, to pair with the headers-only one. Send one (with npm run mesh running): ${curl}`;
}

export type LatestPair =
  | { kind: 'compared'; comparison: Comparison; notes: string[] }
  | { kind: 'nothing'; messages: string[] };

/** Searches both shapes' recent traces and compares the chosen pair: A instrumented, B headers-only. */
export async function compareLatestPair(client: JaegerQuery, env: Env = {}): Promise<LatestPair> {
  const search = (shape: MeshShape) =>
    client.search({ service: shape.service, lookbackMs: DEFAULT_LOOKBACK_MS, limit: SEARCH_LIMIT });
  const [instrumented, headersOnly] = await Promise.all([
    search(INSTRUMENTED),
    search(HEADERS_ONLY),
  ]);
  const choice = choosePair(instrumented, headersOnly);
  if (choice.kind === 'missing') {
    return {
      kind: 'nothing',
      messages: choice.missing.map((missing) => missingMessage(missing, client.baseUrl, env)),
    };
  }
  const comparison = comparePair(
    client.baseUrl,
    { selected: `latest instrumented trace of ${choice.route}`, trace: choice.instrumented },
    { selected: `latest headers-only trace of ${choice.route}`, trace: choice.headersOnly },
    client.apiInUse(),
  );
  const notes = choice.passedOver
    ? [
        `the latest headers-only trace is of ${choice.passedOver}, which has no instrumented trace yet: comparing ${choice.route}`,
      ]
    : [];
  return { kind: 'compared', comparison, notes };
}
