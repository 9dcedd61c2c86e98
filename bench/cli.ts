/** `npm run bench -- [flags]`: every figure the run uses, from flags with sane defaults. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { MODE_IDS, PROJECT_DIST, parseModes } from './modes.js';
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
}

export const USAGE = `npm run bench -- [options]

  --rounds N            measured rounds, each running every mode once (default 3)
  --duration S          seconds of load per mode and round (default 10)
  --warmup S            seconds per mode in the uncounted warm-up round (default 5; 0 = none)
  --connections N       concurrent connections (default 10)
  --modes a,b,...       subset of: ${MODE_IDS.join(', ')}
  --soak N              after the rounds, N requests per soak mode, RSS tracked (default 0 = off)
  --soak-modes a,b,...  modes to soak (default: headers-only,jaeger-udp,jaeger-http,otel)
  --flush-interval MS   reporter flush interval for jaeger-client and the OTel batch processor (default 1000)
  --flush-wait MS       longest wait for the last spans after each run (default 10000)
  --log-level L         LOG_LEVEL of the services (default info, as in production)
  --json FILE           also write every figure to FILE
  --profile DIR         run the services with --cpu-prof, profiles in DIR
  --dist DIR            the project build to run (default: dist/), e.g. to compare a change
  --inbound mesh|none   mesh (default): each request carries the x-request-id and B3 ids a
                        sidecar adds (no x-b3-sampled: the service's sampler decides); none: bare requests
  --help`;

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

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
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
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const modes = values.modes ? parseModes(values.modes) : [...MODE_IDS];
  return {
    modes,
    rounds: Math.floor(positive('rounds', values.rounds, 3)),
    durationS: positive('duration', values.duration, 10, 0.5),
    warmupS: positive('warmup', values.warmup, 5, 0),
    connections: Math.floor(positive('connections', values.connections, 10)),
    soak: Math.floor(positive('soak', values.soak, 0, 0)),
    soakModes: parseModes(
      values['soak-modes'] ?? 'headers-only,jaeger-udp,jaeger-http,otel',
    ).filter((id) => modes.includes(id)),
    flushIntervalMs: Math.floor(positive('flush-interval', values['flush-interval'], 1000, 10)),
    flushWaitMs: Math.floor(positive('flush-wait', values['flush-wait'], 10_000, 0)),
    logLevel: values['log-level'] ?? 'info',
    json: values.json,
    profileDir: values.profile,
    dist: resolve(values.dist ?? PROJECT_DIST),
    inbound: inboundOf(values.inbound),
  };
}
