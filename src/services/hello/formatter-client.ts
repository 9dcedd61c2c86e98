import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../log/logger.js';
import { getText, tracedGetText, UpstreamError } from '../../tracing/client.js';
import { currentRequest } from '../../tracing/context.js';
import { copyMeshHeaders } from '../../tracing/mesh-headers.js';
import type { Tracing } from '../../tracing/tracer.js';

/** hello's view of formatter: one call, either traced or forwarding only the mesh's headers. */
export class FormatterClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tracing: Tracing,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  private urlFor(name: string): string {
    return `${this.baseUrl}/formatGreeting?name=${encodeURIComponent(name)}`;
  }

  /** Instrumented: a client span, its context (and baggage) injected into the call. */
  traced(name: string): Promise<string> {
    return tracedGetText(this.tracing, this.urlFor(name), {
      operation: 'GET /formatGreeting',
      peerService: 'formatter',
      timeoutMs: this.timeoutMs,
    });
  }

  /** Headers-only: no span; the inbound mesh headers are copied onto the call. */
  async forwardingMeshHeaders(name: string, inbound: IncomingHttpHeaders): Promise<string> {
    const headers = copyMeshHeaders(inbound, currentRequest()?.requestId ?? '');
    try {
      return await getText(this.urlFor(name), { headers, timeoutMs: this.timeoutMs });
    } catch (error) {
      this.logger.error('formatter call failed', {
        'error.kind': error instanceof UpstreamError ? error.kind : 'unknown',
        'error.message': (error as Error).message,
      });
      throw error;
    }
  }
}
