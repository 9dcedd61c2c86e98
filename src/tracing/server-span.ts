import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Tags } from 'opentracing';
import type { Span } from 'opentracing';
import { currentRequest, runInServerSpan } from '../context/request-context.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { BaggageReport } from './propagation/baggage-policy.js';
import type { Extraction } from './propagation/types.js';
import type { SpanMaker } from './spans.js';

export interface ServerSpanDeps {
  extract(headers: Record<string, unknown>): Extraction;
  spans: SpanMaker;
  metrics: ServiceMetrics;
}

/** Counts what the baggage policy dropped or cut, inbound or outbound. */
export function countBaggage(metrics: ServiceMetrics, report: BaggageReport | undefined): void {
  if (!report) return;
  for (const { reason } of report.dropped) metrics.baggageDropped.inc({ reason });
  if (report.truncated.length) metrics.baggageTruncated.inc(report.truncated.length);
}

/** The server span says what the baggage policy did to this request's inbound baggage. */
function logBaggage(span: Span, report: BaggageReport): void {
  for (const item of report.truncated) {
    span.log({
      event: 'baggage truncated',
      key: item.key,
      'original.bytes': item.originalBytes,
      'kept.bytes': item.keptBytes,
    });
  }
  if (report.dropped.length) {
    span.log({
      event: 'baggage dropped',
      count: report.dropped.length,
      keys: report.dropped
        .map((d) => d.key)
        .slice(0, 20)
        .join(','),
    });
  }
}

/**
 * Starts the server span of a route: continued from the inbound (mesh) context, named
 * after the route template (never the raw URL, which is user input), and finished once,
 * when the response is sent or the client goes away.
 */
export function serverSpan({ extract, spans, metrics }: ServerSpanDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const request = currentRequest();
    const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
    const inbound = extract(req.headers);
    countBaggage(metrics, inbound.baggage);
    const span = spans.start(`${req.method} ${route}`, {
      childOf: inbound.context ?? undefined,
      tags: {
        [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER,
        [Tags.COMPONENT]: 'express',
        [Tags.HTTP_METHOD]: req.method,
        [Tags.HTTP_URL]: req.originalUrl,
        'guid:x-request-id': request?.requestId,
      },
    });
    logBaggage(span, inbound.baggage);

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
    runInServerSpan(span, spans.idsOf(span), next);
  };
}
