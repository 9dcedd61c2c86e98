/**
 * The typed surface of jaeger-client this project uses, in one file. jaeger-client is
 * CommonJS without complete typings; the classes below are the ones its own
 * `initTracer` wires together, imported here so the tracer module can compose them
 * (its own codecs, a console reporter, a rate-limited logger). Where the project must
 * reach past jaeger-client's public API (a private field, a protected method), it does
 * so through a function at the end of this file, never elsewhere.
 */
import { createRequire } from 'node:module';
import type { Span, SpanContext as OtSpanContext, Tracer as OtTracer } from 'opentracing';

const require = createRequire(import.meta.url);

/** What jaeger-client logs through: `info` and `error`, nothing else. */
export interface JaegerLogger {
  info(message: string): void;
  error(message: string): void;
}

export interface Injector {
  inject(context: JaegerSpanContext, carrier: Record<string, string>): void;
}

export interface Extractor {
  extract(carrier: Record<string, unknown>): JaegerSpanContext | null;
}

/** jaeger-client's SpanContext: ids as Buffers (full width) and as strings (leading zeros dropped). */
export interface JaegerSpanContext extends OtSpanContext {
  readonly traceId: Buffer | null;
  readonly spanId: Buffer | null;
  readonly parentId: Buffer | null;
  readonly traceIdStr: string | null;
  readonly spanIdStr: string | null;
  baggage: Record<string, string>;
  readonly isValid: boolean;
  /** The sampling bits (1 sampled, 2 debug) as they go on the wire. */
  readonly flags: number;
  isSampled(): boolean;
  isDebug(): boolean;
  _setRemote(remote: boolean): void;
  /** Shared by every span of the trace in this process; knows the local root span. */
  readonly _samplingState: SamplingState;
}

/** jaeger-client's per-trace sampling state (v2 samplers read it). */
export interface SamplingState {
  /** The span id (string form) of the first span of this trace in this process. */
  _localRootSpanIdStr: string | null;
  isLocalRootSpan(context: JaegerSpanContext): boolean;
}

interface SpanContextClass {
  withBinaryIds(
    traceId: Buffer,
    spanId: Buffer,
    parentId: Buffer | null,
    flags: number,
    baggage?: Record<string, string>,
    debugId?: string,
  ): JaegerSpanContext;
  withStringIds(
    traceId: string,
    spanId: string,
    parentId: string,
    flags: number,
    baggage?: Record<string, string>,
    debugId?: string,
  ): JaegerSpanContext;
}

/** A tag or log field as jaeger-client keeps it (values typed at encoding time). */
export interface SpanTag {
  key: string;
  value: unknown;
}

/** An OpenTracing reference (child_of, follows_from) as jaeger-client keeps it. */
export interface SpanReference {
  type(): string;
  referencedContext(): JaegerSpanContext;
}

/** jaeger-client's Span, with the fields its reporters read (times in milliseconds). */
export interface JaegerSpan extends Span {
  context(): JaegerSpanContext;
  readonly operationName: string;
  readonly serviceName: string;
  readonly _spanContext: JaegerSpanContext;
  readonly _operationName: string;
  readonly _references: readonly SpanReference[];
  readonly _startTime: number;
  readonly _duration: number | undefined;
  readonly _tags: SpanTag[];
  readonly _logs: { timestamp: number; fields: SpanTag[] }[];
}

export interface Reporter {
  report(span: JaegerSpan): void;
  close(callback?: () => void): void;
  /** Called once by the Tracer: the service name and its process tags (hostname, ip, version). */
  setProcess(serviceName: string, tags: SpanTag[]): void;
}

export interface Sampler {
  close(callback?: () => void): void;
}

/** A v2 sampler's answer: sample?, may it be asked again (retryable)?, tags to add. */
export interface SamplingDecision {
  sample: boolean;
  retryable: boolean;
  tags: Record<string, unknown> | null;
}

/** The samplers RemoteControlledSampler switches between (ProbabilisticSampler, PerOperationSampler, ...). */
export interface NamedSampler extends Sampler {
  name(): string;
  toString(): string;
}

/**
 * A sampling strategy as jaeger-client's RemoteControlledSampler reads it: Jaeger's
 * api_v2 `SamplingStrategyResponse` in JSON, with strategyType as its *name*.
 */
export interface SamplingStrategyResponse {
  strategyType: 'PROBABILISTIC' | 'RATE_LIMITING';
  probabilisticSampling?: { samplingRate: number };
  rateLimitingSampling?: { maxTracesPerSecond: number };
  operationSampling?: PerOperationSamplingStrategies;
}

export interface PerOperationSamplingStrategies {
  defaultSamplingProbability: number;
  defaultLowerBoundTracesPerSecond: number;
  defaultUpperBoundTracesPerSecond?: number;
  perOperationStrategies: { operation: string; probabilisticSampling: { samplingRate: number } }[];
}

export interface RemoteControlledSamplerOptions {
  /** The sampler used until the first strategy arrives. */
  sampler?: Sampler;
  logger?: JaegerLogger;
  /** jaeger-client's Metrics facade (JaegerMetrics). */
  metrics?: object;
  /** ms between strategy queries (after a random initial delay of up to one interval). */
  refreshInterval?: number;
  host?: string;
  port?: number;
  samplingPath?: string;
  maxOperations?: number;
  onSamplerUpdate?: (sampler: NamedSampler) => void;
}

interface Counter {
  increment(delta?: number): void;
}

/**
 * jaeger-client's RemoteControlledSampler with the internals a subclass reaches: it
 * queries `http://host:port/sampling?service=` every refreshInterval and swaps its
 * delegate (`_sampler`) for what each answer says.
 */
export interface RemoteControlledSampler extends NamedSampler {
  _sampler: NamedSampler;
  readonly _serviceName: string;
  readonly _host: string;
  readonly _port: number;
  readonly _samplingPath: string;
  readonly _refreshInterval: number;
  readonly _logger: JaegerLogger;
  readonly _metrics: { samplerQueryFailure: Counter };
  _initialDelayTimeoutHandle: NodeJS.Timeout | null | undefined;
  _refreshIntervalHandle: NodeJS.Timeout | undefined;
  /** After the random initial delay: starts the refresh interval. */
  _afterInitialDelay(): void;
  /** One query (jaeger-client's uses util.httpGet: no timeout, no status check). */
  _refreshSamplingStrategy(): void;
  /** Parses an answer's body, updates the sampler; logs and counts what fails. */
  _handleSamplingServerResponse(body: string): void;
  /** Applies a parsed strategy; true when the sampler changed; throws on a malformed one. */
  _updateSampler(response: SamplingStrategyResponse): boolean;
  onCreateSpan(span: JaegerSpan): SamplingDecision;
}

/** Decides, per baggage key, whether setBaggageItem may set it and how long it may be. */
export interface BaggageRestrictionManager {
  getRestriction(service: string, key: string): { keyAllowed: boolean; maxValueLength: number };
}

export interface JaegerTracer extends OtTracer {
  /** The clock spans are stamped with (milliseconds since the epoch). */
  now(): number;
  registerInjector(format: string, injector: Injector): void;
  registerExtractor(format: string, extractor: Extractor): void;
  close(callback?: () => void): void;
}

interface JaegerModule {
  Tracer: new (
    serviceName: string,
    reporter: Reporter,
    sampler: Sampler,
    options: {
      tags?: Record<string, unknown>;
      logger?: JaegerLogger;
      metrics?: object;
      traceId128bit?: boolean;
      baggageRestrictionManager?: BaggageRestrictionManager;
    },
  ) => JaegerTracer;
  SpanContext: SpanContextClass;
  ConstSampler: new (decision: boolean) => Sampler;
  ProbabilisticSampler: new (rate: number) => Sampler;
  RateLimitingSampler: new (perSecond: number) => Sampler;
  RemoteSampler: new (
    serviceName: string,
    options?: RemoteControlledSamplerOptions,
  ) => RemoteControlledSampler;
  CompositeReporter: new (reporters: Reporter[]) => Reporter;
}

const jaeger = require('jaeger-client') as JaegerModule;

export const { Tracer, SpanContext, ConstSampler, ProbabilisticSampler, RateLimitingSampler } =
  jaeger;
/** jaeger-client's RemoteControlledSampler (exported by jaeger-client as RemoteSampler). */
export const RemoteControlledSampler = jaeger.RemoteSampler;
export const { CompositeReporter } = jaeger;
/** jaeger-client's metrics facade over a factory (initTracer wraps options.metrics the same way). */
const JaegerMetrics = (
  require('jaeger-client/dist/src/metrics/metrics.js') as {
    default: new (factory: object) => object;
  }
).default;

export { JaegerMetrics };

/** Full-width lower-case hex of an id Buffer (8 bytes -> 16 digits, 16 bytes -> 32). */
export function hexOf(id: Buffer | null): string {
  return id ? id.toString('hex') : '';
}

/**
 * The object jaeger-client shares between every span of one trace in this process: a
 * key for what the project keeps per local trace (the inbound W3C tracestate).
 */
export function localTraceOf(context: JaegerSpanContext): object {
  return context._samplingState;
}

/**
 * An inbound context, as jaeger-client's own tracer.extract() marks it: remote, its
 * sampling decision final. Unless the sender left the decision to this service (B3
 * without x-b3-sampled): then the context stays local and this service's sampler decides.
 */
export function markInbound(context: JaegerSpanContext, samplingDeferred: boolean): void {
  context._setRemote(!samplingDeferred);
}
