/**
 * The tracer module: what a service needs to trace, in either shape. Start here.
 *
 *   const tracing = createTracing(config, { serviceName, logger, metrics });
 *   router.get('/route', tracing.serverSpan(), handler);     // server span per route
 *   await tracing.getText(url, { operation, peerService });  // client span + propagation
 *   await tracing.inSpan('work', () => ...);                 // an in-process span
 *   tracing.log.info('event', fields);                       // log line + span log
 *
 * Which shape runs (instrumented, or headers-only) is decided here and nowhere else.
 */
import type { Config } from '../config.js';
import type { Logger } from '../log/logger.js';
import { SpanLogger } from '../log/span-logger.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { headersOnlyTracing } from './headers-only.js';
import { instrumentedTracing } from './instrumented.js';
import type { Tracing, TracingShape } from './tracing.js';

export type { CallOptions, Tracing, TracingShape } from './tracing.js';
export { activeSpan } from '../context/request-context.js';
export { meshTraceIdOf } from './mesh-headers.js';

export interface TracingDeps {
  serviceName: string;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** The one switch: TRACING_MODE, and JAEGER_DISABLED which turns instrumentation off. */
export function tracingShapeOf(config: Config): TracingShape {
  return config.tracingMode === 'instrumented' && !config.jaeger.disabled
    ? 'instrumented'
    : 'headers-only';
}

export function createTracing(config: Config, deps: TracingDeps): Tracing {
  const log = new SpanLogger(deps.logger);
  if (tracingShapeOf(config) === 'instrumented')
    return instrumentedTracing(config.jaeger, { ...deps, log, baggage: config.baggage });
  const why =
    config.tracingMode === 'headers-only'
      ? 'headers-only (TRACING_MODE=headers-only)'
      : 'off (JAEGER_DISABLED=true)';
  return headersOnlyTracing(log, why);
}
