import type { Logger } from '../../log/logger.js';
import type { JaegerLogger } from './jaeger-client.js';

/**
 * jaeger-client logs an error on every failed flush (once a second while Jaeger is
 * down). This adapter lets one complaint through per interval and says how many it held back.
 */
export function rateLimitedJaegerLogger(
  logger: Logger,
  intervalMs = 30_000,
  now = Date.now,
): JaegerLogger {
  let lastErrorAt = -Infinity;
  let suppressed = 0;
  return {
    info(message: string) {
      logger.debug(message, { component: 'jaeger-client' });
    },
    error(message: string) {
      const at = now();
      if (at - lastErrorAt < intervalMs) {
        suppressed++;
        return;
      }
      logger.warn(message, {
        component: 'jaeger-client',
        suppressed_since_last: suppressed,
        next_report_in_ms: intervalMs,
      });
      lastErrorAt = at;
      suppressed = 0;
    },
  };
}
