/** Property test through the real services: hostile tracing headers never fail a request. */
import http from 'node:http';
import fc from 'fast-check';
import { startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';
import { assertWellFormed, HTTP_RUNS, hostileHeaders, settings } from './fuzz-config.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}

describe(`express middleware under ${HTTP_RUNS} hostile requests`, () => {
  let chain: Chain;
  beforeAll(async () => {
    // spans go to a collector that is not listening: the reporter's fate must not matter here
    chain = await startChain({ env: { JAEGER_ENDPOINT: 'http://127.0.0.1:9/api/traces' } });
  });
  afterAll(async () => {
    agent.destroy();
    await chain.stop();
  });

  it('answers as if the headers were absent or valid, and forwards only well-formed ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileHeaders(false, 512),
        fc.constantFrom('/sayHello/Bender', '/sayHello2/Bender'),
        async (headers, path) => {
          chain.proxy.requests.length = 0;
          const answer = await rawGet(chain.hello.port, path, headers);
          if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.text}`);
          if (!answer.text.startsWith('Hello, puny human Bender!'))
            throw new Error(`text ${answer.text}`);
          const arrived = chain.proxy.last();
          if (path === '/sayHello/Bender') {
            assertWellFormed(arrived, ['user-agent']);
          } else {
            // the headers-only path copies what it got, minus empty values: that is its definition
            for (const [name, value] of Object.entries(arrived))
              if (value === '') throw new Error(`empty ${name}`);
          }
        },
      ),
      settings(HTTP_RUNS),
    );
  }, 300_000);
});
