import { FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP } from 'opentracing';
import type { Span } from 'opentracing';
import type { BaggageLimits, JaegerConfig } from '../../config.js';
import type { TraceIds } from '../../context/request-context.js';
import type { Logger } from '../../log/logger.js';
import type { ServiceMetrics } from '../../metrics/metrics.js';
import { BaggagePolicy } from '../propagation/baggage-policy.js';
import type { BaggageReport } from '../propagation/baggage-policy.js';
import type { OutgoingHeaders } from '../propagation/headers.js';
import { EncodingReporter } from './reporting/reporter.js';
import type { SpanReportCounter } from './reporting/reporter.js';
import { HttpTransport } from './reporting/http-transport.js';
import { UdpTransport } from './reporting/udp-transport.js';
import { ConsoleSpanReporter } from './reporting/console-reporter.js';
import {
  CompositeReporter,
  ConstSampler,
  JaegerMetrics,
  markInbound,
  ProbabilisticSampler,
  RateLimitingSampler,
  Tracer as JaegerTracerClass,
} from './jaeger-client.js';
import type {
  JaegerLogger,
  JaegerSpanContext,
  JaegerTracer,
  Reporter,
  Sampler,
} from './jaeger-client.js';
import { rateLimitedJaegerLogger } from './jaeger-logger.js';
import { RemoteSampler } from './remote-sampler.js';
import type { RemoteSamplerOptions } from './remote-sampler.js';
import { preciseClock } from './clock.js';
import { MeshPropagator } from './propagator.js';
import type { Extraction } from './propagator.js';
import { spanIds } from './span-ids.js';

/**
 * jaeger-client, assembled: this project's propagator (strict, full-width ids, Istio's
 * baggage headers), its Thrift reporter (UDP or HTTP), a sampler (const, probabilistic,
 * rate limiting or remote), microsecond clock, baggage restrictions and metrics.
 */
export interface JaegerTracing {
  readonly tracer: JaegerTracer;
  /** The inbound context; a context whose sender deferred sampling is left to our sampler. */
  extract(headers: Record<string, unknown>): Extraction;
  /** Writes the span's context into outbound headers; says what the baggage policy did. */
  inject(span: Span, headers: OutgoingHeaders): BaggageReport | undefined;
  /** The span's ids as logs print them (undefined for a span of another tracer). */
  idsOf(span: Span): TraceIds | undefined;
  /** Flushes buffered spans; resolves by the close deadline even if the collector never answers. */
  close(): Promise<void>;
}

export interface JaegerTracingDeps {
  serviceName: string;
  logger: Logger;
  baggage: BaggageLimits;
  metrics: ServiceMetrics;
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
): Reporter {
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
    {
      flushIntervalMs: config.flushIntervalMs,
      logger: jaegerLogger,
      count,
      closeTimeoutMs: config.closeTimeoutMs,
      // nothing is lost silently: say how many spans the deadline left behind
      onCloseDeadline: ({ queued, inFlight }, deadlineMs) =>
        logger.warn('tracer close deadline passed', {
          spans_not_flushed: queued,
          spans_unacknowledged: inFlight,
          deadline_ms: deadlineMs,
        }),
    },
  );
  return config.logSpans
    ? new CompositeReporter([new ConsoleSpanReporter(logger), remote])
    : remote;
}

export function describeReporting(config: JaegerConfig): string {
  return config.endpoint
    ? `HTTP to ${config.endpoint}`
    : `UDP (Thrift binary) to ${config.agentHost}:${config.agentPort}`;
}

export function createJaegerTracing(config: JaegerConfig, deps: JaegerTracingDeps): JaegerTracing {
  const serviceName = config.serviceName ?? deps.serviceName;
  const jaegerLogger = rateLimitedJaegerLogger(deps.logger);
  const jaegerMetrics = new JaegerMetrics(deps.metrics.jaegerFactory);
  const policy = new BaggagePolicy(deps.baggage);
  const reporter = createReporter(config, deps.logger, jaegerLogger, (result, spans) =>
    deps.metrics.reporterSpans.inc({ result }, spans),
  );
  const sampler = createSampler(config, {
    serviceName,
    // its own limiter: a reporter's complaints must not hide the sampler's, nor the reverse
    logger: rateLimitedJaegerLogger(deps.logger),
    metrics: jaegerMetrics,
    onStrategyChange: (strategy) =>
      deps.logger.info('sampling strategy changed', { component: 'remote-sampler', strategy }),
  });
  const remoteSampler = sampler instanceof RemoteSampler ? sampler : undefined;
  if (remoteSampler)
    deps.logger.info('remote sampling', {
      component: 'remote-sampler',
      sampling: describeSampling(config),
      url: remoteSampler.url,
    });
  const tracer: JaegerTracer = new JaegerTracerClass(serviceName, reporter, sampler, {
    tags: config.tags,
    logger: jaegerLogger,
    metrics: jaegerMetrics,
    // setBaggageItem obeys the same allowlist and value cap as inbound baggage
    baggageRestrictionManager: {
      getRestriction: (_service, key) => ({
        keyAllowed: policy.isAllowed(key),
        maxValueLength: deps.baggage.maxValueBytes,
      }),
    },
    // Envoy makes 128-bit trace ids; ours must be as wide so both halves of a trace match
    traceId128bit: true,
  });
  // microsecond span times (jaeger-client's own clock is Date.now(): whole milliseconds)
  tracer.now = preciseClock();
  const propagator = new MeshPropagator(config.propagation, policy);
  // tracer.inject / tracer.extract (the OpenTracing API) use it too
  for (const format of [FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP]) {
    tracer.registerInjector(format, propagator);
    tracer.registerExtractor(format, propagator);
  }

  let closing: Promise<void> | undefined;
  return {
    tracer,
    extract(headers) {
      const extraction = propagator.read(headers);
      const { context, samplingDeferred } = extraction;
      if (!context) return extraction;
      // B3 without x-b3-sampled means "you decide": jaeger-client would treat a remote
      // parent's decision as final (not sampled), so our sampler makes the call.
      markInbound(context, samplingDeferred);
      if (samplingDeferred) remoteSampler?.deferToLocalSampler(context);
      return extraction;
    },
    inject(span, headers) {
      return propagator.write(span.context() as JaegerSpanContext, headers);
    },
    idsOf: spanIds,
    close() {
      // the sampler stops asking for strategies now, whatever the flush takes (tracer.close()
      // closes it again once the reporter is done; closing twice is fine); the reporter
      // gives up by the close deadline and says what it left behind
      if (!closing) sampler.close();
      closing ??= new Promise<void>((resolve) => tracer.close(() => resolve()));
      return closing;
    },
  };
}
