import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Tags } from 'opentracing';
import { currentRequest, runWithSpan } from './context.js';
import type { Tracing } from './tracer.js';
import { inboundBaggageReport } from './propagation/propagator.js';

/**
 * Starts the server span of an instrumented route: continued from the inbound (mesh)
 * context, named after the route template (never the raw URL, which is user input), and
 * finished once, when the response is sent or the client goes away.
 */
export function serverSpan(tracing: Tracing): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const request = currentRequest();
    const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
    const parent = tracing.extract(req.headers);
    const span = tracing.startSpan(`${req.method} ${route}`, {
      childOf: parent ?? undefined,
      tags: {
        [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER,
        [Tags.COMPONENT]: 'express',
        [Tags.HTTP_METHOD]: req.method,
        [Tags.HTTP_URL]: req.originalUrl,
        'guid:x-request-id': request?.requestId,
      },
    });
    if (request) request.serverSpan = span;
    // the span says what the baggage policy did to this request's inbound baggage
    const report = parent ? inboundBaggageReport(parent) : undefined;
    for (const item of report?.truncated ?? []) {
      span.log({
        event: 'baggage truncated',
        key: item.key,
        'original.bytes': item.originalBytes,
        'kept.bytes': item.keptBytes,
      });
    }
    if (report?.dropped.length) {
      span.log({
        event: 'baggage dropped',
        count: report.dropped.length,
        keys: report.dropped
          .map((d) => d.key)
          .slice(0, 20)
          .join(','),
      });
    }

    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (res.writableFinished) {
        span.setTag(Tags.HTTP_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setTag(Tags.ERROR, true);
      } else {
        span.log({
          event: 'client disconnected',
          message: 'the client went away before the answer',
        });
      }
      span.finish();
    };
    res.once('finish', finish);
    res.once('close', finish);
    runWithSpan(span, next);
  };
}
