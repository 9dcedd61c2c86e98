/**
 * BREAK_PROPAGATION, on the wire: what hello sends formatter with each lesson switched
 * on, against what it sends without (recorded by the hop between the services), and how
 * the switch is refused where it does not belong.
 */
import { ConfigError, LESSONS, loadConfig } from '../../src/config.js';
import { b3Headers, startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

// leading zeros on purpose: the short-ids lesson is about them
const TRACE_ID = '000a1b2c3d4e5f60718293a4b5c6d7e8';
const SPAN_ID = '00f1e2d3c4b5a697';
const REQUEST_ID = 'b3f1d6a2-0c1e-9d7f-8a6b-5c4d3e2f1a0b';
const NETSCAPE = 'Mozilla/3.0 (Netscape; I)';

async function sentToFormatter(lesson: string | undefined): Promise<Record<string, unknown>> {
  const chain: Chain = await startChain({
    env: { JAEGER_PROPAGATION: 'b3,w3c' },
    helloEnv: lesson ? { BREAK_PROPAGATION: lesson } : {},
  });
  try {
    const answer = await chain.get('/sayHello/Bender', {
      ...b3Headers(TRACE_ID, SPAN_ID, '1'),
      'x-request-id': REQUEST_ID,
      'user-agent': NETSCAPE,
    });
    expect(answer.status).toBe(200);
    return { ...chain.proxy.last() };
  } finally {
    await chain.stop();
  }
}

describe('BREAK_PROPAGATION on the wire from hello to formatter', () => {
  let correct: Record<string, unknown>;
  beforeAll(async () => {
    correct = await sentToFormatter(undefined);
  });

  it('without it: full-width ids, baggage-user-agent and the x-request-id go on', () => {
    expect(correct['x-b3-traceid']).toBe(TRACE_ID);
    expect(String(correct['x-b3-spanid'])).toMatch(/^[0-9a-f]{16}$/);
    expect(String(correct['traceparent'])).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(correct['baggage-user-agent']).toBe(NETSCAPE);
    expect(correct['x-request-id']).toBe(REQUEST_ID);
  });

  it('drop-headers: no tracing header at all goes on, only the request id', async () => {
    const sent = await sentToFormatter('drop-headers');
    const tracing = Object.keys(sent).filter((name) =>
      /^(x-b3-|b3$|traceparent|tracestate|baggage|uberctx-|uber-trace-id)/.test(name),
    );
    expect(tracing).toEqual([]);
    expect(sent['x-request-id']).toBe(REQUEST_ID);
  });

  it("short-ids: the ids lose their leading zeros, as jaeger-client's codec writes them", async () => {
    const sent = await sentToFormatter('short-ids');
    expect(sent['x-b3-traceid']).toBe(TRACE_ID.replace(/^0+/, ''));
    expect(String(sent['traceparent'])).toContain(`-${TRACE_ID.replace(/^0+/, '')}-`);
    expect(sent['baggage-user-agent']).toBe(NETSCAPE);
  });

  it('uberctx-baggage: the baggage goes as uberctx-user-agent, never baggage-user-agent', async () => {
    const sent = await sentToFormatter('uberctx-baggage');
    expect(sent['baggage-user-agent']).toBeUndefined();
    expect(sent['uberctx-user-agent']).toBe(NETSCAPE);
    expect(sent['x-b3-traceid']).toBe(TRACE_ID);
  });

  it('no-request-id: everything but the x-request-id goes on', async () => {
    const sent = await sentToFormatter('no-request-id');
    expect(sent['x-request-id']).toBeUndefined();
    expect(sent['x-b3-traceid']).toBe(TRACE_ID);
    expect(sent['baggage-user-agent']).toBe(NETSCAPE);
  });
});

describe('BREAK_PROPAGATION at start', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ app_name: 'hello', ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('refuses any other value, listing the choices', () => {
    expect(problems({ BREAK_PROPAGATION: 'everything' })).toEqual([
      `BREAK_PROPAGATION="everything" is not valid; choose one of: ${LESSONS.join(', ')}`,
    ]);
  });

  it('refuses a lesson with NODE_ENV=production unless ALLOW_BREAK_PROPAGATION=true', () => {
    expect(problems({ BREAK_PROPAGATION: 'short-ids', NODE_ENV: 'production' })).toEqual([
      'BREAK_PROPAGATION=short-ids breaks tracing on purpose and NODE_ENV=production; set ALLOW_BREAK_PROPAGATION=true if you really mean it',
    ]);
    expect(
      problems({
        BREAK_PROPAGATION: 'short-ids',
        NODE_ENV: 'production',
        ALLOW_BREAK_PROPAGATION: 'true',
      }),
    ).toEqual([]);
    expect(loadConfig({ app_name: 'hello' }).jaeger.breakPropagation).toBeUndefined();
  });
});
