/**
 * JAEGER_SAMPLER_TYPE=remote on the real chain (in-process, the test's collector and a
 * strategy server that answers as Jaeger v2 does): the strategy of each operation decides
 * for traces that start here or defer to us, and the mesh's decision still wins.
 * (The same against a real Jaeger and its strategies file: test/e2e/sampling.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { b3Headers, randomSpanId, randomTraceId, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

/** Jaeger v2's answer for a service with one operation strategy (numeric strategyType). */
function perOperation(operation: string, rate: number, otherOperations: number): string {
  return JSON.stringify({
    strategyType: 0,
    probabilisticSampling: { samplingRate: otherOperations },
    operationSampling: {
      defaultSamplingProbability: otherOperations,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [{ operation, probabilisticSampling: { samplingRate: rate } }],
      defaultUpperBoundTracesPerSecond: 0,
    },
  });
}

// Each service's own operation goes against its service-wide default, so only a
// per-operation reading explains what is traced: hello's route on, formatter's off.
const STRATEGIES: Record<string, string> = {
  hello: perOperation('GET /sayHello/:name', 1, 0),
  formatter: perOperation('GET /formatGreeting', 0, 1),
};

let strategies: Server;
let chain: Chain;

beforeAll(async () => {
  strategies = createServer((req, res) => {
    const service = new URL(req.url ?? '', 'http://x').searchParams.get('service') ?? '';
    const body = STRATEGIES[service];
    res.writeHead(body ? 200 : 404).end(body ?? '');
  });
  await new Promise<void>((resolve) => strategies.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise((resolve) => strategies.close(resolve)));

beforeEach(async () => {
  chain = await startChain({
    env: {
      JAEGER_SAMPLER_TYPE: 'remote',
      JAEGER_SAMPLER_MANAGER_HOST_PORT: `127.0.0.1:${(strategies.address() as AddressInfo).port}`,
      JAEGER_SAMPLER_REFRESH_INTERVAL: '100',
      JAEGER_SAMPLER_PARAM: '0', // nothing is traced until the strategies arrive
      JAEGER_PROPAGATION: 'b3,w3c',
    },
  });
  // both services say when their strategy changes: then it decides
  const deadline = Date.now() + 5000;
  while (
    new Set(chain.logs.withMessage('sampling strategy changed').map((l) => l.service)).size < 2
  ) {
    if (Date.now() > deadline) throw new Error('the strategies did not arrive in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

afterEach(() => chain.stop());

/** GETs the route with its own x-request-id; answers that id. */
async function request(route: string, headers: Record<string, string> = {}): Promise<string> {
  const requestId = randomUUID();
  const answer = await chain.get(route, { ...headers, 'x-request-id': requestId });
  expect(answer.status).toBe(200);
  return requestId;
}

/** After chain.stop() (everything flushed): `service: operation` of the request's spans. */
function spansOf(requestId: string): string[] {
  const traceIds = new Set(
    chain.collector.spans
      .filter((s) => s.tags['guid:x-request-id'] === requestId)
      .map((s) => s.traceId),
  );
  return chain.collector.spans
    .filter((s) => traceIds.has(s.traceId))
    .map((s) => `${s.service}: ${s.operation}`)
    .sort();
}

const FULL_TRACE = [
  'formatter: GET /formatGreeting',
  'formatter: format-greeting',
  'hello: GET /formatGreeting',
  'hello: GET /sayHello/:name',
];

describe('JAEGER_SAMPLER_TYPE=remote', () => {
  it("with no mesh context, each operation's strategy decides: /sayHello traced, /sayHello2 not", async () => {
    const traced = await request('/sayHello/Bender');
    expect(chain.proxy.last()['x-b3-sampled']).toBe('1');
    const untraced = await request('/sayHello2/Leela'); // formatter starts this trace
    await chain.stop();
    expect(spansOf(traced)).toEqual(FULL_TRACE);
    expect(spansOf(untraced)).toEqual([]);
    expect(chain.logs.withMessage('sampling strategy changed').map((l) => l['strategy'])).toEqual(
      expect.arrayContaining([
        'per operation: "GET /sayHello/:name" 1; other operations 0, at least 0/s each',
      ]),
    );
  });

  it("the mesh's x-b3-sampled wins over the strategy, both ways", async () => {
    const notSampled = randomTraceId();
    await request('/sayHello/Bender', b3Headers(notSampled, randomSpanId(), '0'));
    expect(chain.proxy.last()['x-b3-sampled']).toBe('0');
    const sampled = randomTraceId();
    await request('/sayHello2/Leela', b3Headers(sampled, randomSpanId(), '1'));
    await chain.stop();
    expect(chain.collector.trace(notSampled)).toEqual([]);
    expect(
      chain.collector
        .trace(sampled)
        .map((s) => s.operation)
        .sort(),
    ).toEqual(['GET /formatGreeting', 'format-greeting']);
  });

  it('so do the traceparent flags', async () => {
    const notSampled = randomTraceId();
    await request('/sayHello/Bender', { traceparent: `00-${notSampled}-${randomSpanId()}-00` });
    const sampled = randomTraceId();
    await request('/sayHello2/Leela', { traceparent: `00-${sampled}-${randomSpanId()}-01` });
    await chain.stop();
    expect(chain.collector.trace(notSampled)).toEqual([]);
    expect(chain.collector.trace(sampled)).toHaveLength(2);
  });

  it("a B3 context without x-b3-sampled defers to the operation's strategy", async () => {
    const deferredOn = randomTraceId();
    await request('/sayHello/Kif', b3Headers(deferredOn, randomSpanId()));
    expect(chain.proxy.last()['x-b3-sampled']).toBe('1');
    const deferredOff = randomTraceId();
    await request('/sayHello2/Kif', b3Headers(deferredOff, randomSpanId()));
    await chain.stop();
    expect(
      chain.collector
        .trace(deferredOn)
        .map((s) => `${s.service}: ${s.operation}`)
        .sort(),
    ).toEqual(FULL_TRACE);
    expect(chain.collector.trace(deferredOff)).toEqual([]);
  });
});
