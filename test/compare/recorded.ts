/**
 * Replays the Jaeger answers recorded from the real Jaeger by the e2e suite
 * (RECORD_FIXTURES=1 npm run test:e2e -- test/e2e/compare.test.ts).
 */
import { readFileSync } from 'node:fs';
import { HttpStatusError } from '../../src/compare/jaeger-client.js';
import type { FetchJson } from '../../src/compare/jaeger-client.js';

export interface Recorded {
  request: string;
  status: number;
  body: unknown;
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

/** A deep copy of a recorded body, safe to modify in a test. */
export function bodyOf(recording: Recorded): unknown {
  return structuredClone(recording.body);
}

/** What a search URL asks for, without the time window (which moves with the clock). */
function searchKey(url: URL): string {
  const p = url.searchParams;
  return JSON.stringify([url.pathname, p.get('service'), p.get('operation'), p.get('tags')]);
}

/** Answers requests from recordings, as defaultFetchJson would; anything else is a test bug. */
export function replaying(recordings: Recorded[]): FetchJson & { requests: string[] } {
  const requests: string[] = [];
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
    if (match.status >= 300)
      throw new HttpStatusError(match.status, raw, JSON.stringify(match.body));
    return structuredClone(match.body);
  };
  return Object.assign(fetchJson, { requests });
}
