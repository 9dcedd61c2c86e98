import fetch from 'node-fetch';
import { Tags } from 'opentracing';
import { currentRequest } from './context.js';
import { breakOutbound } from './lessons.js';
import type { Tracing } from './tracer.js';

export type UpstreamFailure = 'unreachable' | 'timeout' | 'bad-status';

/** A call to another service that did not produce a usable answer. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly kind: UpstreamFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface GetOptions {
  headers: Record<string, string>;
  timeoutMs: number;
}

/** GET a text answer with a hard deadline (AbortController); failures become UpstreamError. */
export async function getText(url: string, { headers, timeoutMs }: GetOptions): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: controller.signal, redirect: 'error' });
    const text = await response.text();
    if (!response.ok) {
      throw new UpstreamError(
        'bad-status',
        `answered HTTP ${response.status}: ${text.slice(0, 200)}`,
        response.status,
      );
    }
    return text;
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (controller.signal.aborted)
      throw new UpstreamError('timeout', `no answer within ${timeoutMs} ms`);
    const cause =
      (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    throw new UpstreamError(
      'unreachable',
      `${cause ?? 'request failed'}: ${(error as Error).message}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

export interface TracedGetOptions {
  operation: string;
  peerService: string;
  timeoutMs: number;
}

/**
 * The traced HTTP client: a client span (child of the active span) around the call,
 * its context injected into the outbound headers, x-request-id forwarded. A failure
 * leaves the span tagged `error` with a log saying what happened.
 */
export function tracedGetText(
  tracing: Tracing,
  url: string,
  options: TracedGetOptions,
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
