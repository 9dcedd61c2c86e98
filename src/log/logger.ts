import type { Writable } from 'node:stream';
import winston from 'winston';
import { activeSpanIds, currentRequest } from '../context/request-context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level: string;
  /** Where JSON lines go; stdout unless a test captures them. */
  stream?: Writable;
}

/** Adds trace_id / span_id of the active span (or the mesh's trace id) and the request id. */
const traceContext = winston.format((info) => {
  const ids = activeSpanIds();
  const request = currentRequest();
  if (ids) {
    info['trace_id'] ??= ids.traceId;
    info['span_id'] ??= ids.spanId;
  } else if (request?.meshTraceId) {
    info['trace_id'] ??= request.meshTraceId;
  }
  if (request?.requestId) info['request_id'] ??= request.requestId;
  return info;
});

export function createLogger({ service, level, stream }: LoggerOptions): Logger {
  const transport = stream
    ? new winston.transports.Stream({ stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(
      traceContext(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}
