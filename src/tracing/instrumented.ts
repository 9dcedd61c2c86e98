import type { BaggageLimits, JaegerConfig } from '../config.js';
import type { Logger } from '../log/logger.js';
import type { SpanLogger } from '../log/span-logger.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { headersOnlyTracing } from './headers-only.js';
import { createJaegerTracing, describeReporting } from './jaeger/tracer.js';
import { LESSON_EFFECTS } from './lessons.js';
import { countBaggage, serverSpan } from './server-span.js';
import { inChildSpan } from './spans.js';
import type { SpanMaker } from './spans.js';
import { tracedGetText } from './traced-get.js';
import type { Tracing } from './tracing.js';

export interface InstrumentedDeps {
  serviceName: string;
  logger: Logger;
  log: SpanLogger;
  baggage: BaggageLimits;
  metrics: ServiceMetrics;
}

/**
 * The instrumented shape: jaeger-client spans (server, client, in-process), their
 * context injected into every outbound call in the mesh's formats, with baggage.
 */
export function instrumentedTracing(config: JaegerConfig, deps: InstrumentedDeps): Tracing {
  const jaeger = createJaegerTracing(config, deps);
  const { log, metrics } = deps;
  const spans: SpanMaker = {
    start: (name, options) => jaeger.tracer.startSpan(name, options),
    idsOf: jaeger.idsOf,
  };
  const lesson = config.breakPropagation;
  if (lesson)
    deps.logger.warn(
      'BREAK_PROPAGATION: tracing is broken on purpose (a lesson, docs/lessons.md)',
      {
        lesson,
        effect: LESSON_EFFECTS[lesson],
      },
    );
  const tracing: Tracing = {
    shape: 'instrumented',
    description: `spans go ${describeReporting(config)}`,
    lesson,
    log,
    serverSpan: () => serverSpan({ extract: (headers) => jaeger.extract(headers), spans, metrics }),
    inject(span, headers) {
      // whatever baggage was set in-process, the policy bounds what goes out, and counts it
      countBaggage(metrics, jaeger.inject(span, headers));
    },
    inSpan: (name, fn, options) => inChildSpan(spans, log, name, fn, options),
    getText: (url, options) => tracedGetText(tracing, url, options),
    forwardingOnly: headersOnlyTracing(log, 'headers-only (this route forwards only)'),
    close: () => jaeger.close(),
  };
  return tracing;
}
