/** The untraced HTTP client every outbound call goes through (the tracer module wraps it). */
import fetch from 'node-fetch';

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
