/**
 * The OpenTelemetry peer of the chain: the same two Express services, the same routes,
 * templates, name rule, text answers, x-request-id and log lines as the project's
 * instrumented shape, with spans made by the http and express auto-instrumentations and
 * the two application details (user-agent baggage, the in-process formatting span with
 * its log) written against the OpenTelemetry API.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type expressModule from 'express';
import type { NextFunction, Request, Response } from 'express';
import fetch from 'node-fetch';
import { sendText } from '../../src/http/text.js';
import { formatGreeting } from '../../src/services/formatter/greeting.js';
import { checkName } from '../../src/services/name.js';
import type { PeerEnv } from '../shared/service-env.js';
import type { Logger } from './log.js';

// loaded with require, after the SDK started: the express instrumentation hooks require()
const express = createRequire(import.meta.url)('express') as typeof expressModule;
const tracer = trace.getTracer('hello-app-otel-peer');
const REQUEST_ID = /^[0-9A-Za-z._:-]{1,128}$/;

/** One access-log line per request and an x-request-id, as the project's services do. */
function requestScope(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const inbound = req.headers['x-request-id'];
    const requestId =
      typeof inbound === 'string' && REQUEST_ID.test(inbound) ? inbound : randomUUID();
    res.locals['requestId'] = requestId;
    const span = trace.getActiveSpan()?.spanContext();
    res.once('close', () => {
      logger.info('request', {
        method: req.method,
        route: typeof req.route?.path === 'string' ? req.route.path : 'unmatched',
        status: res.writableFinished ? res.statusCode : 499,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        trace_id: span?.traceId,
        span_id: span?.spanId,
        request_id: requestId,
      });
    });
    next();
  };
}

function logEvent(logger: Logger, span: Span | undefined, event: string, fields: object): void {
  logger.info(event, fields);
  span?.addEvent(event, fields as Record<string, string | number>);
}

async function callFormatter(env: PeerEnv, name: string, requestId: string): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), env.formatterTimeoutMs);
  try {
    const url = `${env.formatterUrl}/formatGreeting?name=${encodeURIComponent(name)}`;
    const response = await fetch(url, {
      headers: { 'x-request-id': requestId },
      signal: controller.signal,
      redirect: 'error',
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`formatter answered HTTP ${response.status}`);
    return text;
  } finally {
    clearTimeout(timer);
  }
}

function helloApp(env: PeerEnv, logger: Logger): expressModule.Express {
  const app = base(logger);
  app.get('/sayHello/:name', async (req, res) => {
    const check = checkName(req.params['name']);
    if (!check.ok) return sendText(res, 400, `${check.message}\n`);
    const userAgent = req.get('user-agent');
    let ctx = context.active();
    if (userAgent)
      ctx = propagation.setBaggage(
        ctx,
        propagation.createBaggage({ 'user-agent': { value: userAgent } }),
      );
    try {
      const greeting = await context.with(ctx, () =>
        callFormatter(env, check.name, String(res.locals['requestId'])),
      );
      logEvent(logger, trace.getActiveSpan(), 'greeting received', {
        'greeting.length': greeting.length,
      });
      sendText(res, 200, greeting);
    } catch (error) {
      const timedOut = (error as Error).name === 'AbortError';
      trace.getActiveSpan()?.setAttribute('error', true);
      if (timedOut) sendText(res, 504, 'formatter did not answer in time\n');
      else sendText(res, 502, 'formatter is unavailable\n');
    }
  });
  return finish(app);
}

function formatterApp(env: PeerEnv, logger: Logger): expressModule.Express {
  const app = base(logger);
  const version = env.professor ? 'v2' : 'v1';
  app.get('/formatGreeting', (req, res) => {
    const check = checkName(req.query['name']);
    if (!check.ok) return sendText(res, 400, `${check.message}: GET /formatGreeting?name=<name>\n`);
    const span = trace.getActiveSpan();
    span?.setAttribute('formatter.version', version);
    const userAgent = propagation.getBaggage(context.active())?.getEntry('user-agent')?.value;
    if (userAgent) span?.setAttribute('baggage.user-agent', userAgent);
    const greeting = tracer.startActiveSpan('format-greeting', (child) => {
      try {
        logEvent(logger, child, 'formatting greeting', {
          template: version,
          'name.length': [...check.name].length,
        });
        return formatGreeting(version, check.name);
      } finally {
        child.end();
      }
    });
    sendText(res, 200, greeting);
  });
  return finish(app);
}

function base(logger: Logger): expressModule.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/health', (_req, res) => sendText(res, 200, 'ok\n'));
  app.get('/ready', (_req, res) => sendText(res, 200, 'ready\n'));
  app.use(requestScope(logger));
  return app;
}

function finish(app: expressModule.Express): expressModule.Express {
  app.use((req: Request, res: Response) =>
    sendText(res, 404, `no route for ${req.method} ${req.path}\n`),
  );
  return app;
}

export function startPeer(env: PeerEnv, logger: Logger): Promise<Server> {
  const app = env.app === 'hello' ? helloApp(env, logger) : formatterApp(env, logger);
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(env.port, () => resolve(server)));
}
