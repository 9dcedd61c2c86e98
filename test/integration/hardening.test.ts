/**
 * Tracing metadata is input like any other: bounded baggage on the wire, a deliberate
 * header limit, credentials never logged or tagged, and the counts visible on /metrics.
 */
import { createSocket } from 'node:dgram';
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

/** Scrapes a service's /metrics until `done` holds (the reporter counts after each flush), bounded. */
async function scrapeUntil(
  chain: Chain,
  done: (text: string) => boolean,
  target = chain.hello,
): Promise<string> {
  const deadline = Date.now() + 5000;
  let text = (await chain.get('/metrics', {}, target)).text;
  while (!done(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    text = (await chain.get('/metrics', {}, target)).text;
  }
  return text;
}

/** `# HELP` text per metric name, as a Prometheus scrape reads it. */
function helpLines(text: string): Map<string, string> {
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# HELP (\S+) (.*)$/.exec(line);
    if (match) help.set(match[1] as string, match[2] as string);
  }
  return help;
}

/** A UDP port on loopback that nothing listens on: a Jaeger agent that is not there. */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** hello's first `tracing stats` line that satisfies `want` (else its last one), waiting for it, bounded. */
async function statsLine(chain: Chain, want: (line: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 5000;
  const lines = () => chain.logs.withMessage('tracing stats').filter((l) => l.service === 'hello');
  while (!lines().some(want) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return lines().find(want) ?? lines().at(-1);
}

describe('/metrics', () => {
  it('shows requests by route and status, and spans the tracer started and the collector acknowledged', async () => {
    const chain = await startChain({ env: { STATS_LOG_INTERVAL_MS: '1000' } });
    try {
      await chain.get('/sayHello/Bender');
      await chain.get('/sayHello/');
      await chain.collector.waitFor((s) => s.length >= 4);
      // the reporter counts a batch once the collector's answer is back: poll, bounded
      const text = await scrapeUntil(chain, (t) =>
        /reporter_spans\{result="acknowledged",service="hello"\} 2$/m.test(t),
      );
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
      expect(text).toMatch(
        /^hello_app_jaeger:reporter_spans\{result="acknowledged",service="hello"\} 2$/m,
      );
      // HTTP gets an answer for every batch: nothing is counted as merely "sent"
      expect(text).not.toMatch(/reporter_spans\{result="(sent|ok)"/);
      expect(text).toMatch(
        /^hello_app_jaeger:reporter_spans\{result="dropped",service="hello"\} 0$/m,
      );
      expect(text).toMatch(/^hello_app_jaeger:reporter_spans\{result="err",service="hello"\} 0$/m);
      expect(helpLines(text).get('hello_app_jaeger:reporter_spans')).toContain(
        'result="acknowledged" the collector answered the HTTP POST with 2xx',
      );
      expect(await statsLine(chain, (l) => l['spans_acknowledged'] === 2)).toMatchObject({
        spans_acknowledged: 2,
        spans_failed: 0,
        spans_dropped: 0,
      });
      expect(await statsLine(chain, () => true)).not.toHaveProperty('spans_sent');
    } finally {
      await chain.stop();
    }
  });

  it('over UDP to an agent nobody runs, counts spans as sent (not delivered) and says so in HELP', async () => {
    const port = await deadUdpPort();
    const chain = await startChain({
      env: {
        JAEGER_ENDPOINT: '',
        JAEGER_AGENT_HOST: '127.0.0.1',
        JAEGER_AGENT_PORT: String(port),
        STATS_LOG_INTERVAL_MS: '1000',
      },
    });
    try {
      expect((await chain.get('/sayHello/Bender')).status).toBe(200);
      const text = await scrapeUntil(chain, (t) =>
        /reporter_spans\{result="sent",service="hello"\} 2$/m.test(t),
      );
      // what a user sees: two spans handed to a socket nobody reads, and nothing that says "ok"
      expect(text).toMatch(/^hello_app_jaeger:reporter_spans\{result="sent",service="hello"\} 2$/m);
      expect(text).not.toMatch(/reporter_spans\{result="ok"/);
      expect(text).not.toMatch(/reporter_spans\{result="acknowledged"/);
      const help = helpLines(text);
      expect(help.get('hello_app_jaeger:reporter_spans')).toContain(
        'result="sent" handed to the UDP socket for the agent (UDP has no acknowledgement: sent, not known to be delivered)',
      );
      // every tracer metric says what it counts (jaeger-client's own factory repeats the name)
      const says: Record<string, RegExp> = {
        'hello_app_jaeger:traces':
          /^Traces this service took part in: state="started" .* state="joined" continued an inbound one/,
        'hello_app_jaeger:started_spans': /^Spans started, by sampling decision/,
        'hello_app_jaeger:finished_spans': /^Sampled spans finished and handed to the reporter/,
        'hello_app_jaeger:reporter_spans':
          /^Finished sampled spans by what became of them: result="sent" /,
        'hello_app_jaeger:baggage_updates':
          /^setBaggageItem calls: result="ok" set, result="err" refused/,
        'hello_app_jaeger:baggage_truncations':
          /^setBaggageItem values cut to BAGGAGE_MAX_VALUE_BYTES$/,
      };
      const tracerHelp = [...help].filter(([name]) => name.startsWith('hello_app_jaeger:'));
      expect(tracerHelp.map(([name]) => name).sort()).toEqual(Object.keys(says).sort());
      for (const [name, text] of tracerHelp) expect(text).toMatch(says[name] as RegExp);
      // the stats line uses the same word
      expect(await statsLine(chain, (l) => l['spans_sent'] === 2)).toMatchObject({
        spans_sent: 2,
        spans_failed: 0,
        spans_dropped: 0,
      });
      expect(await statsLine(chain, () => true)).not.toHaveProperty('spans_acknowledged');
    } finally {
      await chain.stop();
    }
  });
});
