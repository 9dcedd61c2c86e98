import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import express from 'express';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { Logger } from '../log/logger.js';
import { runInRequest } from '../context/request-context.js';
import type { RequestScope } from '../context/request-context.js';
import { sendText } from './text.js';
import { redactHeaders } from '../log/redact.js';
import { roundMs } from '../log/numbers.js';
import type { ServiceMetrics } from '../metrics/metrics.js';

export interface Lifecycle {
  /** Set when shutdown starts: /ready answers 503 so the mesh stops sending new requests. */
  draining: boolean;
}

/** Envoy requires x-request-id to be a UUID-like token; anything else is replaced. */
const REQUEST_ID = /^[0-9A-Za-z._:-]{1,128}$/;

export interface AppDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  metrics: ServiceMetrics;
  /** The mesh's trace id in the inbound headers, for log lines of requests without a span. */
  meshTraceIdOf(headers: IncomingHttpHeaders): string | undefined;
}

function routeOf(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.join('|');
  return 'unmatched';
}

/** Request scope, x-request-id, one access-log line and the RED metrics per request. */
function requestScope({ logger, metrics, meshTraceIdOf }: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const inboundId = req.headers['x-request-id'];
    const scope: RequestScope = {
      requestId:
        typeof inboundId === 'string' && REQUEST_ID.test(inboundId) ? inboundId : randomUUID(),
      meshTraceId: meshTraceIdOf(req.headers),
      headers: req.headers,
    };
    if (logger.isDebugEnabled())
      logger.debug('request headers', { headers: redactHeaders(req.headers) });
    res.once('close', () => {
      const ids = scope.serverSpanIds;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const labels = {
        route: routeOf(req),
        method: req.method,
        status: String(res.writableFinished ? res.statusCode : 499),
      };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, durationMs / 1000);
      logger.info('request', {
        method: req.method,
        route: labels.route,
        status: Number(labels.status),
        duration_ms: roundMs(durationMs),
        trace_id: ids?.traceId ?? scope.meshTraceId,
        span_id: ids?.spanId,
        request_id: scope.requestId,
      });
    });
    runInRequest(scope, next);
  };
}

/**
 * The Express app every service shares: health and readiness (not traced), plain-text
 * answers everywhere (also Express's own 404 and errors, which are HTML by default),
 * and the service's routes in between.
 */
export function createApp(deps: AppDeps, routes: Router): Express {
  const { logger, lifecycle, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => sendText(res, 200, 'ok\n'));
  app.get('/ready', (_req, res) =>
    lifecycle.draining ? sendText(res, 503, 'draining\n') : sendText(res, 200, 'ready\n'),
  );

  app.get('/metrics', async (_req, res) => {
    res
      .set('X-Content-Type-Options', 'nosniff')
      .type(metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });

  app.use(requestScope(deps));
  app.use(routes);

  app.use((req: Request, res: Response) =>
    sendText(res, 404, `no route for ${req.method} ${req.path}\n`),
  );
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) logger.error('unhandled error', { message: (error as Error)?.message });
    if (res.headersSent) return void res.end();
    sendText(
      res,
      status,
      status >= 500 ? 'internal error\n' : `bad request: ${(error as Error).message}\n`,
    );
  });
  return app;
}

function httpStatusOf(error: unknown): number {
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ??
    (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
