/**
 * A peer that copies the mesh's tracing headers and then adds its own (a Spring app with
 * Sleuth, say) sends each B3 header twice. Node joins repeated headers as `a, b`; Envoy
 * reads the first value. The services must do as Envoy does, or their spans start a new
 * trace while the sidecars' continue the first one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startChain } from '../helpers/chain.js';
import type { Chain } from '../helpers/chain.js';

/** The mesh's context (copied first) and the peer's own (added after it). */
const MESH = {
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  spanId: 'a2fb4a1d1a96d312',
  parentId: '0020000000000001',
};
const PEER = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentId: '00f067aa0ba902b7',
};

/** Every B3 header twice, first the mesh's, then the peer's: two header lines each on the wire. */
function repeatedB3(first = MESH, second = PEER): Record<string, string[]> {
  return {
    'x-b3-traceid': [first.traceId, second.traceId],
    'x-b3-spanid': [first.spanId, second.spanId],
    'x-b3-parentspanid': [first.parentId, second.parentId],
    'x-b3-sampled': ['1', '1'],
  };
}

/** A GET through node:http; an array value goes out as one header line per element. */
function get(
  port: number,
  path: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}

describe('the premise: what Node makes of a repeated B3 header', () => {
  it('joins the two lines as "first, second" in req.headers; req.headersDistinct keeps both', async () => {
    const seen: { joined?: unknown; distinct?: unknown; raw?: string[] } = {};
    const server = http.createServer((req, res) => {
      seen.joined = req.headers['x-b3-traceid'];
      seen.distinct = req.headersDistinct['x-b3-traceid'];
      seen.raw = req.rawHeaders.filter((_, i, all) => all[i - (i % 2)] === 'x-b3-traceid');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await get((server.address() as AddressInfo).port, '/', repeatedB3());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen.joined).toBe('463ac35c9f6413ad48485a3953bb6124, 0af7651916cd43dd8448eb211c80319c');
    expect(seen.distinct).toEqual([MESH.traceId, PEER.traceId]);
    expect(seen.raw).toEqual(['x-b3-traceid', MESH.traceId, 'x-b3-traceid', PEER.traceId]);
  });
});

describe('repeated B3 headers (first the mesh copy, then the peer own)', () => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await startChain();
  });
  afterAll(() => chain.stop());

  it('the server span continues the FIRST trace, parented on the first span id, as Envoy would', async () => {
    const answer = await get(chain.hello.port, '/sayHello/Bender', repeatedB3());
    expect(answer.status).toBe(200);
    const spans = await chain.collector.waitFor(
      (s) => s.filter((x) => x.traceId === MESH.traceId).length === 4,
    );
    const helloServer = spans.find(
      (s) => s.traceId === MESH.traceId && s.operation === 'GET /sayHello/:name',
    );
    expect(helloServer?.parentId).toBe(MESH.spanId);
    // no application span went to the peer's trace, or to a new root
    expect(chain.collector.trace(PEER.traceId)).toEqual([]);
    expect(spans.filter((s) => s.parentId === '')).toEqual([]);
    // and formatter gets one value per header, in the first trace
    const sent = chain.proxy.last();
    expect(sent['x-b3-traceid']).toBe(MESH.traceId);
    expect(sent['x-b3-parentspanid']).toBe(helloServer?.spanId);
  });

  it('the headers-only route forwards the first value of each, not the joined pair', async () => {
    const answer = await get(chain.hello.port, '/sayHello2/Leela', repeatedB3());
    expect(answer.status).toBe(200);
    const sent = chain.proxy.last();
    expect(sent['x-b3-traceid']).toBe(MESH.traceId);
    expect(sent['x-b3-spanid']).toBe(MESH.spanId);
    expect(sent['x-b3-parentspanid']).toBe(MESH.parentId);
    expect(sent['x-b3-sampled']).toBe('1');
  });

  it('a malformed first value is not rescued by the second: a new root trace, as Envoy makes no span from it', async () => {
    const broken = { ...MESH, traceId: '463AC35C9F6413AD48485A3953BB6124' }; // upper case: not B3
    const before = chain.collector.spans.length;
    const answer = await get(chain.hello.port, '/sayHello/Bender', repeatedB3(broken, PEER));
    expect(answer.status).toBe(200);
    const spans = await chain.collector.waitFor(
      (s) => s.slice(before).filter((x) => x.operation === 'GET /sayHello/:name').length === 1,
    );
    const helloServer = spans
      .slice(before)
      .find((s) => s.operation === 'GET /sayHello/:name') as (typeof spans)[number];
    expect(helloServer.parentId).toBe('');
    expect([MESH.traceId, PEER.traceId]).not.toContain(helloServer.traceId);
  });
});
