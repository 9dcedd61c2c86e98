/**
 * Faults under load, with figures: the production build as real processes, a few
 * thousand requests per case, counts printed at the end (the README's reliability
 * section is pasted from them). Run by `npm run test:faults` (and .ci/run).
 */
import { freePort } from '../helpers/ports.js';
import { ServiceProcess } from '../helpers/process.js';
import { ThriftCollector } from '../helpers/thrift-collector.js';
import { countBy, drive, get, percentile } from './load.js';
import http from 'node:http';

const REQUESTS = Number(process.env['FAULT_REQUESTS'] ?? 2000);
const CONCURRENCY = 8;
const figures: string[] = [];
const running: ServiceProcess[] = [];

function start(env: Record<string, string>): ServiceProcess {
  const service = new ServiceProcess({ LOG_LEVEL: 'warn', ...env });
  running.push(service);
  return service;
}

/** The service logs only warnings here; "listening" is info, so wait for /health instead. */
async function healthy(port: number): Promise<void> {
  const agent = new http.Agent();
  const deadline = Date.now() + 10_000;
  while ((await get(`http://127.0.0.1:${port}/health`, agent)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`port ${port} never became healthy`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  agent.destroy();
}

async function chain(env: Record<string, string>) {
  const formatterPort = await freePort();
  const helloPort = await freePort();
  const formatter = start({ app_name: 'formatter', PORT: String(formatterPort), ...env });
  const hello = start({
    app_name: 'hello',
    PORT: String(helloPort),
    formatter_host: '127.0.0.1',
    formatter_port: String(formatterPort),
    ...env,
  });
  await healthy(formatterPort);
  await healthy(helloPort);
  return {
    formatter,
    hello,
    formatterPort,
    helloPort,
    url: (i: number) => `http://127.0.0.1:${helloPort}/sayHello/n${i}`,
  };
}

function jaegerComplaints(service: ServiceProcess): number {
  return service.logs().filter((l) => l['component'] === 'jaeger-client').length;
}

afterEach(() => running.splice(0).forEach((s) => s.kill()));
afterAll(() =>
  process.stdout.write(
    `\nFault figures (${REQUESTS} requests per case, ${CONCURRENCY} concurrent):\n${figures.join('\n')}\n\n`,
  ),
);

describe('faults under load', () => {
  it.each([
    [
      'collector port closed',
      async () => ({ JAEGER_ENDPOINT: `http://127.0.0.1:${await freePort()}/api/traces` }),
    ],
    [
      'agent host does not resolve',
      async () => ({ JAEGER_AGENT_HOST: 'jaeger.does-not-exist.invalid' }),
    ],
  ])(
    'Jaeger unreachable (%s): no failed request, one complaint per interval',
    async (label, envFor) => {
      const c = await chain({ ...(await envFor()), JAEGER_REPORTER_FLUSH_INTERVAL: '50' });
      const started = Date.now();
      const outcomes = await drive(c.url, REQUESTS, CONCURRENCY);
      const seconds = (Date.now() - started) / 1000;
      const failed = outcomes.filter((o) => o.status !== 200).length;
      const complaints = jaegerComplaints(c.hello) + jaegerComplaints(c.formatter);
      figures.push(
        `- Jaeger unreachable (${label}): ${outcomes.length} requests in ${seconds.toFixed(1)} s, ${failed} failed, p99 ${percentile(
          outcomes.map((o) => o.latencyMs),
          99,
        )} ms, tracer complaints logged: ${complaints} (2 services, 1 per 30 s each)`,
      );
      expect(failed).toBe(0);
      expect(jaegerComplaints(c.hello)).toBeLessThanOrEqual(1 + Math.floor(seconds / 30));
      expect(jaegerComplaints(c.formatter)).toBeLessThanOrEqual(1 + Math.floor(seconds / 30));
    },
  );

  it('formatter killed mid-run and restarted: 502/504 within the timeout, then recovery without restarting hello', async () => {
    const collector = await new ThriftCollector().start();
    try {
      const env = { JAEGER_ENDPOINT: collector.endpoint, FORMATTER_TIMEOUT_MS: '1000' };
      const c = await chain(env);
      const phase = Math.floor(REQUESTS / 3);
      // phase 1: formatter is SIGKILLed halfway through, with requests in flight
      const first = await drive(c.url, phase, CONCURRENCY, (done) => {
        if (done === Math.floor(phase / 2)) c.formatter.signal('SIGKILL');
      });
      await c.formatter.exited;
      // phase 2: the outage
      const during = await drive(c.url, phase, CONCURRENCY);
      // phase 3: formatter is back on its port; the same hello process carries on
      start({ app_name: 'formatter', PORT: String(c.formatterPort), ...env });
      await healthy(c.formatterPort);
      const after = await drive(c.url, phase, CONCURRENCY);
      const maxOutage = Math.max(...during.map((o) => o.latencyMs));
      figures.push(
        `- formatter SIGKILLed mid-run, then restarted: run with the kill ${JSON.stringify(countBy(first))}; outage ${JSON.stringify(countBy(during))} (slowest ${maxOutage} ms, timeout 1000 ms); after restart ${JSON.stringify(countBy(after))}; hello restarted: no`,
      );
      expect(first.every((o) => [200, 502, 504].includes(o.status))).toBe(true);
      expect(during.every((o) => o.status === 502 || o.status === 504)).toBe(true);
      expect(maxOutage).toBeLessThan(1000 + 500);
      expect(after.every((o) => o.status === 200)).toBe(true);
      expect((await get(`http://127.0.0.1:${c.helloPort}/ready`, new http.Agent())).status).toBe(
        200,
      );
    } finally {
      await collector.stop();
    }
  });

  it('SIGTERM to hello under load: every accepted request answered, every finished request traced', async () => {
    const collector = await new ThriftCollector().start();
    const c = await chain({
      JAEGER_ENDPOINT: collector.endpoint,
      JAEGER_REPORTER_FLUSH_INTERVAL: '5000',
    });
    let signalledAt = Infinity;
    const outcomes = await drive(c.url, REQUESTS, CONCURRENCY, (done) => {
      if (done === Math.floor(REQUESTS / 2)) {
        c.hello.signal('SIGTERM');
        signalledAt = Date.now();
      }
    });
    const exitCode = await c.hello.exited;
    c.formatter.signal('SIGTERM');
    await c.formatter.exited;
    const answered = outcomes.filter((o) => o.status !== 0);
    const ok = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 0);
    const helloSpans = collector.spans.filter((s) => s.service === 'hello').length;
    const serverSpans = collector.spans.filter(
      (s) => s.service === 'hello' && s.operation === 'GET /sayHello/:name',
    ).length;
    figures.push(
      `- SIGTERM to hello at request ${Math.floor(REQUESTS / 2)}: ${answered.length} answered (${ok.length} × 200, ${answered.length - ok.length} other), ${refused.length} not accepted after the signal (${JSON.stringify(countBy(refused))}); hello spans expected ${ok.length * 2}, received ${helloSpans}; exit code ${exitCode}`,
    );
    expect(exitCode).toBe(0);
    expect(answered.every((o) => o.status === 200)).toBe(true);
    expect(refused.every((o) => o.startedAt >= signalledAt - 50)).toBe(true); // only after the signal
    expect(serverSpans).toBe(ok.length);
    expect(helloSpans).toBe(ok.length * 2);
    await collector.stop();
  });

  it('slow collector: latency next to a normal one; spans dropped only when the queue is full, and counted', async () => {
    const rows: string[] = [];
    for (const [label, delayMs, queue] of [
      ['normal collector', 0, '10000'],
      ['collector answering after 3 s', 3000, '10000'],
      ['collector answering after 3 s, queue 500', 3000, '500'],
    ] as const) {
      const collector = await new ThriftCollector().start();
      collector.answerDelayMs = delayMs;
      const c = await chain({
        JAEGER_ENDPOINT: collector.endpoint,
        JAEGER_REPORTER_TIMEOUT: '10000',
        JAEGER_REPORTER_MAX_QUEUE_SIZE: queue,
        TRACER_CLOSE_TIMEOUT_MS: '5000',
      });
      const started = Date.now();
      const outcomes = await drive(c.url, REQUESTS, CONCURRENCY);
      const seconds = (Date.now() - started) / 1000;
      const metrics = await new Promise<string>((resolve) => {
        http.get(`http://127.0.0.1:${c.helloPort}/metrics`, { agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
      });
      const dropped = Number(
        /reporter_spans\{result="dropped"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0,
      );
      c.hello.signal('SIGTERM');
      c.formatter.signal('SIGTERM');
      await Promise.all([c.hello.exited, c.formatter.exited]);
      const received = collector.spans.filter((s) => s.service === 'hello').length;
      // spans still queued when the close deadline passed are reported in hello's log
      const notFlushed = c.hello
        .logs()
        .filter((l) => l['message'] === 'tracer close deadline passed')
        .reduce((sum, l) => sum + Number(l['spans_not_flushed']), 0);
      const latencies = outcomes.map((o) => o.latencyMs);
      rows.push(
        `  - ${label}: ${(outcomes.length / seconds).toFixed(0)} req/s, p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, failed ${outcomes.filter((o) => o.status !== 200).length}; hello spans ${outcomes.length * 2} made, ${received} received, ${dropped} dropped at the full queue, ${notFlushed} left queued at the shutdown deadline (both counted; a batch in flight then was received but not acknowledged)`,
      );
      expect(outcomes.every((o) => o.status === 200)).toBe(true);
      if (queue === '10000')
        expect(dropped).toBe(0); // room in the queue: nothing is lost
      else expect(dropped).toBeGreaterThan(0);
      expect(received + dropped + notFlushed).toBe(outcomes.length * 2);
      if (delayMs === 0) expect(received).toBe(outcomes.length * 2);
      await collector.stop();
    }
    figures.push(
      `- slow collector (HTTP transport, one batch in flight, bounded queue):\n${rows.join('\n')}`,
    );
  });
});
