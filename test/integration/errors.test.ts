/**
 * Faults and bad input: clear plain-text answers, error-tagged spans with a log saying
 * what happened, and tracing headers that can never fail a request.
 */
import { freePort as closedPort } from '../helpers/ports.js';
import { b3Headers, randomSpanId, randomTraceId, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

describe('formatter faults', () => {
  it('formatter unreachable: 502, an error-tagged client span with a log, and a log line', async () => {
    const port = await closedPort();
    const chain = await startChain({ helloEnv: { formatter_port: String(port) } });
    const traceId = randomTraceId();
    try {
      const answer = await chain.get('/sayHello/Bender', b3Headers(traceId, randomSpanId(), '1'));
      expect(answer.status).toBe(502);
      expect(answer.text).toBe('formatter is unavailable\n');
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      // hello stays ready: a formatter outage is a 502, not a cascade
      expect((await chain.get('/ready')).status).toBe(200);
      const spans = await chain.collector.waitFor(
        (s) => s.filter((x) => x.traceId === traceId).length === 2,
      );
      const client = spans.find((s) => s.operation === 'GET /formatGreeting');
      expect(client?.tags).toMatchObject({
        error: true,
        'error.kind': 'unreachable',
        'span.kind': 'client',
      });
      expect(client?.logs).toContainEqual(
        expect.objectContaining({ event: 'error', message: expect.stringMatching(/ECONNREFUSED/) }),
      );
      const server = spans.find((s) => s.operation === 'GET /sayHello/:name');
      expect(server?.tags).toMatchObject({ error: true, 'http.status_code': 502 });
      expect(chain.logs.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          service: 'hello',
          trace_id: traceId,
          message: 'GET /formatGreeting failed',
        }),
      );
    } finally {
      await chain.stop();
    }
  });

  it('formatter slower than FORMATTER_TIMEOUT_MS: 504 and a client span that says so', async () => {
    const chain = await startChain({ helloEnv: { FORMATTER_TIMEOUT_MS: '300' } });
    chain.proxy.behaviour = 'stall';
    const traceId = randomTraceId();
    try {
      const answer = await chain.get('/sayHello/Bender', b3Headers(traceId, randomSpanId(), '1'));
      expect(answer.status).toBe(504);
      expect(answer.text).toBe('formatter did not answer in time\n');
      const spans = await chain.collector.waitFor(
        (s) => s.filter((x) => x.traceId === traceId).length === 2,
      );
      const client = spans.find((s) => s.operation === 'GET /formatGreeting');
      expect(client?.tags).toMatchObject({ error: true, 'error.kind': 'timeout' });
      expect(client?.logs).toContainEqual(
        expect.objectContaining({ event: 'error', message: 'no answer within 300 ms' }),
      );
    } finally {
      await chain.stop();
    }
  });

  it('the headers-only route answers 502 too, with a log line', async () => {
    const port = await closedPort();
    const chain = await startChain({ helloEnv: { formatter_port: String(port) } });
    try {
      expect((await chain.get('/sayHello2/Bender')).status).toBe(502);
      expect(chain.logs.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          // one code path for both shapes: the same line the instrumented route logs
          message: 'GET /formatGreeting failed',
          'error.kind': 'unreachable',
        }),
      );
    } finally {
      await chain.stop();
    }
  });
});

describe('bad input', () => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await startChain();
  });
  afterAll(() => chain.stop());

  const formatter = (query: string) => chain.get(`/formatGreeting${query}`, {}, chain.formatter);

  it.each([
    ['/sayHello/', 'name is required: GET /sayHello/<name>\n'],
    ['/sayHello', 'name is required: GET /sayHello/<name>\n'],
    ['/sayHello2/', 'name is required: GET /sayHello2/<name>\n'],
    [`/sayHello/${'a'.repeat(257)}`, 'name is longer than 256 characters\n'],
  ])('hello %s -> 400', async (path, text) => {
    const answer = await chain.get(path);
    expect([answer.status, answer.text]).toEqual([400, text]);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it.each([
    ['', 'name is required'],
    ['?name=', 'name is required'],
    ['?name=a&name=b', 'name must be given once'],
    [`?name=${'x'.repeat(257)}`, 'name is longer than 256 characters'],
  ])('formatter /formatGreeting%s -> 400', async (query, message) => {
    const answer = await formatter(query);
    expect(answer.status).toBe(400);
    expect(answer.text).toBe(`${message}: GET /formatGreeting?name=<name>\n`);
  });

  const blanks: [string, string][] = [
    ['a space', ' '],
    ['spaces', '   '],
    ['a tab', '\t'],
    ['a newline between spaces', ' \n '],
    ['no-break space U+00A0', '\u00a0'],
    ['next line U+0085', '\u0085'],
    ['ideographic space U+3000', '\u3000'],
    ['line separator U+2028', '\u2028'],
    ['byte order mark U+FEFF', '\ufeff'],
  ];

  it.each(
    ['/sayHello', '/sayHello2'].flatMap((route) =>
      blanks.map(([label, blank]) => [route, label, blank]),
    ),
  )(
    'hello %s/<%s> -> 400: a name of only whitespace greets nobody',
    async (route, _label, blank) => {
      const answer = await chain.get(`${route}/${encodeURIComponent(blank)}`);
      expect([answer.status, answer.text]).toEqual([400, 'name is only whitespace\n']);
    },
  );

  it.each(blanks)('formatter ?name=<%s> -> 400', async (_label, blank) => {
    const answer = await formatter(`?name=${encodeURIComponent(blank)}`);
    expect([answer.status, answer.text]).toEqual([
      400,
      'name is only whitespace: GET /formatGreeting?name=<name>\n',
    ]);
  });

  it('keeps a name with whitespace around it as given (no trimming)', async () => {
    const answer = await chain.get(`/sayHello/${encodeURIComponent(' Bender\t')}`);
    expect([answer.status, answer.text]).toEqual([
      200,
      'Hello, puny human  Bender\t! Morbo asks: how do you like running on Kubernetes?',
    ]);
  });

  it('counts the 256 limit in characters (code points), not UTF-16 units or bytes', async () => {
    const name = '🤖'.repeat(256); // 512 UTF-16 units, 1024 bytes
    const answer = await chain.get(`/sayHello/${encodeURIComponent(name)}`);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(name);
    expect((await chain.get(`/sayHello/${encodeURIComponent(name + '🤖')}`)).status).toBe(400);
  });

  it.each(['Фрай', '李莉拉', 'Zoë & <b>Amy</b>', 'a/b?c#d', "O'Brien 100%"])(
    'round-trips the name %j',
    async (name) => {
      const answer = await chain.get(`/sayHello/${encodeURIComponent(name)}`);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(
        `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`,
      );
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it("Express's own 404 and error answers are plain text, never HTML", async () => {
    const notFound = await chain.get('/<script>alert(1)</script>');
    expect(notFound.status).toBe(404);
    expect(notFound.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(notFound.headers['x-content-type-options']).toBe('nosniff');
    const malformed = await chain.get('/sayHello/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(malformed.text).not.toMatch(/<html|<pre/i);
  });

  it.each([
    [
      'bad hex',
      { 'x-b3-traceid': 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'x-b3-spanid': '00f067aa0ba902b7' },
    ],
    ['parseInt-lax id', { 'x-b3-traceid': '1zzzzzzzzzzzzzzz', 'x-b3-spanid': '00f067aa0ba902b7' }],
    ['36-digit id', { 'x-b3-traceid': 'a'.repeat(36), 'x-b3-spanid': '00f067aa0ba902b7' }],
    [
      'upper case',
      { 'x-b3-traceid': 'ABCDEF0123456789ABCDEF0123456789', 'x-b3-spanid': '00f067aa0ba902b7' },
    ],
    ['all zeros', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': '0'.repeat(16) }],
    ['garbage traceparent', { traceparent: '00-xyz-abc-01' }],
    ['huge value', { 'x-b3-traceid': 'a'.repeat(8000), 'x-b3-spanid': 'b'.repeat(8000) }],
  ])(
    'malformed tracing headers (%s) start a new root trace and answer 200',
    async (_label, headers) => {
      const answer = await chain.get('/sayHello/Bender', headers);
      expect(answer.status).toBe(200);
      const arrived = chain.proxy.last();
      expect(arrived['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);
      expect(arrived['x-b3-traceid']).not.toBe((headers as Record<string, string>)['x-b3-traceid']);
      expect(arrived).not.toHaveProperty('x-b3-parentspanid', '00f067aa0ba902b7');
    },
  );
});
