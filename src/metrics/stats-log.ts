import type { Logger } from '../log/logger.js';
import { counterTotal } from './metrics.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * The counters an operator needs without a Prometheus (spans dropped, baggage dropped or
 * truncated), also written to the log: one line per interval, and only when they moved.
 */
export function startStatsLog(
  metrics: ServiceMetrics,
  logger: Logger,
  intervalMs: number,
): () => void {
  let last = '';
  const timer = setInterval(() => {
    void (async () => {
      const { registry } = metrics;
      const stats = {
        spans_started: await counterTotal(registry, 'hello_app_jaeger:started_spans'),
        spans_reported: await counterTotal(registry, 'hello_app_jaeger:reporter_spans', {
          result: 'ok',
        }),
        spans_dropped: await counterTotal(registry, 'hello_app_jaeger:reporter_spans', {
          result: 'dropped',
        }),
        spans_failed: await counterTotal(registry, 'hello_app_jaeger:reporter_spans', {
          result: 'err',
        }),
        baggage_dropped: await counterTotal(registry, 'baggage_items_dropped_total'),
        baggage_truncated: await counterTotal(registry, 'baggage_items_truncated_total'),
      };
      const snapshot = JSON.stringify(stats);
      if (snapshot !== last) logger.info('tracing stats', stats);
      last = snapshot;
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
