/**
 * The shapes of the chain the bench compares, each started the same way: formatter,
 * then hello pointed at it, on loopback ports, the same log level and flush interval.
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
] as const;
export type ModeId = (typeof MODE_IDS)[number];

export interface Mode {
  id: ModeId;
  title: string;
  /** Spans one request makes when sampled; 0 when the mode reports none. */
  spansPerRequest: number;
  /** Where its spans go; undefined when it makes none. */
  sink: SinkKind | undefined;
  /** What both services run: the project's build (`--dist`), the OpenTelemetry peer, or the bare pair. */
  app: 'project' | 'otel-peer' | 'bare';
  /** Environment of this mode (on top of app_name, ports, log level, the sink's env). */
  env: Record<string, string>;
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

export const MODES: Readonly<Record<ModeId, Mode>> = {
  'headers-only': {
    id: 'headers-only',
    title: 'headers-only (floor: no application spans)',
    spansPerRequest: 0,
    sink: undefined,
    app: 'project',
    env: { TRACING_MODE: 'headers-only' },
  },
  'jaeger-udp': {
    id: 'jaeger-udp',
    title: 'opentracing, 100 % sampled, UDP agent',
    // hello: server + client span; formatter: server + in-process span
    spansPerRequest: 4,
    sink: 'jaeger-udp',
    app: 'project',
    env: { TRACING_MODE: 'opentracing', ...SAMPLE_ALL },
  },
  'jaeger-http': {
    id: 'jaeger-http',
    title: 'opentracing, 100 % sampled, HTTP collector',
    spansPerRequest: 4,
    sink: 'jaeger-http',
    app: 'project',
    env: { TRACING_MODE: 'opentracing', ...SAMPLE_ALL },
  },
  'jaeger-unsampled': {
    id: 'jaeger-unsampled',
    title: 'opentracing, sampling off (const 0)',
    spansPerRequest: 0,
    // the spans are made but not sampled: the agent must receive nothing
    sink: 'jaeger-udp',
    app: 'project',
    env: { TRACING_MODE: 'opentracing', JAEGER_SAMPLER_TYPE: 'const', JAEGER_SAMPLER_PARAM: '0' },
  },
  otel: {
    id: 'otel',
    title: 'OpenTelemetry SDK peer (auto-instrumented), OTLP/HTTP',
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
    spansPerRequest: 0,
    sink: undefined,
    app: 'bare',
    env: {},
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
