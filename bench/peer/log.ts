/**
 * The same JSON log lines as the project's services (winston, timestamp, trace and span
 * ids of the active span), with the ids taken from OpenTelemetry's active span.
 */
import { trace } from '@opentelemetry/api';
import winston from 'winston';

export type Logger = winston.Logger;

const traceContext = winston.format((info) => {
  const context = trace.getActiveSpan()?.spanContext();
  if (context) {
    info['trace_id'] ??= context.traceId;
    info['span_id'] ??= context.spanId;
  }
  return info;
});

export function createLogger(service: string, level: string): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(
      traceContext(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
