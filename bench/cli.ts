/** `npm run bench -- [flags]`: every figure the run uses, from flags with sane defaults. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { MESH_MODE_IDS, MODES, MODE_IDS, PROJECT_DIST, parseModes } from './modes.js';
import type { ModeId } from './modes.js';

export interface BenchOptions {
  modes: ModeId[];
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  /** Requests per mode in the soak; 0 skips it. */
  soak: number;
  soakModes: ModeId[];
  flushIntervalMs: number;
  /** Longest wait after a run for the last spans to arrive. */
  flushWaitMs: number;
  logLevel: string;
  json: string | undefined;
  /** Directory for --cpu-prof profiles of the services (one per process). */
  profileDir: string | undefined;
  /** The project build under test (default: this checkout's dist/). */
  dist: string;
  /** Each request carries the sidecar's x-request-id and B3 ids ('mesh'), or nothing ('none'). */
  inbound: 'mesh' | 'none';
  /** The mesh modes' gateway port (the headers-only gateway and the internal ports follow). */
  meshPort: number;
  /** Loopback address of the mesh modes' stand-in Jaeger. */
  meshCollectorHost: string;
}

export const DEFAULTS = {
  rounds: 7,
  durationS: 6,
  warmupS: 4,
  connections: 10,
  flushIntervalMs: 1000,
  meshPort: 30480,
  meshCollectorHost: '127.0.0.10',
} as const;

/** --quick: every mode, one short round: a smoke run, not figures to quote. */
export const QUICK = { rounds: 1, durationS: 2, warmupS: 1 } as const;

/**
 * Wall-clock seconds a run takes, roughly: start-up, load, the wait after each run for the
 * reporters' last flushes (modes that must report nothing wait out the whole quiet period),
 * the soak, and the stop. Calibrated on the 2-core development machine.
 */
export function estimateSeconds(o: {
  modes: readonly ModeId[];
  rounds: number;
  durationS: number;
  warmupS: number;
  flushIntervalMs: number;
  soak?: number;
  soakModes?: readonly ModeId[];
}): number {
  const mesh = o.modes.some((id) => MESH_MODE_IDS.includes(id));
  const runs = o.rounds + (o.warmupS > 0 ? 1 : 0);
  let seconds = 8 + (mesh ? 12 : 0); // start-up and stop
  for (const id of o.modes) {
    const mode = MODES[id];
    seconds += o.warmupS + o.rounds * o.durationS;
    if (mode.sink)
      seconds +=
        runs *
        (mode.spansPerRequest > 0
          ? 1.2 * (o.flushIntervalMs / 1000)
          : (2 * o.flushIntervalMs + 600) / 1000);
  }
  // a soak runs at roughly 800 requests/s on 2 cores
  seconds += ((o.soak ?? 0) / 800) * (o.soakModes?.length ?? 0);
  return seconds;
}

const minutes = (seconds: number) =>
  seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;

export function usage(): string {
  const all = [...MODE_IDS];
  const full = estimateSeconds({ ...DEFAULTS, modes: all });
  const quick = estimateSeconds({ ...DEFAULTS, ...QUICK, modes: all });
  return `npm run bench -- [options]

How long: the default run (all ${all.length} modes, ${DEFAULTS.rounds} rounds × ${DEFAULTS.durationS} s after a ${DEFAULTS.warmupS} s warm-up)
takes about ${minutes(full)} (${minutes(all.length * (DEFAULTS.warmupS + DEFAULTS.rounds * DEFAULTS.durationS))} of it under load); --quick about ${minutes(quick)}.
Every run prints its own estimate first. Figures are CPU time per request of the services
(user + system, from /proc), next to throughput and p99; see docs/benchmark.md.

  --quick               ${QUICK.rounds} round × ${QUICK.durationS} s after a ${QUICK.warmupS} s warm-up: a smoke run (flags after it still apply)
  --rounds N            measured rounds, each running every mode once (default ${DEFAULTS.rounds})
  --duration S          seconds of load per mode and round (default ${DEFAULTS.durationS})
  --warmup S            seconds per mode in the uncounted warm-up round (default ${DEFAULTS.warmupS}; 0 = none)
  --connections N       concurrent connections (default ${DEFAULTS.connections})
  --modes a,b,...       subset of: ${MODE_IDS.join(', ')}
                        (mesh-*: behind the local Envoy mesh; they need Envoy, see npm run mesh)
  --soak N              after the rounds, N requests per soak mode, RSS tracked (default 0 = off)
  --soak-modes a,b,...  modes to soak (default: headers-only,jaeger-udp,jaeger-http,otel)
  --flush-interval MS   reporter flush interval for jaeger-client and the OTel batch processor
                        (default ${DEFAULTS.flushIntervalMs}; the mesh sets its own: services 500, Envoy 1000)
  --flush-wait MS       longest wait for the last spans after each run (default 10000)
  --log-level L         LOG_LEVEL of the services (default info, as in production)
  --json FILE           also write every figure to FILE
  --profile DIR         run the services with --cpu-prof, profiles in DIR (not the mesh modes)
  --dist DIR            the project build to run (default: dist/), e.g. to compare a change;
                        the mesh modes always run this checkout's dist/
  --inbound mesh|none   mesh (default): each request carries the x-request-id and B3 ids a
                        sidecar adds (no x-b3-sampled: the service's sampler decides); none: bare
                        requests. The mesh modes get those from their real gateway instead.
  --mesh-port N         the mesh modes' gateway port; they use N to N+${19} (default ${DEFAULTS.meshPort})
  --mesh-collector-host A  loopback address of the mesh's stand-in Jaeger, on Jaeger's ports
                        9411, 14268, 13133, 16686 (default ${DEFAULTS.meshCollectorHost})
  --help`;
}

function positive(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`--${name} must be a number >= ${min}`);
  return value;
}

function inboundOf(raw: string | undefined): 'mesh' | 'none' {
  if (raw === undefined || raw === 'mesh') return 'mesh';
  if (raw === 'none') return 'none';
  throw new Error('--inbound must be mesh or none');
}

function loopbackHost(raw: string | undefined): string {
  if (raw === undefined) return DEFAULTS.meshCollectorHost;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(raw))
    throw new Error('--mesh-collector-host must be a loopback address, 127.x.y.z');
  return raw;
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      modes: { type: 'string' },
      soak: { type: 'string' },
      'soak-modes': { type: 'string' },
      'flush-interval': { type: 'string' },
      'flush-wait': { type: 'string' },
      'log-level': { type: 'string' },
      json: { type: 'string' },
      profile: { type: 'string' },
      dist: { type: 'string' },
      inbound: { type: 'string' },
      'mesh-port': { type: 'string' },
      'mesh-collector-host': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const base = values.quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  const modes = values.modes ? parseModes(values.modes) : [...MODE_IDS];
  const meshPort = Math.floor(positive('mesh-port', values['mesh-port'], DEFAULTS.meshPort, 1024));
  if (meshPort + 19 > 65535) throw new Error('--mesh-port must leave 20 ports below 65536');
  return {
    modes,
    rounds: Math.floor(positive('rounds', values.rounds, base.rounds)),
    durationS: positive('duration', values.duration, base.durationS, 0.5),
    warmupS: positive('warmup', values.warmup, base.warmupS, 0),
    connections: Math.floor(positive('connections', values.connections, DEFAULTS.connections)),
    soak: Math.floor(positive('soak', values.soak, 0, 0)),
    soakModes: parseModes(
      values['soak-modes'] ?? 'headers-only,jaeger-udp,jaeger-http,otel',
    ).filter((id) => modes.includes(id)),
    flushIntervalMs: Math.floor(
      positive('flush-interval', values['flush-interval'], DEFAULTS.flushIntervalMs, 10),
    ),
    flushWaitMs: Math.floor(positive('flush-wait', values['flush-wait'], 10_000, 0)),
    logLevel: values['log-level'] ?? 'info',
    json: values.json,
    profileDir: values.profile,
    dist: resolve(values.dist ?? PROJECT_DIST),
    inbound: inboundOf(values.inbound),
    meshPort,
    meshCollectorHost: loopbackHost(values['mesh-collector-host']),
  };
}
