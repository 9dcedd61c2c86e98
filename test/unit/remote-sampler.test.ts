/**
 * The remote sampler's queries, against a strategy server the test runs: what it asks,
 * what it does with an answer, a refusal, an error page and silence, and that nothing it
 * runs keeps the process alive.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JaegerLogger } from '../../src/tracing/jaeger/jaeger-client.js';
import { RemoteSampler } from '../../src/tracing/jaeger/remote-sampler.js';
import type { RemoteSamplerOptions } from '../../src/tracing/jaeger/remote-sampler.js';

const PLAIN_V2 = '{"strategyType":0,"probabilisticSampling":{"samplingRate":0.5}}';
const PER_OPERATION_V2 =
  '{"strategyType":0,"probabilisticSampling":{"samplingRate":0},"operationSampling":{"defaultSamplingProbability":0,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"GET /sayHello/:name","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}';

/** Answers every query with `answer`; 'silence' accepts and never answers. */
class StrategyServer {
  answer: { status: number; body: string } | 'silence' = { status: 200, body: PLAIN_V2 };
  readonly queries: string[] = [];
  open = 0;
  mostOpen = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  port = 0;

  async start(): Promise<this> {
    this.server.on('connection', (socket: Socket) => {
      // the test's own server must not count as something the sampler keeps alive
      socket.unref();
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.server.unref();
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.queries.push(req.url ?? '');
    this.open++;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    res.once('close', () => this.open--);
    const answer = this.answer;
    if (answer === 'silence') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class RecordingLogger implements JaegerLogger {
  readonly errors: string[] = [];
  info(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

async function until<T>(what: string, probe: () => T | undefined, deadlineMs = 5000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let server: StrategyServer;
const samplers: RemoteSampler[] = [];
beforeEach(async () => {
  server = await new StrategyServer().start();
});
afterEach(async () => {
  for (const sampler of samplers.splice(0)) sampler.close();
  await server.stop();
});

function sampler(
  overrides: Partial<RemoteSamplerOptions> = {},
): RemoteSampler & { logger: RecordingLogger; changes: string[] } {
  const logger = new RecordingLogger();
  const changes: string[] = [];
  const made = new RemoteSampler({
    serviceName: 'hello world',
    host: '127.0.0.1',
    port: server.port,
    refreshIntervalMs: 50,
    initialProbability: 0.25,
    logger,
    onStrategyChange: (description) => changes.push(description),
    ...overrides,
  });
  samplers.push(made);
  return Object.assign(made, { logger, changes });
}

describe('RemoteSampler', () => {
  it('asks /sampling?service=<its name> within one refresh interval and applies the answer', async () => {
    const remote = sampler({ refreshIntervalMs: 200 });
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.25)');
    await until('a strategy', () => remote.changes[0]);
    expect(server.queries[0]).toBe('/sampling?service=hello%20world');
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.5)');

    server.answer = { status: 200, body: PER_OPERATION_V2 };
    await until('the new strategy', () => remote.changes[1]);
    expect(remote.current).toBe('PerOperationSampler(maxOperations=2000)');
    expect(remote.logger.errors).toEqual([]);
  });

  it('with nothing listening, complains and keeps the initial strategy', async () => {
    await server.stop(); // its port is now closed
    const remote = sampler();
    const complaint = await until('a complaint', () => remote.logger.errors[0]);
    expect(complaint).toMatch(
      new RegExp(
        `cannot fetch the strategy from http://127\\.0\\.0\\.1:${server.port}/sampling\\?service=hello%20world \\(connect ECONNREFUSED .*\\); the current one stays: ProbabilisticSampler\\(samplingRate=0\\.25\\)`,
      ),
    );
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.25)');
    server = await new StrategyServer().start(); // for afterEach
  });

  it('takes an error page for an error, not for a strategy', async () => {
    server.answer = { status: 503, body: '<html>upstream connect error</html>' };
    const remote = sampler();
    expect(await until('a complaint', () => remote.logger.errors[0])).toMatch(
      /\(HTTP 503: <html>upstream connect error<\/html>\)/,
    );
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.25)');
  });

  it('gives up on a Jaeger that never answers, one query at a time', async () => {
    server.answer = 'silence';
    const remote = sampler({ refreshIntervalMs: 20, queryTimeoutMs: 200 });
    await until('two complaints', () => remote.logger.errors[1]);
    expect(remote.logger.errors[0]).toMatch(/\(no answer within 200 ms\)/);
    // refreshed every 20 ms, but a query waits for the one before it
    expect(server.mostOpen).toBe(1);
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.25)');
  });

  it('keeps nothing alive (timers, the query in flight); close() stops it all', async () => {
    const sockets = () =>
      process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap').length;
    // the earlier tests' sockets close asynchronously: start from none
    await until('no TCP socket open', () => (sockets() === 0 ? true : undefined));
    server.answer = 'silence';
    const remote = sampler({ refreshIntervalMs: 20 });
    expect(remote._initialDelayTimeoutHandle?.hasRef()).toBe(false);
    await until('a query in flight', () => (server.open > 0 ? true : undefined));
    expect(remote._refreshIntervalHandle?.hasRef()).toBe(false);
    expect(sockets()).toBe(0); // the query's socket does not hold the process
    const queries = server.queries.length;
    remote.close();
    await until('the query in flight to be dropped', () => (server.open === 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100)); // 5 refresh intervals
    expect(server.queries).toHaveLength(queries);
    expect(remote.logger.errors).toEqual([]); // closing is not a failure
  });
});
