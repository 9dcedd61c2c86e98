/**
 * Replays answers recorded from the real Jaeger. Two sets:
 * - `recorded`: Jaeger's UI API, `/api/traces` & co. (test/fixtures/jaeger/*.json), recorded
 *   by the e2e suite (RECORD_FIXTURES=1 npm run test:e2e -- test/e2e/compare.test.ts);
 * - `recordedV3`: its stable `/api/v3` (test/fixtures/jaeger/v3/*.json, each with its `api`),
 *   recorded from Jaeger v2.13.0 and `npm run mesh` by test/fixtures/jaeger/v3/record.js,
 *   with `twins`: the same traces (and the search by tag) as `/api/traces` answered them.
 */
import { readFileSync } from 'node:fs';
import { HttpStatusError, NotJsonError } from '../../tools/compare/jaeger-query.js';
import type { FetchJson } from '../../tools/compare/jaeger-query.js';

export interface Recorded {
  /** Which API answered (the v3 set says so; the /api/traces set is all /api/traces). */
  api?: string;
  request: string;
  status: number;
  /** The answer, parsed; `text` instead when it was not JSON. */
  body?: unknown;
  text?: string;
}

function load<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/jaeger/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

export const recorded = {
  instrumented: load<Recorded>('instrumented-trace.json'),
  headersOnly: load<Recorded>('headers-only-trace.json'),
  search: load<Recorded>('search-hello.json'),
  services: load<Recorded>('services.json'),
  notFound: load<Recorded>('not-found.json'),
};

export const ids = load<{
  instrumented: string;
  headersOnly: string;
  latestOfSearch: string;
  olderOfSearch: string;
  userAgent: string;
}>('ids.json');

/** The mesh's traces through /api/v3, and what else the recorder sent and asked. */
export const recordedV3 = {
  services: load<Recorded>('v3/services.json'),
  operations: load<Recorded>('v3/operations-hello.json'),
  /** Netscape to /sayHello/Fry, through the zipkin mesh: 9 spans. */
  instrumented: load<Recorded>('v3/instrumented-trace.json'),
  headersOnly: load<Recorded>('v3/headers-only-trace.json'),
  /** The same request through the mesh with Istio's OpenTelemetry provider (Envoy over OTLP). */
  otelInstrumented: load<Recorded>('v3/otel-instrumented-trace.json'),
  /** OTLP spans with a status, links, a scope, kinds and typed attributes. */
  otlpFeatures: load<Recorded>('v3/otlp-features-trace.json'),
  /** jaeger-client spans: an error tag, logs with and without an event, FOLLOWS_FROM; 64-bit id. */
  jaegerClientFeatures: load<Recorded>('v3/jaeger-client-features-trace.json'),
  /** Service hello.hello-opentracing: Bender and Fry (/sayHello), Leela (/sayHello2). */
  searchInstrumented: load<Recorded>('v3/search-instrumented.json'),
  searchHeadersOnly: load<Recorded>('v3/search-headers-only.json'),
  /** hello, GET /sayHello/:name, query.attributes http.url=/sayHello/Bender: Jaeger 2.13 ignores it. */
  searchByTag: load<Recorded>('v3/search-by-tag.json'),
  searchEmpty: load<Recorded>('v3/search-empty.json'),
  notFound: load<Recorded>('v3/not-found.json'),
  /** What this Jaeger answers for a path it does not serve: its UI's page, HTTP 200. */
  unservedPath: load<Recorded>('v3/unserved-path.json'),
};

/** The same as `recordedV3`, answered by `/api/traces`. */
export const twins = {
  operations: load<Recorded>('v3/operations-hello.api-traces.json'),
  instrumented: load<Recorded>('v3/instrumented-trace.api-traces.json'),
  headersOnly: load<Recorded>('v3/headers-only-trace.api-traces.json'),
  otelInstrumented: load<Recorded>('v3/otel-instrumented-trace.api-traces.json'),
  otlpFeatures: load<Recorded>('v3/otlp-features-trace.api-traces.json'),
  jaegerClientFeatures: load<Recorded>('v3/jaeger-client-features-trace.api-traces.json'),
  searchByTag: load<Recorded>('v3/search-by-tag.api-traces.json'),
};

export const idsV3 = load<{
  instrumented: string;
  headersOnly: string;
  olderInstrumented: string;
  otherRoute: string;
  otelInstrumented: string;
  otlpFeatures: string;
  jaegerClientFeatures: string;
  userAgent: string;
}>('v3/ids.json');

/**
 * /api/v3/services on a Jaeger that does not serve /api/v3: what the recorded Jaeger answers
 * for a path it does not serve (its UI's page), or, as a proxy or another backend would, 404.
 */
export const v3NotServed = {
  uiPage: { ...recordedV3.unservedPath, request: '/api/v3/services' },
  status404: { request: '/api/v3/services', status: 404, text: '404 page not found\n' },
} satisfies Record<string, Recorded>;

/** A deep copy of a recorded body, safe to modify in a test. */
export function bodyOf(recording: Recorded): unknown {
  return structuredClone(recording.body);
}

/** The search time windows move with the clock: a search is matched without them. */
const WINDOW = ['start', 'end', 'query.start_time_min', 'query.start_time_max'];

function searchKey(url: URL): string {
  const params = [...url.searchParams]
    .filter(([key]) => !WINDOW.includes(key))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([url.pathname, params]);
}

/**
 * Answers requests from recordings, as defaultFetchJson would; anything else is a test bug.
 * Recordings with no /api/v3 answer among them replay a Jaeger that does not serve /api/v3:
 * /api/v3/services gets its UI's page (v3NotServed.uiPage), so the client reads /api/traces.
 */
export function replaying(given: Recorded[]): FetchJson & { requests: string[] } {
  const requests: string[] = [];
  const servesV3 = given.some((r) => r.request.startsWith('/api/v3/'));
  const recordings = servesV3 ? given : [...given, v3NotServed.uiPage];
  const fetchJson = async (raw: string) => {
    requests.push(raw);
    const url = new URL(raw);
    const match = recordings.find((r) => {
      const recordedUrl = new URL(r.request, 'http://recorded');
      return url.search && recordedUrl.search
        ? searchKey(url) === searchKey(recordedUrl)
        : url.pathname === recordedUrl.pathname;
    });
    if (!match) throw new Error(`no recording for ${raw}`);
    const text = match.text ?? JSON.stringify(match.body);
    if (match.status >= 300) throw new HttpStatusError(match.status, raw, text);
    if (match.text !== undefined) throw new NotJsonError(`${raw} did not answer JSON: ${text}`);
    return structuredClone(match.body);
  };
  return Object.assign(fetchJson, { requests });
}
