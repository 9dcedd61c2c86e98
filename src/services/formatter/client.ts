import type { Tracing } from '../../tracing/index.js';
import { FORMAT_GREETING_PATH } from './routes.js';

/** formatter as its callers see it: one call, traced the way the caller's tracing traces. */
export class FormatterClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tracing: Tracing,
    private readonly timeoutMs: number,
  ) {}

  /** The greeting for `name`; a formatter that fails or is too slow throws UpstreamError. */
  greeting(name: string): Promise<string> {
    const url = `${this.baseUrl}${FORMAT_GREETING_PATH}?name=${encodeURIComponent(name)}`;
    return this.tracing.getText(url, {
      operation: `GET ${FORMAT_GREETING_PATH}`,
      peerService: 'formatter',
      timeoutMs: this.timeoutMs,
    });
  }

  /** The same call, only forwarding the mesh's tracing headers: no span of the caller's. */
  forwardingOnly(): FormatterClient {
    return new FormatterClient(this.baseUrl, this.tracing.forwardingOnly, this.timeoutMs);
  }
}
