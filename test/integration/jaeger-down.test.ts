/**
 * Tracing must never fail or slow a request because Jaeger is down or its name does not
 * resolve, and the tracer's complaints are rate-limited (not one per flush or request).
 */
import { freePort as closedPort } from '../helpers/ports.js';
import { startChain } from '../helpers/chain.js';

describe.each([
  [
    'collector port closed (HTTP)',
    async () => ({ JAEGER_ENDPOINT: `http://127.0.0.1:${await closedPort()}/api/traces` }),
  ],
  [
    'agent host does not resolve (UDP)',
    async () => ({ JAEGER_ENDPOINT: '', JAEGER_AGENT_HOST: 'jaeger.does-not-exist.invalid' }),
  ],
  [
    'collector host does not resolve (HTTP)',
    async () => ({ JAEGER_ENDPOINT: 'http://jaeger.does-not-exist.invalid:14268/api/traces' }),
  ],
])('Jaeger unreachable: %s', (_label, envFor) => {
  it('every request still answers 200, and each service complains at most once', async () => {
    const chain = await startChain({
      env: { ...(await envFor()), JAEGER_REPORTER_FLUSH_INTERVAL: '20' },
    });
    try {
      for (let i = 0; i < 30; i++) {
        const answer = await chain.get(`/sayHello/n${i}`);
        expect(answer.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 10)); // let several flushes fail in between
      }
    } finally {
      await chain.stop();
    }
    const complaints = chain.logs.lines.filter(
      (l) => l['component'] === 'jaeger-client' && l['level'] === 'warn',
    );
    expect(complaints.length).toBeGreaterThanOrEqual(1); // the operator is told...
    for (const service of ['hello', 'formatter']) {
      expect(complaints.filter((l) => l.service === service).length).toBeLessThanOrEqual(1); // ...once
    }
  });
});
