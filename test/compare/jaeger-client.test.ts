/**
 * The query API client: checks the shape of Jaeger's answers, and (against a local HTTP
 * server standing in for Jaeger) maps HTTP failures to clear errors.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JaegerApiError, toTrace } from '../../src/compare/jaeger-api.js';
import {
  defaultFetchJson,
  JaegerQueryClient,
  TraceNotFoundError,
} from '../../src/compare/jaeger-client.js';
import { bodyOf, ids, recorded } from './recorded.js';
import type { Recorded } from './recorded.js';

describe('toTrace', () => {
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

describe('JaegerQueryClient over HTTP', () => {
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

  it('reads a trace and the service list as Jaeger answers them', async () => {
    serve(recorded.instrumented);
    serve(recorded.services);
    const client = new JaegerQueryClient(`${baseUrl}/`, defaultFetchJson);
    expect((await client.trace(ids.instrumented)).spans).toHaveLength(5);
    expect(await client.services()).toEqual(
      expect.arrayContaining(['hello', 'formatter', 'istio-ingressgateway']),
    );
  });

  it("turns Jaeger's 404 answer into TraceNotFoundError", async () => {
    serve(recorded.notFound);
    const missing = recorded.notFound.request.split('/').pop() ?? '';
    await expect(new JaegerQueryClient(baseUrl).trace(missing)).rejects.toThrow(TraceNotFoundError);
  });

  it('says so when the URL is not a Jaeger query API', async () => {
    answers.set('/api/services', { status: 200, body: '<html>Jaeger UI</html>' });
    await expect(new JaegerQueryClient(baseUrl).services()).rejects.toThrow(/did not answer JSON/);
    answers.set('/api/services', { status: 200, body: '{"items": []}' });
    await expect(new JaegerQueryClient(baseUrl).services()).rejects.toThrow(/no "data" list/);
    answers.set('/api/services', {
      status: 500,
      body: '{"errors":[{"code":500,"msg":"storage down"}]}',
    });
    await expect(new JaegerQueryClient(baseUrl).services()).rejects.toThrow(/answered HTTP 500/);
    answers.set('/api/services', {
      status: 200,
      body: '{"data":null,"errors":[{"code":400,"msg":"bad query"}]}',
    });
    await expect(new JaegerQueryClient(baseUrl).services()).rejects.toThrow(/bad query/);
  });
});
