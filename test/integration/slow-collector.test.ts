/**
 * A slow collector must not slow requests or grow memory: the HTTP sender keeps a
 * bounded queue, aborts POSTs at JAEGER_REPORTER_TIMEOUT, and counts what it drops.
 */
import { startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

async function droppedSpans(chain: Chain): Promise<number> {
  const text = (await chain.get('/metrics')).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith('hello_app_jaeger:reporter_spans{result="dropped"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('slow collector', () => {
  it('requests stay fast; spans beyond the bounded queue are dropped and counted', async () => {
    const chain = await startChain({
      env: {
        JAEGER_REPORTER_MAX_QUEUE_SIZE: '20',
        JAEGER_REPORTER_TIMEOUT: '3000', // the first POST holds the only slot while 40 requests run
        TRACER_CLOSE_TIMEOUT_MS: '500',
      },
    });
    chain.collector.answerDelayMs = 10_000; // one POST in flight until it times out: the queue must overflow
    try {
      for (let i = 0; i < 40; i++) {
        const started = Date.now();
        const answer = await chain.get(`/sayHello/n${i}`);
        expect(answer.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(1000); // never waits for the collector
      }
      expect(await droppedSpans(chain)).toBeGreaterThan(0);
    } finally {
      await chain.stop();
    }
  });

  it('drops nothing while the queue has room, even if each POST is slow', async () => {
    const chain = await startChain({ env: { JAEGER_REPORTER_TIMEOUT: '2000' } });
    chain.collector.answerDelayMs = 150;
    try {
      for (let i = 0; i < 20; i++) expect((await chain.get(`/sayHello/n${i}`)).status).toBe(200);
      await chain.collector.waitFor((spans) => spans.length === 80);
      expect(await droppedSpans(chain)).toBe(0);
    } finally {
      await chain.stop();
    }
  });
});
