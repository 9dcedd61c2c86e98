import { FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP, Tracer as NoopTracer } from 'opentracing';
import type { Span, SpanOptions, Tracer } from 'opentracing';
import type { BaggageLimits, JaegerConfig, Lesson } from '../config.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { BaggagePolicy } from './propagation/baggage-policy.js';
import type { Logger } from '../log/logger.js';
import { EncodingReporter } from './reporting/reporter.js';
import type { SpanReportCounter } from './reporting/reporter.js';
import { HttpTransport } from './reporting/http-transport.js';
import { UdpTransport } from './reporting/udp-transport.js';
import { ConsoleSpanReporter } from './console-reporter.js';
import {
  CompositeReporter,
  ConstSampler,
  JaegerMetrics,
  ProbabilisticSampler,
  RateLimitingSampler,
  Tracer as JaegerTracerClass,
} from './jaeger.js';
import type { JaegerLogger, JaegerSpanContext, JaegerTracer, Reporter, Sampler } from './jaeger.js';
import { rateLimitedJaegerLogger } from './jaeger-logger.js';
import { RemoteSampler } from './remote-sampler.js';
import type { RemoteSamplerOptions } from './remote-sampler.js';
import { SpanLogger } from '../log/span-logger.js';
import { inChildSpan } from './spans.js';
import { preciseClock } from './clock.js';
import { MeshPropagator, isSamplingDeferred } from './propagation/propagator.js';
import type { OutgoingHeaders } from './propagation/headers.js';

/**
 * The shared tracer module: every service gets its tracer here. In the instrumented
 * shape it is jaeger-client with this project's strict mesh propagator; in the
 * headers-only shape (or with JAEGER_DISABLED) it is OpenTracing's no-op tracer.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** false: no spans are made, and callers forward the mesh headers instead. */
  readonly instrumented: boolean;
  /** BREAK_PROPAGATION: the mistake outbound calls make on purpose (a lesson), if any. */
  readonly lesson: Lesson | undefined;
  /** The inbound context (null when there is none, or it is malformed). */
  extract(headers: Record<string, unknown>): JaegerSpanContext | null;
  /** Writes the span's context into outbound headers in every configured format. */
  inject(span: Span, headers: OutgoingHeaders): void;
  startSpan(name: string, options?: SpanOptions): Span;
  /** Runs fn in a child span of the active span; see inChildSpan. */
  inSpan<T>(
    name: string,
    fn: (span: Span) => Promise<T> | T,
    options?: Omit<SpanOptions, 'childOf' | 'references'>,
  ): Promise<T>;
  /** Writes an event to the log and to the active span. */
  readonly log: SpanLogger;
  /** Flushes buffered spans; resolves by the deadline even if the collector never answers. */
  close(): Promise<void>;
}

function createSampler(
  config: JaegerConfig,
  remote: Omit<RemoteSamplerOptions, 'host' | 'port' | 'refreshIntervalMs' | 'initialProbability'>,
): Sampler {
  switch (config.samplerType) {
    case 'const':
      return new ConstSampler(config.samplerParam === 1);
    case 'probabilistic':
      return new ProbabilisticSampler(config.samplerParam);
    case 'ratelimiting':
      return new RateLimitingSampler(config.samplerParam);
    case 'remote':
      return new RemoteSampler({
        ...remote,
        host: config.samplerManager.host,
        port: config.samplerManager.port,
        refreshIntervalMs: config.samplerRefreshIntervalMs,
        initialProbability: config.samplerParam,
      });
  }
}

export function describeSampling(config: JaegerConfig): string {
  const { samplerType: type, samplerParam: param } = config;
  if (type === 'remote') {
    const { host, port } = config.samplerManager;
    return `remote: strategies from ${host}:${port} every ${config.samplerRefreshIntervalMs} ms, probability ${param} until the first arrives`;
  }
  return `${type} ${param}`;
}

function createReporter(
  config: JaegerConfig,
  logger: Logger,
  jaegerLogger: JaegerLogger,
  count: SpanReportCounter,
): { reporter: Reporter; remote: EncodingReporter } {
  const { endpoint } = config;
  const remote = new EncodingReporter(
    (onDelivery) =>
      endpoint
        ? new HttpTransport(
            {
              endpoint,
              timeoutMs: config.reporterTimeoutMs,
              maxQueueSize: config.maxQueueSize,
              logger: jaegerLogger,
            },
            onDelivery,
          )
        : new UdpTransport(
            { host: config.agentHost, port: config.agentPort, logger: jaegerLogger },
            onDelivery,
          ),
    { flushIntervalMs: config.flushIntervalMs, logger: jaegerLogger, count },
  );
  const reporter = config.logSpans
    ? new CompositeReporter([new ConsoleSpanReporter(logger), remote])
    : remote;
  return { reporter, remote };
}

/** Resolves 'done' when work finishes, or 'timeout' after ms, whichever comes first. */
function withDeadline(work: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work.then(() => 'done' as const), deadline]).finally(() =>
    clearTimeout(timer),
  );
}

export function describeReporting(config: JaegerConfig): string {
  return config.endpoint
    ? `HTTP to ${config.endpoint}`
    : `UDP (Thrift binary) to ${config.agentHost}:${config.agentPort}`;
}

export function createTracing(
  config: JaegerConfig,
  options: {
    serviceName: string;
    instrumented: boolean;
    logger: Logger;
    baggage: BaggageLimits;
    metrics: ServiceMetrics;
  },
): Tracing {
  const log = new SpanLogger(options.logger);
  if (!options.instrumented) {
    const noop = new NoopTracer();
    const startNoop = (name: string, spanOptions?: SpanOptions) =>
      noop.startSpan(name, spanOptions);
    return {
      tracer: noop,
      instrumented: false,
      lesson: undefined,
      log,
      extract: () => null,
      inject: () => undefined,
      startSpan: startNoop,
      inSpan: (name, fn, spanOptions) => inChildSpan(startNoop, log, name, fn, spanOptions),
      close: () => Promise.resolve(),
    };
  }

  const serviceName = config.serviceName ?? options.serviceName;
  const jaegerLogger = rateLimitedJaegerLogger(options.logger);
  const jaegerMetrics = new JaegerMetrics(options.metrics.jaegerFactory);
  const policy = new BaggagePolicy(options.baggage);
  const reporting = createReporter(config, options.logger, jaegerLogger, (result, spans) =>
    options.metrics.reporterSpans.inc({ result }, spans),
  );
  const sampler = createSampler(config, {
    serviceName,
    // its own limiter: a reporter's complaints must not hide the sampler's, nor the reverse
    logger: rateLimitedJaegerLogger(options.logger),
    metrics: jaegerMetrics,
    onStrategyChange: (strategy) =>
      options.logger.info('sampling strategy changed', { component: 'remote-sampler', strategy }),
  });
  const remoteSampler = sampler instanceof RemoteSampler ? sampler : undefined;
  if (remoteSampler)
    options.logger.info('remote sampling', {
      component: 'remote-sampler',
      sampling: describeSampling(config),
      url: remoteSampler.url,
    });
  const tracer: JaegerTracer = new JaegerTracerClass(serviceName, reporting.reporter, sampler, {
    tags: config.tags,
    logger: jaegerLogger,
    metrics: jaegerMetrics,
    // setBaggageItem obeys the same allowlist and value cap as inbound baggage
    baggageRestrictionManager: {
      getRestriction: (_service, key) => ({
        keyAllowed: policy.isAllowed(key),
        maxValueLength: options.baggage.maxValueBytes,
      }),
    },
    // Envoy makes 128-bit trace ids; ours must be as wide so both halves of a trace match
    traceId128bit: true,
  });
  // microsecond span times (jaeger-client's own clock is Date.now(): whole milliseconds)
  tracer.now = preciseClock();
  const propagator = new MeshPropagator(config.propagation, policy, (report) => {
    for (const { reason } of report.dropped) options.metrics.baggageDropped.inc({ reason });
    options.metrics.baggageTruncated.inc(report.truncated.length);
  });
  tracer.registerInjector(FORMAT_HTTP_HEADERS, propagator);
  tracer.registerExtractor(FORMAT_HTTP_HEADERS, propagator);
  tracer.registerInjector(FORMAT_TEXT_MAP, propagator);
  tracer.registerExtractor(FORMAT_TEXT_MAP, propagator);

  let closing: Promise<void> | undefined;
  return {
    tracer,
    instrumented: true,
    lesson: config.breakPropagation,
    extract(headers) {
      const context = tracer.extract(FORMAT_HTTP_HEADERS, headers) as JaegerSpanContext | null;
      // B3 without x-b3-sampled means "you decide": jaeger-client would treat a remote
      // parent's decision as final (not sampled), so let our sampler make the call.
      if (context && isSamplingDeferred(context)) {
        context._setRemote(false);
        remoteSampler?.deferToLocalSampler(context);
      }
      return context;
    },
    inject(span, headers) {
      tracer.inject(span.context(), FORMAT_HTTP_HEADERS, headers);
    },
    log,
    startSpan(name, spanOptions) {
      return tracer.startSpan(name, spanOptions);
    },
    inSpan(name, fn, spanOptions) {
      return inChildSpan((n, o) => tracer.startSpan(n, o), log, name, fn, spanOptions);
    },
    close() {
      // the sampler stops asking for strategies now, whatever the flush below takes
      // (tracer.close() closes it again once the reporter is done; closing twice is fine)
      if (!closing) sampler.close();
      closing ??= withDeadline(
        new Promise<void>((resolve) => tracer.close(() => resolve())),
        config.closeTimeoutMs,
      ).then((outcome) => {
        // nothing is lost silently: say how many spans the deadline left behind
        if (outcome === 'timeout') {
          const { queued, inFlight } = reporting.remote.unsent();
          reporting.remote.abandon();
          options.logger.warn('tracer close deadline passed', {
            spans_not_flushed: queued,
            spans_unacknowledged: inFlight,
            deadline_ms: config.closeTimeoutMs,
          });
        }
      });
      return closing;
    },
  };
}
