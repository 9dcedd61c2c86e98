/**
 * The query API client: which API it reads (/api/v3 where Jaeger serves it, else
 * /api/traces), what it asks each, the shape of Jaeger's answers, and (against a local
 * HTTP server standing in for Jaeger) HTTP failures mapped to clear errors.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JaegerApiError, toTrace } from '../../tools/compare/jaeger-api.js';
import {
  defaultFetchJson,
  HttpStatusError,
  JaegerQuery,
  JaegerUnreachableError,
  TraceNotFoundError,
} from '../../tools/compare/jaeger-query.js';
import {
  bodyOf,
  ids,
  idsV3,
  recorded,
  recordedV3,
  replaying,
  twins,
  v3NotServed,
} from './recorded.js';
import type { Recorded } from './recorded.js';

describe('toTrace, on recorded /api/traces answers', () => {
  const firstTrace = (recording: Recorded) =>
    (bodyOf(recording) as { data: Record<string, unknown>[] }).data[0] as Record<string, unknown>;

  it('accepts what the real Jaeger answered', () => {
    const trace = toTrace(firstTrace(recorded.instrumented));
    expect(trace.traceID).toBe(ids.instrumented);
    expect(trace.spans).toHaveLength(5);
    expect(
      Object.values(trace.processes)
        .map((p) => p.serviceName)
        .sort(),
    ).toEqual(['formatter', 'hello', 'istio-ingressgateway']);
  });

  it.each([
    [
      'a span without spanID',
      (t: Record<string, unknown>) =>
        delete (t['spans'] as Record<string, unknown>[])[0]?.['spanID'],
    ],
    [
      'a string duration',
      (t: Record<string, unknown>) =>
        (((t['spans'] as Record<string, unknown>[])[0] as Record<string, unknown>)['duration'] =
          '5ms'),
    ],
    ['no spans list', (t: Record<string, unknown>) => delete t['spans']],
    [
      'an object tag value',
      (t: Record<string, unknown>) => {
        const spans = t['spans'] as { tags: { value: unknown }[] }[];
        const tagged = spans.find((span) => span.tags.length > 0);
        (tagged?.tags[0] as { value: unknown }).value = { nested: true };
      },
    ],
  ])('rejects %s', (_what, breakIt) => {
    const raw = firstTrace(recorded.instrumented);
    breakIt(raw);
    expect(() => toTrace(raw)).toThrow(JaegerApiError);
  });
});

describe('JaegerQuery over HTTP (a local server whose unknown paths are 404s)', () => {
  let server: Server;
  let baseUrl: string;
  const answers = new Map<string, { status: number; body: string }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = answers.get(req.url ?? '') ?? { status: 404, body: '404 page not found' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const serve = (recording: Recorded) =>
    answers.set(recording.request, {
      status: recording.status,
      body: JSON.stringify(recording.body),
    });

  it('reads a trace and the service list through /api/traces where /api/v3 is a 404', async () => {
    serve(recorded.instrumented);
    serve(recorded.services);
    const client = new JaegerQuery(`${baseUrl}/`, defaultFetchJson);
    expect((await client.trace(ids.instrumented)).spans).toHaveLength(5);
    expect(await client.services()).toEqual(
      expect.arrayContaining(['hello', 'formatter', 'istio-ingressgateway']),
    );
    expect(client.apiInUse()).toBe('/api/traces (this Jaeger does not serve /api/v3)');
  });

  it('reads /api/v3 where it is served (status and body as recorded from Jaeger)', async () => {
    const v3 = new Map<string, Recorded>(
      [recordedV3.services, recordedV3.instrumented, recordedV3.notFound].map((r) => [
        r.request,
        r,
      ]),
    );
    const v3Server = createServer((req, res) => {
      const answer = v3.get(req.url ?? '');
      res
        .writeHead(answer?.status ?? 404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(answer ? JSON.stringify(answer.body) : '404 page not found');
    });
    await new Promise<void>((resolve) => v3Server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new JaegerQuery(
        `http://127.0.0.1:${(v3Server.address() as AddressInfo).port}`,
      );
      const trace = await client.trace(idsV3.instrumented);
      expect(trace.spans).toHaveLength(9);
      expect(client.apiInUse()).toBe('/api/v3');
      expect(await client.services()).toEqual(expect.arrayContaining(['hello', 'formatter']));
      const missing = recordedV3.notFound.request.split('/').pop() ?? '';
      await expect(client.trace(missing)).rejects.toThrow(
        `trace ${missing} was not found in Jaeger at http://127.0.0.1:`,
      );
    } finally {
      await new Promise<void>((resolve) => v3Server.close(() => resolve()));
    }
  });

  it("turns Jaeger's 404 answer into TraceNotFoundError", async () => {
    serve(recorded.notFound);
    const missing = recorded.notFound.request.split('/').pop() ?? '';
    await expect(new JaegerQuery(baseUrl).trace(missing)).rejects.toThrow(TraceNotFoundError);
  });

  it('says so when the URL is not a Jaeger query API', async () => {
    answers.set('/api/services', { status: 200, body: '<html>Jaeger UI</html>' });
    await expect(new JaegerQuery(baseUrl).services()).rejects.toThrow(/did not answer JSON/);
    answers.set('/api/services', { status: 200, body: '{"items": []}' });
    await expect(new JaegerQuery(baseUrl).services()).rejects.toThrow(/no "data" list/);
    answers.set('/api/services', {
      status: 500,
      body: '{"errors":[{"code":500,"msg":"storage down"}]}',
    });
    await expect(new JaegerQuery(baseUrl).services()).rejects.toThrow(/answered HTTP 500/);
    answers.set('/api/services', {
      status: 200,
      body: '{"data":null,"errors":[{"code":400,"msg":"bad query"}]}',
    });
    await expect(new JaegerQuery(baseUrl).services()).rejects.toThrow(/bad query/);
  });
});

describe('JaegerQuery: /api/v3, else /api/traces (recorded answers)', () => {
  const NOW = Date.parse('2026-11-25T12:00:00.000Z');
  const clientOf = (recordings: Recorded[]) => {
    const fetchJson = replaying(recordings);
    return {
      fetchJson,
      client: new JaegerQuery('http://jaeger:16686', fetchJson, () => NOW),
    };
  };
  const paths = (requests: string[]) => requests.map((r) => new URL(r).pathname);

  it('asks /api/v3/services once, then reads everything through /api/v3', async () => {
    const { client, fetchJson } = clientOf(Object.values(recordedV3));
    const [trace, found] = await Promise.all([
      client.trace(idsV3.instrumented),
      client.search({ service: 'hello.hello-opentracing', lookbackMs: 3_600_000, limit: 20 }),
    ]);
    expect(trace.traceID).toBe(idsV3.instrumented);
    expect(found.map((t) => t.traceID).sort()).toEqual(
      [idsV3.instrumented, idsV3.olderInstrumented, idsV3.otherRoute].sort(),
    );
    expect(await client.operations('hello')).toEqual([
      { name: 'GET /formatGreeting', spanKind: 'client' },
      { name: 'GET /sayHello/:name', spanKind: 'server' },
    ]);
    expect(paths(fetchJson.requests)).toEqual([
      '/api/v3/services',
      `/api/v3/traces/${idsV3.instrumented}`,
      '/api/v3/traces',
      '/api/v3/operations',
    ]);
    expect(client.apiInUse()).toBe('/api/v3');
  });

  it('searches /api/v3 by service, operation and attributes in an RFC 3339 window', async () => {
    const { client, fetchJson } = clientOf([recordedV3.services, recordedV3.searchEmpty]);
    await client.search({ service: 'no-such-service', lookbackMs: 7_200_000, limit: 20 });
    const url = new URL(fetchJson.requests[1] ?? '');
    expect(url.pathname).toBe('/api/v3/traces');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'query.service_name': 'no-such-service',
      'query.start_time_min': '2026-11-25T10:00:00.000Z',
      'query.start_time_max': '2026-11-25T12:00:00.000Z',
      'query.num_traces': '20',
    });
  });

  it("turns /api/v3's 404s into TraceNotFoundError and an empty search", async () => {
    const { client } = clientOf([recordedV3.services, recordedV3.notFound, recordedV3.searchEmpty]);
    const missing = recordedV3.notFound.request.split('/').pop() ?? '';
    await expect(client.trace(missing)).rejects.toThrow(TraceNotFoundError);
    expect(
      await client.search({ service: 'no-such-service', lookbackMs: 1000, limit: 20 }),
    ).toEqual([]);
  });

  it('searches by tag through /api/traces when /api/v3 ignores the attributes filter', async () => {
    const { client, fetchJson } = clientOf([...Object.values(recordedV3), twins.searchByTag]);
    const search = {
      service: 'hello',
      operation: 'GET /sayHello/:name',
      tags: { 'http.url': '/sayHello/Bender' },
      lookbackMs: 3_600_000,
      limit: 20,
    };
    // /api/v3 answered Fry's trace too (newer, so it would be "the latest"); /api/traces filtered
    expect(tracesOf(recordedV3.searchByTag)).toHaveLength(2);
    expect((await client.search(search)).map((t) => t.traceID)).toEqual([idsV3.olderInstrumented]);
    const asked = fetchJson.requests.map((r) => new URL(r));
    expect(asked.map((u) => u.pathname)).toEqual([
      '/api/v3/services',
      '/api/v3/traces',
      '/api/traces',
    ]);
    expect(JSON.parse(asked[1]?.searchParams.get('query.attributes') ?? '')).toEqual(search.tags);
    expect(client.apiInUse()).toBe(
      "/api/v3, and /api/traces to search by tag (this Jaeger's /api/v3 ignores the attributes filter)",
    );
    // once seen, the next search by tag goes straight to /api/traces
    await client.search(search);
    expect(paths(fetchJson.requests).slice(3)).toEqual(['/api/traces']);
  });

  it.each([
    ["the UI's page (what Jaeger answers for a path it does not serve)", v3NotServed.uiPage],
    ['a 404', v3NotServed.status404],
  ])('falls back to /api/traces when /api/v3/services answers %s', async (_what, answer) => {
    const { client, fetchJson } = clientOf([
      answer,
      recorded.instrumented,
      recorded.search,
      recorded.services,
    ]);
    expect(await client.api()).toBe('/api/traces');
    expect((await client.trace(ids.instrumented)).traceID).toBe(ids.instrumented);
    expect(await client.services()).toEqual(['hello', 'istio-ingressgateway', 'formatter']);
    expect(paths(fetchJson.requests)).toEqual([
      '/api/v3/services',
      `/api/traces/${ids.instrumented}`,
      '/api/services',
    ]);
    expect(client.apiInUse()).toBe('/api/traces (this Jaeger does not serve /api/v3)');
  });

  it('reads operations through /api/operations where /api/v3 is not served', async () => {
    const { client } = clientOf([v3NotServed.status404, twins.operations]);
    expect(await client.operations('hello')).toEqual([
      { name: 'GET /formatGreeting', spanKind: 'client' },
      { name: 'GET /sayHello/:name', spanKind: 'server' },
    ]);
  });

  it('does not fall back when Jaeger fails otherwise, and asks again after a failure', async () => {
    let calls = 0;
    const failing = async (url: string) => {
      calls++;
      if (calls === 1) throw new JaegerUnreachableError(`cannot reach Jaeger at ${url}`);
      throw new HttpStatusError(500, url, '{"error":{"httpCode":500,"message":"storage down"}}');
    };
    const client = new JaegerQuery('http://jaeger:16686', failing);
    await expect(client.trace(idsV3.instrumented)).rejects.toThrow(JaegerUnreachableError);
    await expect(client.trace(idsV3.instrumented)).rejects.toThrow(/answered HTTP 500/);
    expect(calls).toBe(2);
    expect(client.apiInUse()).toBeUndefined();
  });

  it('says so when /api/v3 answers JSON that is not its own', async () => {
    const client = new JaegerQuery('http://jaeger:16686', async () => ({ data: 1 }));
    await expect(client.api()).rejects.toThrow(/answered no "services" list/);
  });
});

function tracesOf(recording: Recorded) {
  const body = bodyOf(recording) as { result: { resourceSpans: { scopeSpans: unknown[] }[] } };
  const ids = new Set<string>();
  for (const rs of body.result.resourceSpans)
    for (const ss of rs.scopeSpans as { spans: { traceId: string }[] }[])
      for (const span of ss.spans) ids.add(span.traceId);
  return [...ids];
}
