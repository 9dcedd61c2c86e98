/**
 * Every environment variable the services read, in one place: typed, defaulted and
 * validated. Anything wrong is reported all at once, with the accepted values.
 */

export const APP_NAMES = ['hello', 'formatter', 'all'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** TRACING_MODE: `opentracing` is still accepted, as the old name of `instrumented`. */
export const TRACING_MODES = ['instrumented', 'headers-only', 'opentracing'] as const;
export type TracingMode = Exclude<(typeof TRACING_MODES)[number], 'opentracing'>;

export const PROPAGATION_FORMATS = ['b3', 'w3c', 'jaeger'] as const;
export type PropagationFormat = (typeof PROPAGATION_FORMATS)[number];

export const SAMPLER_TYPES = ['const', 'probabilistic', 'ratelimiting', 'remote'] as const;
export type SamplerType = (typeof SAMPLER_TYPES)[number];

/**
 * BREAK_PROPAGATION: the lessons. Each value reproduces one real-world propagation
 * mistake on hello's outbound call, so a trace shows its consequence (docs/lessons.md).
 */
export const LESSONS = ['drop-headers', 'short-ids', 'uberctx-baggage', 'no-request-id'] as const;
export type Lesson = (typeof LESSONS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface JaegerConfig {
  /** JAEGER_DISABLED=true: no spans, but mesh headers are still forwarded. */
  disabled: boolean;
  /** Overrides the service's own name when set. */
  serviceName: string | undefined;
  agentHost: string;
  agentPort: number;
  /** When set, spans go over HTTP to this collector URL instead of UDP to the agent. */
  endpoint: string | undefined;
  samplerType: SamplerType;
  /** const: 0/1; probabilistic: 0..1; ratelimiting: traces/s; remote: the probability until the first strategy. */
  samplerParam: number;
  /** remote: Jaeger's sampling endpoint (JAEGER_SAMPLER_MANAGER_HOST_PORT, port 5778). */
  samplerManager: HostPort;
  /** remote: how often the strategy is fetched again (JAEGER_SAMPLER_REFRESH_INTERVAL). */
  samplerRefreshIntervalMs: number;
  propagation: PropagationFormat[];
  tags: Record<string, string>;
  /** Print every finished span as a log line (default on for app_name=all). */
  logSpans: boolean;
  flushIntervalMs: number;
  /** Timeout of one POST to the collector (HTTP reporting). */
  reporterTimeoutMs: number;
  /** Upper bound on how long shutdown waits for the last spans to be flushed. */
  closeTimeoutMs: number;
  /** Spans queued for the collector (HTTP reporting); past it new spans are dropped (and counted). */
  maxQueueSize: number;
  /** BREAK_PROPAGATION: a propagation mistake made on purpose, for a lesson; off by default. */
  breakPropagation: Lesson | undefined;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface BaggageLimits {
  /** Keys accepted from inbound headers and sent onward (lower case). */
  allowlist: string[];
  /** Longest value, in UTF-8 bytes; longer values are truncated (and the span says so). */
  maxValueBytes: number;
  /** All baggage of one request together, in UTF-8 bytes; items past it are dropped. */
  maxTotalBytes: number;
}

export interface Config {
  appName: AppName;
  port: number;
  formatterHost: string;
  formatterPort: number;
  professor: boolean;
  formatterTimeoutMs: number;
  tracingMode: TracingMode;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** Node's limit on a request's header block (431 above it); Envoy's default is 60 KiB. */
  maxHeaderBytes: number;
  /** How often counters (spans dropped, baggage dropped/truncated) are also logged, when they changed. */
  statsLogIntervalMs: number;
  baggage: BaggageLimits;
  jaeger: JaegerConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function instrumentedUnlessHeadersOnly(mode: (typeof TRACING_MODES)[number]): TracingMode {
  return mode === 'headers-only' ? 'headers-only' : 'instrumented';
}

/** Reads an environment variable by its original name, then by its aliases; blank counts as unset. */
function read(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(names: string[], fallback: string): string {
    return read(this.env, ...names) ?? fallback;
  }

  optional(names: string[]): string | undefined {
    return read(this.env, ...names);
  }

  oneOf<T extends string>(names: string[], choices: readonly T[], fallback: T | undefined): T {
    const raw = read(this.env, ...names);
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      this.problems.push(`${names[0]} is required; choose one of: ${choices.join(', ')}`);
      return choices[0] as T;
    }
    const value = raw.toLowerCase() as T;
    if (!choices.includes(value)) {
      this.problems.push(`${names[0]}="${raw}" is not valid; choose one of: ${choices.join(', ')}`);
      return fallback ?? (choices[0] as T);
    }
    return value;
  }

  boolean(names: string[], fallback: boolean): boolean {
    const raw = read(this.env, ...names);
    if (raw === undefined) return fallback;
    const value = raw.toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problems.push(`${names[0]}="${raw}" is not a boolean; use true or false`);
    return fallback;
  }

  integer(names: string[], fallback: number, min: number, max: number): number {
    const raw = read(this.env, ...names);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${names[0]}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  number(names: string[], fallback: number): number {
    const raw = read(this.env, ...names);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      this.problems.push(`${names[0]}="${raw}" is not a number`);
      return fallback;
    }
    return value;
  }

  url(names: string[]): string | undefined {
    const raw = read(this.env, ...names);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push(`${names[0]}="${raw}" is not an http(s) URL`);
      return undefined;
    }
  }
}

/** JAEGER_TAGS: `key=value,key2=${ENV_VAR:default}` as in the other Jaeger clients. */
function parseTags(raw: string | undefined, env: Env, problems: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!raw) return tags;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (eq <= 0 || !key) {
      problems.push(`JAEGER_TAGS entry "${pair}" is not key=value`);
      continue;
    }
    const ref = /^\$\{([^:}]+)(?::([^}]*))?\}$/.exec(value);
    if (ref) value = env[ref[1] as string] ?? ref[2] ?? '';
    tags[key] = value;
  }
  return tags;
}

function parsePropagation(raw: string, problems: string[]): PropagationFormat[] {
  const formats: PropagationFormat[] = [];
  for (const item of raw.split(',')) {
    const format = item.trim().toLowerCase();
    if (!format) continue;
    if (!(PROPAGATION_FORMATS as readonly string[]).includes(format)) {
      problems.push(
        `JAEGER_PROPAGATION "${item.trim()}" is not known; use a comma list of: ${PROPAGATION_FORMATS.join(', ')}`,
      );
      continue;
    }
    if (!formats.includes(format as PropagationFormat)) formats.push(format as PropagationFormat);
  }
  return formats.length ? formats : ['b3'];
}

function samplerParamProblem(type: SamplerType, param: number): string | undefined {
  if (type === 'const' && param !== 0 && param !== 1)
    return 'JAEGER_SAMPLER_PARAM must be 0 or 1 for const';
  if (type === 'probabilistic' && (param < 0 || param > 1))
    return 'JAEGER_SAMPLER_PARAM must be between 0 and 1 for probabilistic';
  if (type === 'ratelimiting' && param < 0)
    return 'JAEGER_SAMPLER_PARAM must be traces per second (>= 0) for ratelimiting';
  if (type === 'remote' && (param < 0 || param > 1))
    return 'JAEGER_SAMPLER_PARAM must be between 0 and 1 for remote (the sampling probability until the first strategy arrives)';
  return undefined;
}

/** `host:port` (or `[ipv6]:port`; an `http://` in front is allowed, as jaeger-client allows it). */
function parseHostPort(
  name: string,
  raw: string | undefined,
  fallback: HostPort,
  problems: string[],
): HostPort {
  if (raw === undefined) return fallback;
  const match = /^(?:http:\/\/)?(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})\/?$/.exec(raw);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    problems.push(`${name}="${raw}" must be host:port, e.g. jaeger-collector:5778`);
    return fallback;
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/**
 * A lesson breaks every trace through this service, and in production nobody would see
 * why: a stray BREAK_PROPAGATION there is refused unless ALLOW_BREAK_PROPAGATION=true.
 */
function readLesson(r: Reader, env: Env): Lesson | undefined {
  if (read(env, 'BREAK_PROPAGATION') === undefined) return undefined;
  const lesson = r.oneOf(['BREAK_PROPAGATION'], LESSONS, undefined);
  const production = read(env, 'NODE_ENV')?.toLowerCase() === 'production';
  if (production && !r.boolean(['ALLOW_BREAK_PROPAGATION'], false)) {
    r.problems.push(
      `BREAK_PROPAGATION=${lesson} breaks tracing on purpose and NODE_ENV=production; set ALLOW_BREAK_PROPAGATION=true if you really mean it`,
    );
  }
  return lesson;
}

export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const appName = r.oneOf(['app_name', 'APP_NAME'], APP_NAMES, undefined);
  const port = r.integer(['PORT'], 8080, 0, 65535);
  const local = appName === 'all';
  // app_name=all runs formatter on PORT+1 and hello calls it there unless told otherwise.
  const formatterHost = r.string(
    ['formatter_host', 'FORMATTER_HOST'],
    local ? '127.0.0.1' : 'formatter',
  );
  const formatterPort = r.integer(
    ['formatter_port', 'FORMATTER_PORT'],
    local ? (port === 0 ? 0 : port + 1) : 8080,
    0,
    65535,
  );
  const samplerType = r.oneOf(['JAEGER_SAMPLER_TYPE'], SAMPLER_TYPES, 'const');
  const samplerParam = r.number(['JAEGER_SAMPLER_PARAM'], 1);
  const paramProblem = samplerParamProblem(samplerType, samplerParam);
  if (paramProblem) r.problems.push(`${paramProblem} (got ${samplerParam})`);

  const config: Config = {
    appName,
    port,
    formatterHost,
    formatterPort,
    professor: r.boolean(['professor', 'PROFESSOR'], false),
    formatterTimeoutMs: r.integer(['FORMATTER_TIMEOUT_MS'], 2000, 1, 600_000),
    tracingMode: instrumentedUnlessHeadersOnly(
      r.oneOf(['TRACING_MODE'], TRACING_MODES, 'instrumented'),
    ),
    shutdownTimeoutMs: r.integer(['SHUTDOWN_TIMEOUT_MS'], 10_000, 0, 600_000),
    logLevel: r.oneOf(['LOG_LEVEL'], LOG_LEVELS, 'info'),
    maxHeaderBytes: r.integer(['MAX_HEADER_BYTES'], 60 * 1024, 1024, 1024 * 1024),
    statsLogIntervalMs: r.integer(['STATS_LOG_INTERVAL_MS'], 60_000, 1000, 3_600_000),
    baggage: {
      allowlist: r
        .string(['BAGGAGE_ALLOWLIST'], 'user-agent')
        .split(',')
        .map((key) => key.trim().toLowerCase())
        .filter(Boolean),
      maxValueBytes: r.integer(['BAGGAGE_MAX_VALUE_BYTES'], 256, 1, 8192),
      maxTotalBytes: r.integer(['BAGGAGE_MAX_TOTAL_BYTES'], 1024, 1, 32768),
    },
    jaeger: {
      disabled: r.boolean(['JAEGER_DISABLED'], false),
      serviceName: r.optional(['JAEGER_SERVICE_NAME']),
      agentHost: r.string(['JAEGER_AGENT_HOST'], 'localhost'),
      agentPort: r.integer(['JAEGER_AGENT_PORT'], 6832, 1, 65535),
      endpoint: r.url(['JAEGER_ENDPOINT']),
      samplerType,
      samplerParam,
      samplerManager: parseHostPort(
        'JAEGER_SAMPLER_MANAGER_HOST_PORT',
        r.optional(['JAEGER_SAMPLER_MANAGER_HOST_PORT']),
        { host: 'localhost', port: 5778 },
        r.problems,
      ),
      samplerRefreshIntervalMs: r.integer(
        ['JAEGER_SAMPLER_REFRESH_INTERVAL'],
        60_000,
        100,
        86_400_000,
      ),
      propagation: parsePropagation(r.string(['JAEGER_PROPAGATION'], 'b3'), r.problems),
      tags: parseTags(r.optional(['JAEGER_TAGS']), env, r.problems),
      logSpans: r.boolean(['JAEGER_REPORTER_LOG_SPANS'], local),
      flushIntervalMs: r.integer(['JAEGER_REPORTER_FLUSH_INTERVAL'], 1000, 10, 60_000),
      reporterTimeoutMs: r.integer(['JAEGER_REPORTER_TIMEOUT'], 5000, 1, 600_000),
      closeTimeoutMs: r.integer(['TRACER_CLOSE_TIMEOUT_MS'], 3000, 0, 600_000),
      maxQueueSize: r.integer(['JAEGER_REPORTER_MAX_QUEUE_SIZE'], 10_000, 1, 1_000_000),
      breakPropagation: readLesson(r, env),
    },
  };
  if (config.jaeger.agentPort === 6831) {
    r.problems.push(
      "JAEGER_AGENT_PORT=6831 is Jaeger's Thrift *compact* port; jaeger-client speaks Thrift binary, use 6832",
    );
  }
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}
