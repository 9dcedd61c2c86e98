/**
 * A client of Jaeger's query HTTP API: one trace by id, a search, the service list.
 * The HTTP call is injected so the tests can answer from recorded responses.
 */
import { dataOf, JaegerApiError, toTrace } from './jaeger-api.js';
import type { JaegerTrace } from './jaeger-api.js';

/** Fetches a URL and answers its parsed JSON body, or throws on a non-2xx status. */
export type FetchJson = (url: string) => Promise<unknown>;

const isString = (v: unknown): v is string => typeof v === 'string';

export class HttpStatusError extends JaegerApiError {
  constructor(
    readonly status: number,
    url: string,
    body: string,
  ) {
    super(`${url} answered HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** No answer at all (refused, timed out): Jaeger, or what runs it, is not up. */
export class JaegerUnreachableError extends JaegerApiError {}

export const defaultFetchJson: FetchJson = async (url) => {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new JaegerUnreachableError(
      `cannot reach Jaeger at ${url}: ${cause ?? (error as Error).message}`,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new HttpStatusError(response.status, url, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new JaegerApiError(`${url} did not answer JSON: ${text.slice(0, 200)}`);
  }
};

export class TraceNotFoundError extends JaegerApiError {}

/** A search for traces; see Jaeger's /api/traces query parameters. */
export interface TraceSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  /** How far back to look, in milliseconds. */
  lookbackMs: number;
  limit: number;
}

export class JaegerQueryClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetchJson: FetchJson = defaultFetchJson,
    private readonly now: () => number = Date.now,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async services(): Promise<string[]> {
    return dataOf(await this.fetchJson(`${this.baseUrl}/api/services`), '/api/services').filter(
      isString,
    );
  }

  async trace(traceId: string): Promise<JaegerTrace> {
    const url = `${this.baseUrl}/api/traces/${encodeURIComponent(traceId)}`;
    let body: unknown;
    try {
      body = await this.fetchJson(url);
    } catch (error) {
      // Jaeger answers an unknown id with 404 and {errors: [{code: 404, msg: "trace not found"}]}
      if (error instanceof HttpStatusError && error.status === 404) {
        throw new TraceNotFoundError(`trace ${traceId} was not found in Jaeger at ${this.baseUrl}`);
      }
      throw error;
    }
    const [first] = dataOf(body, url);
    if (first === undefined)
      throw new TraceNotFoundError(`trace ${traceId} was not found in Jaeger at ${this.baseUrl}`);
    return toTrace(first);
  }

  searchUrl(search: TraceSearch): string {
    const endUs = this.now() * 1000;
    const params = new URLSearchParams({ service: search.service });
    if (search.operation) params.set('operation', search.operation);
    if (search.tags && Object.keys(search.tags).length)
      params.set('tags', JSON.stringify(search.tags));
    params.set('start', String(endUs - search.lookbackMs * 1000));
    params.set('end', String(endUs));
    params.set('limit', String(search.limit));
    return `${this.baseUrl}/api/traces?${params.toString()}`;
  }

  async search(search: TraceSearch): Promise<JaegerTrace[]> {
    const url = this.searchUrl(search);
    return dataOf(await this.fetchJson(url), '/api/traces').map(toTrace);
  }
}
