/**
 * A client of Jaeger's query HTTP API (not the npm package jaeger-client, which the
 * services send their spans with): one trace by id, a search, the services and their
 * operations. It reads Jaeger's documented, stable API, `/api/v3` (OTLP JSON, read by
 * otlp.ts into the same model), where the Jaeger serves it, and else the UI's internal
 * `/api/traces` & co. Which one is settled by the first call, which asks
 * `/api/v3/services`: a 404, or a page that is not JSON (a Jaeger's UI answers paths it
 * does not know with its index.html), means /api/v3 is not served. The HTTP call is
 * injected so the tests can answer from recorded responses.
 */
import { dataOf, isArray, isObject, isString, JaegerApiError, toTrace } from './jaeger-api.js';
import type { JaegerTrace } from './jaeger-api.js';
import { tracesFromOtlp } from './otlp.js';

/** Fetches a URL and answers its parsed JSON body, or throws on a non-2xx status. */
export type FetchJson = (url: string) => Promise<unknown>;

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

/** An answer that is not JSON: a web page where an API was expected. */
export class NotJsonError extends JaegerApiError {}

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
    throw new NotJsonError(`${url} did not answer JSON: ${text.slice(0, 200)}`);
  }
};

export class TraceNotFoundError extends JaegerApiError {}

/** The query API a client reads: Jaeger's stable `/api/v3`, or its UI's `/api/traces` & co. */
export type QueryApi = '/api/v3' | '/api/traces';

/** A search for traces: the service, optionally the operation and tags, in a time window. */
export interface TraceSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  /** How far back to look, in milliseconds. */
  lookbackMs: number;
  limit: number;
}

export interface Operation {
  name: string;
  spanKind: string;
}

const isNotFound = (error: unknown) => error instanceof HttpStatusError && error.status === 404;

/** Whether one span of the trace carries every tag (in its tags, its process's or its logs). */
function hasTags(trace: JaegerTrace, tags: Record<string, string>): boolean {
  return trace.spans.some((span) => {
    const fields = [
      ...span.tags,
      ...(trace.processes[span.processID]?.tags ?? []),
      ...span.logs.flatMap((log) => log.fields),
    ];
    return Object.entries(tags).every(([key, value]) =>
      fields.some((f) => f.key === key && String(f.value) === value),
    );
  });
}

function operationsOf(list: unknown[], url: string): Operation[] {
  return list.map((item) => {
    if (!isObject(item) || !isString(item['name']))
      throw new JaegerApiError(`unexpected Jaeger answer from ${url}: an operation`);
    return { name: item['name'], spanKind: isString(item['spanKind']) ? item['spanKind'] : '' };
  });
}

/** The list in a /api/v3 answer, `{"services": […]}`; `{}` when empty (proto3 JSON omits it). */
function v3List(body: unknown, key: string, url: string): unknown[] {
  const empty = isObject(body) && Object.keys(body).length === 0;
  const list = empty ? [] : isObject(body) ? body[key] : undefined;
  if (!isArray(list)) throw new JaegerApiError(`${url} answered no "${key}" list`);
  return list;
}

export class JaegerQuery {
  readonly baseUrl: string;
  private probe: Promise<QueryApi> | undefined;
  private settled: QueryApi | undefined;
  /** Set once a search by tag found /api/v3 ignoring its attributes filter (Jaeger 2.13 does). */
  private v3IgnoresAttributes = false;

  constructor(
    baseUrl: string,
    private readonly fetchJson: FetchJson = defaultFetchJson,
    private readonly now: () => number = Date.now,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The API this client reads, asked of Jaeger once. */
  api(): Promise<QueryApi> {
    this.probe ??= this.askApi().then(
      (api) => (this.settled = api),
      (error: unknown) => {
        this.probe = undefined; // a Jaeger that was not up yet may be asked again
        throw error;
      },
    );
    return this.probe;
  }

  private async askApi(): Promise<QueryApi> {
    const url = `${this.baseUrl}/api/v3/services`;
    try {
      v3List(await this.fetchJson(url), 'services', url);
      return '/api/v3';
    } catch (error) {
      if (isNotFound(error) || error instanceof NotJsonError) return '/api/traces';
      throw error;
    }
  }

  /** Which API the traces were read through, in words; undefined before the first call. */
  apiInUse(): string | undefined {
    if (this.settled === '/api/traces') return '/api/traces (this Jaeger does not serve /api/v3)';
    if (this.settled && this.v3IgnoresAttributes) {
      return "/api/v3, and /api/traces to search by tag (this Jaeger's /api/v3 ignores the attributes filter)";
    }
    return this.settled;
  }

  async services(): Promise<string[]> {
    if ((await this.api()) === '/api/traces')
      return dataOf(await this.fetchJson(`${this.baseUrl}/api/services`), '/api/services').filter(
        isString,
      );
    const url = `${this.baseUrl}/api/v3/services`;
    return v3List(await this.fetchJson(url), 'services', url).filter(isString);
  }

  async operations(service: string): Promise<Operation[]> {
    const v3 = (await this.api()) === '/api/v3';
    const path = v3 ? '/api/v3/operations' : '/api/operations';
    const url = `${this.baseUrl}${path}?${new URLSearchParams({ service }).toString()}`;
    const body = await this.fetchJson(url);
    return operationsOf(v3 ? v3List(body, 'operations', url) : dataOf(body, path), url);
  }

  async trace(traceId: string): Promise<JaegerTrace> {
    const v3 = (await this.api()) === '/api/v3';
    const url = `${this.baseUrl}${v3 ? '/api/v3/traces' : '/api/traces'}/${encodeURIComponent(traceId)}`;
    const notFound = () =>
      new TraceNotFoundError(`trace ${traceId} was not found in Jaeger at ${this.baseUrl}`);
    let body: unknown;
    try {
      body = await this.fetchJson(url);
    } catch (error) {
      // an unknown id: 404, with {"error": {"message": "No traces found"}} from /api/v3 and
      // {"errors": [{"code": 404, "msg": "trace not found"}]} from /api/traces
      if (isNotFound(error)) throw notFound();
      throw error;
    }
    const [first] = v3 ? tracesFromOtlp(body) : dataOf(body, url).map(toTrace);
    if (first === undefined) throw notFound();
    return first;
  }

  async search(search: TraceSearch): Promise<JaegerTrace[]> {
    const byTag = search.tags !== undefined && Object.keys(search.tags).length > 0;
    if ((await this.api()) === '/api/traces' || (byTag && this.v3IgnoresAttributes))
      return this.searchUi(search);
    const traces = await this.searchV3(search);
    // a Jaeger that ignores query.attributes answers traces without the tags; /api/traces filters
    if (byTag && !traces.every((trace) => hasTags(trace, search.tags ?? {}))) {
      this.v3IgnoresAttributes = true;
      return this.searchUi(search);
    }
    return traces;
  }

  /** `/api/v3/traces?query.…`: the names Jaeger 2.13 reads (later ones read them too, as aliases). */
  private async searchV3(search: TraceSearch): Promise<JaegerTrace[]> {
    const end = this.now();
    const params = new URLSearchParams({ 'query.service_name': search.service });
    if (search.operation) params.set('query.operation_name', search.operation);
    if (search.tags && Object.keys(search.tags).length)
      params.set('query.attributes', JSON.stringify(search.tags));
    params.set('query.start_time_min', new Date(end - search.lookbackMs).toISOString());
    params.set('query.start_time_max', new Date(end).toISOString());
    params.set('query.num_traces', String(search.limit));
    try {
      return tracesFromOtlp(
        await this.fetchJson(`${this.baseUrl}/api/v3/traces?${params.toString()}`),
      );
    } catch (error) {
      if (isNotFound(error)) return []; // /api/v3 answers "No traces found" with a 404
      throw error;
    }
  }

  /** `/api/traces?service=…`, microseconds for the window, tags as a JSON object. */
  private async searchUi(search: TraceSearch): Promise<JaegerTrace[]> {
    const endUs = this.now() * 1000;
    const params = new URLSearchParams({ service: search.service });
    if (search.operation) params.set('operation', search.operation);
    if (search.tags && Object.keys(search.tags).length)
      params.set('tags', JSON.stringify(search.tags));
    params.set('start', String(endUs - search.lookbackMs * 1000));
    params.set('end', String(endUs));
    params.set('limit', String(search.limit));
    const url = `${this.baseUrl}/api/traces?${params.toString()}`;
    return dataOf(await this.fetchJson(url), '/api/traces').map(toTrace);
  }
}
