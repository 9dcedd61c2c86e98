/**
 * The typed surface of jaeger-client this project uses, in one file. jaeger-client is
 * CommonJS without complete typings; the classes below are the ones its own
 * `initTracer` wires together, imported here so the tracer module can compose them
 * (its own codecs, a console reporter, a rate-limited logger).
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
  CompositeReporter: new (reporters: Reporter[]) => Reporter;
}

const jaeger = require('jaeger-client') as JaegerModule;

export const { Tracer, SpanContext, ConstSampler, ProbabilisticSampler, RateLimitingSampler } =
  jaeger;
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
