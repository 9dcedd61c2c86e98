import type { Logger } from '../log/logger.js';
import { counterByLabel, counterTotal, METRICS_NAMESPACE } from './metrics.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * The counters an operator needs without a Prometheus (spans sent or acknowledged,
 * failed, dropped; baggage dropped or truncated), also written to the log: one line per
 * interval, and only when they moved. Span results carry the names /metrics gives them:
 * `spans_sent` with the UDP transport (handed to the socket: the agent never answers),
 * `spans_acknowledged` with HTTP (the collector answered 2xx); only the one this
 * service's transport counts appears.
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
      const reported = await counterByLabel(
        registry,
        `${METRICS_NAMESPACE}_jaeger:reporter_spans`,
        'result',
      );
      const stats: Record<string, number> = {
        spans_started: await counterTotal(registry, `${METRICS_NAMESPACE}_jaeger:started_spans`),
      };
      // the reporter creates its transport's success series (at 0) when it starts
      for (const result of ['sent', 'acknowledged'] as const) {
        const count = reported.get(result);
        if (count !== undefined) stats[`spans_${result}`] = count;
      }
      stats['spans_failed'] = reported.get('err') ?? 0;
      stats['spans_dropped'] = reported.get('dropped') ?? 0;
      stats['baggage_dropped'] = await counterTotal(registry, 'baggage_items_dropped_total');
      stats['baggage_truncated'] = await counterTotal(registry, 'baggage_items_truncated_total');
      const snapshot = JSON.stringify(stats);
      if (snapshot !== last) logger.info('tracing stats', stats);
      last = snapshot;
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
