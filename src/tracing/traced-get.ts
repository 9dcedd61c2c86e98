import { Tags } from 'opentracing';
import { currentRequest } from '../context/request-context.js';
import { getText, UpstreamError } from '../http/get-text.js';
import { breakOutbound } from './lessons.js';
import type { CallOptions, Tracing } from './tracing.js';

/**
 * The traced HTTP client: a client span (child of the active span) around the call,
 * what the tracing injects for it in the outbound headers, x-request-id forwarded. A
 * failure leaves the span tagged `error` with a log saying what happened.
 */
export function tracedGetText(
  tracing: Pick<Tracing, 'inSpan' | 'inject' | 'lesson'>,
  url: string,
  options: CallOptions,
): Promise<string> {
  return tracing.inSpan(
    options.operation,
    async (span) => {
      const headers: Record<string, string> = {};
      tracing.inject(span, headers);
      const requestId = currentRequest()?.requestId;
      if (requestId) headers['x-request-id'] = requestId;
      breakOutbound(tracing.lesson, headers);
      try {
        const text = await getText(url, { headers, timeoutMs: options.timeoutMs });
        span.setTag(Tags.HTTP_STATUS_CODE, 200);
        return text;
      } catch (error) {
        if (error instanceof UpstreamError) {
          span.setTag('error.kind', error.kind);
          if (error.status) span.setTag(Tags.HTTP_STATUS_CODE, error.status);
        }
        throw error;
      }
    },
    {
      tags: {
        [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
        [Tags.COMPONENT]: 'node-fetch',
        [Tags.PEER_SERVICE]: options.peerService,
        [Tags.HTTP_METHOD]: 'GET',
        [Tags.HTTP_URL]: url,
      },
    },
  );
}
