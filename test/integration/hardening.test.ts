/**
 * Tracing metadata is input like any other: bounded baggage on the wire, a deliberate
 * header limit, credentials never logged or tagged, and the counts visible on /metrics.
 */
import http from 'node:http';
import { b3Headers, randomSpanId, randomTraceId, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

/** Raw request with exactly the headers given (node-fetch would add its own). */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

async function metricValue(
  chain: Chain,
  service: 'hello' | 'formatter',
  line: RegExp,
): Promise<number> {
  const target = service === 'hello' ? chain.hello : chain.formatter;
  const text = (await chain.get('/metrics', {}, target)).text;
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').at(-1)) : 0;
}

describe('baggage is bounded', () => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await startChain();
  });
  afterAll(() => chain.stop());

  it('forwards only allowlisted keys, however many baggage-* headers a client sends', async () => {
    const flood: Record<string, string> = {};
    for (let i = 0; i < 40; i++) flood[`baggage-junk-${i}`] = 'x'.repeat(1000);
    const answer = await chain.get('/sayHello/Bender', {
      ...flood,
      'uberctx-other': 'y',
      'user-agent': 'Netscape',
    });
    expect(answer.status).toBe(200);
    const sent = Object.keys(chain.proxy.last()).filter(
      (h) => h.startsWith('baggage-') || h.startsWith('uberctx-'),
    );
    expect(sent).toEqual(['baggage-user-agent']);
    expect(
      await metricValue(chain, 'hello', /^baggage_items_dropped_total\{reason="not-allowed"/),
    ).toBeGreaterThanOrEqual(40);
  });

  it('caps a value at 256 bytes (whole characters) and says so on the span', async () => {
    const traceId = randomTraceId();
    const longAgent = `Netscape ${'é'.repeat(300)}`;
    await chain.get('/sayHello/Bender', {
      ...b3Headers(traceId, randomSpanId(), '1'),
      'user-agent': longAgent,
    });
    const sent = chain.proxy.last()['baggage-user-agent'] as string;
    const decoded = decodeURIComponent(sent);
    expect(Buffer.byteLength(decoded)).toBeLessThanOrEqual(256);
    expect(longAgent.startsWith(decoded)).toBe(true);
    const spans = await chain.collector.waitFor(
      (s) => s.filter((x) => x.traceId === traceId).length === 4,
    );
    const helloServer = spans.find(
      (s) => s.traceId === traceId && s.operation === 'GET /sayHello/:name',
    );
    expect(helloServer?.logs).toContainEqual(
      expect.objectContaining({ event: 'baggage', key: 'user-agent', truncated: 'true' }),
    );
  });

  it('truncates inbound baggage too, logging it on the server span and counting it', async () => {
    const traceId = randomTraceId();
    const before = await metricValue(chain, 'formatter', /^baggage_items_truncated_total/);
    await chain.get(
      `/formatGreeting?name=Amy`,
      { ...b3Headers(traceId, randomSpanId(), '1'), 'baggage-user-agent': 'N'.repeat(1000) },
      chain.formatter,
    );
    const spans = await chain.collector.waitFor(
      (s) => s.filter((x) => x.traceId === traceId).length === 2,
    );
    const server = spans.find(
      (s) => s.traceId === traceId && s.operation === 'GET /formatGreeting',
    );
    expect(server?.tags['baggage.user-agent']).toBe('N'.repeat(256));
    expect(server?.logs).toContainEqual(
      expect.objectContaining({
        event: 'baggage truncated',
        key: 'user-agent',
        'original.bytes': 1000,
        'kept.bytes': 256,
      }),
    );
    expect(await metricValue(chain, 'formatter', /^baggage_items_truncated_total/)).toBe(
      before + 1,
    );
  });
});

describe('counts in the logs', () => {
  it('writes the dropped-baggage count to the log, at most once per interval and only when it moved', async () => {
    const chain = await startChain({ env: { STATS_LOG_INTERVAL_MS: '1000' } });
    try {
      await chain.get('/sayHello/Bender', { 'baggage-a': '1', 'baggage-b': '2', 'baggage-c': '3' });
      const deadline = Date.now() + 5000;
      while (
        !chain.logs.withMessage('tracing stats').some((l) => l.service === 'hello') &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const first = chain.logs.withMessage('tracing stats').find((l) => l.service === 'hello');
      expect(first).toMatchObject({ baggage_dropped: 3, spans_started: 2 });
      await new Promise((resolve) => setTimeout(resolve, 1200)); // nothing new happened in between...
      expect(
        chain.logs.withMessage('tracing stats').filter((l) => l.service === 'hello'),
      ).toHaveLength(1); // ...so no new line
    } finally {
      await chain.stop();
    }
  });
});

describe('header size limit (60 KiB, as Envoy)', () => {
  it('serves a header block just under the limit and answers 431 just over it', async () => {
    const chain = await startChain();
    try {
      const port = chain.formatter.port;
      const filler = (bytes: number) => ({ 'x-filler': 'f'.repeat(bytes) });
      // Node counts the whole header block; leave room for the request line and host header
      expect(await rawGet(port, '/formatGreeting?name=Amy', filler(60 * 1024 - 200))).toBe(200);
      expect(await rawGet(port, '/formatGreeting?name=Amy', filler(60 * 1024 + 10))).toBe(431);
      // Node's default (16 KiB) would have refused what Envoy lets through
      expect(await rawGet(port, '/formatGreeting?name=Amy', filler(32 * 1024))).toBe(200);
    } finally {
      await chain.stop();
    }
  });
});

describe('credentials never reach logs or spans', () => {
  it('redacts authorization, cookie and proxy-authorization', async () => {
    const chain = await startChain(); // LOG_LEVEL=debug: request headers are logged (redacted)
    const traceId = randomTraceId();
    const secrets = {
      authorization: 'Bearer s3cr3t-token',
      cookie: 'session=s3cr3t-cookie',
      'proxy-authorization': 'Basic s3cr3t-proxy',
    };
    try {
      await chain.get('/sayHello/Bender', {
        ...b3Headers(traceId, randomSpanId(), '1'),
        ...secrets,
      });
      await chain.collector.waitFor((s) => s.filter((x) => x.traceId === traceId).length === 4);
    } finally {
      await chain.stop();
    }
    const logged = chain.logs.withMessage('request headers');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]?.['headers']).toMatchObject({
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
    });
    const everything = JSON.stringify(chain.logs.lines) + JSON.stringify(chain.collector.spans);
    expect(everything).not.toMatch(/s3cr3t/);
    // and hello does not pass credentials on to formatter
    expect(chain.proxy.last()).not.toHaveProperty('authorization');
  });
});

describe('/metrics', () => {
  it('shows requests by route and status, and spans the tracer started and reported', async () => {
    const chain = await startChain();
    try {
      await chain.get('/sayHello/Bender');
      await chain.get('/sayHello/');
      await chain.collector.waitFor((s) => s.length >= 4);
      // the reporter counts a batch once the collector's answer is back: poll, bounded
      const deadline = Date.now() + 5000;
      let text = (await chain.get('/metrics')).text;
      while (
        !/reporter_spans\{result="ok",service="hello"\} 2$/m.test(text) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        text = (await chain.get('/metrics')).text;
      }
      expect(text).toMatch(
        /^http_server_requests_total\{route="\/sayHello\/:name",method="GET",status="200",service="hello"\} 1$/m,
      );
      expect(text).toMatch(
        /^http_server_requests_total\{route="\/sayHello\|\/sayHello2",method="GET",status="400",service="hello"\} 1$/m,
      );
      expect(text).toMatch(
        /^http_server_request_duration_seconds_count\{service="hello",route="\/sayHello\/:name",method="GET",status="200"\} 1$/m,
      );
      expect(text).toMatch(/^hello_app_jaeger:started_spans\{sampled="y",service="hello"\} 2$/m);
      expect(text).toMatch(/^hello_app_jaeger:reporter_spans\{result="ok",service="hello"\} 2$/m);
      expect(text).not.toMatch(/reporter_spans\{result="dropped"[^}]*\} [1-9]/);
    } finally {
      await chain.stop();
    }
  });
});
