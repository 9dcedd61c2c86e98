/**
 * The shapes of the chain the bench compares. The first six are the chain alone, each
 * started the same way (formatter, then hello pointed at it, on loopback ports, the same
 * log level and flush interval); the mesh modes are the same services behind the local
 * Envoy mesh (`startMesh`: an ingress gateway and a sidecar per workload), driven through
 * the gateway, as a user of a mesh runs them.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SinkKind } from './sinks/servers.js';

export const MODE_IDS = [
  'headers-only',
  'jaeger-udp',
  'jaeger-http',
  'jaeger-unsampled',
  'otel',
  'bare',
  'mesh-headers-only',
  'mesh-jaeger-http',
  'mesh-headers-only-unsampled',
  'mesh-unsampled',
] as const;
export type ModeId = (typeof MODE_IDS)[number];

/** The modes that run behind the local Envoy mesh (one mesh, started once, serves them all). */
export const MESH_MODE_IDS: readonly ModeId[] = [
  'mesh-headers-only',
  'mesh-jaeger-http',
  'mesh-headers-only-unsampled',
  'mesh-unsampled',
];
export const isMeshMode = (id: ModeId): boolean => MESH_MODE_IDS.includes(id);

export interface MeshRoute {
  /** Which of the mesh's two shapes the gateway sends the request to. */
  shape: 'instrumented' | 'headers-only';
  /** Headers the client sends (the gateway adds x-request-id and the B3 ids itself). */
  headers: Record<string, string>;
}

export interface Mode {
  id: ModeId;
  title: string;
  /** The row every ratio of this mode is taken against. */
  floor: ModeId;
  /** Spans one request makes when sampled (the services' and, in the mesh, Envoy's); 0 when none are reported. */
  spansPerRequest: number;
  /** Where its spans go; undefined when it makes none. */
  sink: SinkKind | undefined;
  /** What the services run: the project's build (`--dist`), the OpenTelemetry peer, the bare pair, or the mesh (dist/). */
  app: 'project' | 'otel-peer' | 'bare' | 'mesh';
  /** Environment of this mode (on top of app_name, ports, log level, the sink's env); not for the mesh, which sets its own. */
  env: Record<string, string>;
  /** For the mesh modes: the shape and the client's headers. */
  mesh?: MeshRoute;
}

/** The project's production build, which `npm run bench` builds first. */
export const PROJECT_DIST = fileURLToPath(new URL('../../../../dist', import.meta.url));
const PEER_ENTRY = fileURLToPath(new URL('./peer/main.js', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('./bare/main.js', import.meta.url));

/** The script a mode's services run; `dist` is the project build under test. */
export function entryOf(mode: Mode, dist: string): string {
  if (mode.app === 'otel-peer') return PEER_ENTRY;
  if (mode.app === 'bare') return BARE_ENTRY;
  return join(dist, 'main.js');
}

const SAMPLE_ALL = { JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '1' };

/**
 * Envoy's spans per request in the mesh: the gateway's SERVER and CLIENT span, hello's
 * sidecar inbound (SERVER) and outbound (CLIENT), formatter's sidecar inbound (SERVER).
 */
export const ENVOY_SPANS_PER_REQUEST = 5;
/** hello: server + client span; formatter: server + in-process span. */
export const APP_SPANS_PER_REQUEST = 4;

export const MODES: Readonly<Record<ModeId, Mode>> = {
  'headers-only': {
    id: 'headers-only',
    title: 'headers-only (floor: no application spans)',
    floor: 'headers-only',
    spansPerRequest: 0,
    sink: undefined,
    app: 'project',
    env: { TRACING_MODE: 'headers-only' },
  },
  'jaeger-udp': {
    id: 'jaeger-udp',
    title: 'instrumented, 100 % sampled, UDP agent',
    floor: 'headers-only',
    spansPerRequest: APP_SPANS_PER_REQUEST,
    sink: 'jaeger-udp',
    app: 'project',
    env: { TRACING_MODE: 'instrumented', ...SAMPLE_ALL },
  },
  'jaeger-http': {
    id: 'jaeger-http',
    title: 'instrumented, 100 % sampled, HTTP collector',
    floor: 'headers-only',
    spansPerRequest: APP_SPANS_PER_REQUEST,
    sink: 'jaeger-http',
    app: 'project',
    env: { TRACING_MODE: 'instrumented', ...SAMPLE_ALL },
  },
  'jaeger-unsampled': {
    id: 'jaeger-unsampled',
    title: 'instrumented, sampling off (const 0)',
    floor: 'headers-only',
    spansPerRequest: 0,
    // the spans are made but not sampled: the agent must receive nothing
    sink: 'jaeger-udp',
    app: 'project',
    env: { TRACING_MODE: 'instrumented', JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '0' },
  },
  otel: {
    id: 'otel',
    title: 'OpenTelemetry SDK peer (auto-instrumented), OTLP/HTTP',
    floor: 'headers-only',
    // per service: the http server span, express's span for the request-scope middleware
    // and for the route handler; plus hello's http client span and formatter's in-process one
    spansPerRequest: 8,
    sink: 'otlp-http',
    app: 'otel-peer',
    env: {},
  },
  bare: {
    id: 'bare',
    title: 'bare node:http pair (physical limit)',
    floor: 'headers-only',
    spansPerRequest: 0,
    sink: undefined,
    app: 'bare',
    env: {},
  },
  'mesh-headers-only': {
    id: 'mesh-headers-only',
    title: 'mesh: headers-only shape behind gateway + sidecars (mesh floor: Envoy spans only)',
    floor: 'mesh-headers-only',
    spansPerRequest: ENVOY_SPANS_PER_REQUEST,
    sink: 'mesh',
    app: 'mesh',
    env: {},
    mesh: { shape: 'headers-only', headers: {} },
  },
  'mesh-jaeger-http': {
    id: 'mesh-jaeger-http',
    title: "mesh: instrumented shape, the mesh's decision (100 %) followed, HTTP collector",
    floor: 'mesh-headers-only',
    spansPerRequest: ENVOY_SPANS_PER_REQUEST + APP_SPANS_PER_REQUEST,
    sink: 'mesh',
    app: 'mesh',
    env: {},
    mesh: { shape: 'instrumented', headers: {} },
  },
  'mesh-headers-only-unsampled': {
    id: 'mesh-headers-only-unsampled',
    title:
      'mesh: headers-only shape, the request arrives with x-b3-sampled: 0 (the unsampled mesh floor)',
    floor: 'mesh-headers-only-unsampled',
    spansPerRequest: 0,
    sink: 'mesh',
    app: 'mesh',
    env: {},
    mesh: { shape: 'headers-only', headers: { 'x-b3-sampled': '0' } },
  },
  'mesh-unsampled': {
    id: 'mesh-unsampled',
    title: 'mesh: instrumented shape, the request arrives with x-b3-sampled: 0 (nobody reports)',
    // against the same request to the headers-only shape: Envoy reports nothing in either
    floor: 'mesh-headers-only-unsampled',
    spansPerRequest: 0,
    // Envoy and the services follow the inbound decision: the collector must receive nothing
    sink: 'mesh',
    app: 'mesh',
    env: {},
    mesh: { shape: 'instrumented', headers: { 'x-b3-sampled': '0' } },
  },
};

/** Parses a comma list of mode ids, keeping the canonical order. */
export function parseModes(raw: string): ModeId[] {
  const wanted = raw.split(',').map((s) => s.trim());
  for (const id of wanted)
    if (!(MODE_IDS as readonly string[]).includes(id))
      throw new Error(`unknown mode "${id}"; modes: ${MODE_IDS.join(', ')}`);
  return MODE_IDS.filter((id) => wanted.includes(id));
}
