/**
 * The lessons through the real mesh: each BREAK_PROPAGATION value on the instrumented
 * services, and what a user then sees in Jaeger. The same requests without the switch
 * (the mesh suites assert them in full) give one connected trace, v2 for Netscape and
 * one request id end to end; here the broken mesh is set against a correct one.
 */
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import { jaeger, names, shape, spansOf, waitForSpans, waitForTrace } from './helpers/jaeger.js';
import type { SeenSpan } from './helpers/jaeger.js';
import { NETSCAPE, startTestMesh, V1, V2, viaGateway } from './helpers/mesh.js';
import type { Mesh } from './helpers/mesh.js';
import { eventually } from './helpers/poll.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JAEGER_QUERY_URL } from './helpers/endpoints.js';

const CLI = fileURLToPath(
  new URL('../../node_modules/.cache/hello-app-tools/tools/compare/cli.js', import.meta.url),
);

const GATEWAY = 'istio-ingressgateway.istio-system';
const COMPLETE = 9; // gateway 2, sidecars 3, hello 2, formatter 2
const HELLO_ONLY = [
  `${GATEWAY}: hello.hello-opentracing.svc.cluster.local:8080/*`,
  `${GATEWAY}: router outbound|8080||hello.hello-opentracing.svc.cluster.local egress`,
  'hello.hello-opentracing: hello.hello-opentracing.svc.cluster.local:8080/*',
  'hello: GET /formatGreeting',
  'hello: GET /sayHello/:name',
].sort();

function span(spans: SeenSpan[], name: string): SeenSpan {
  const found = spans.find((s) => `${s.service}: ${s.operation}` === name);
  if (!found)
    throw new Error(
      `no span ${name} in ${spans.map((s) => `${s.service}: ${s.operation}`).join(', ')}`,
    );
  return found;
}

/** The trace once nothing more arrives for it: two reads a flush interval apart agree. */
async function settled(traceId: string, atLeast: number): Promise<JaegerTrace> {
  let last = await waitForSpans(traceId, atLeast);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await jaeger.trace(traceId);
    if (again.spans.length === last.spans.length) return again;
    last = again;
  }
}

function withMesh(lesson: string | undefined, body: (mesh: () => Mesh) => void): void {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await startTestMesh('zipkin', lesson ? { BREAK_PROPAGATION: lesson } : {});
  }, 120_000);
  afterAll(() => mesh?.stop(), 60_000);
  body(() => mesh);
}

describe('without BREAK_PROPAGATION (the correct mesh)', () => {
  withMesh(undefined, (mesh) => {
    it('joins every hop into one trace, routes Netscape to v2, keeps one request id', async () => {
      const answer = await viaGateway(mesh().instrumentedUrl, '/sayHello/Fry', {
        userAgent: NETSCAPE,
      });
      expect(answer.text).toBe(V2('Fry'));
      const spans = spansOf(await waitForSpans(answer.traceId, COMPLETE));
      const requestId = span(spans, HELLO_ONLY[0] as string).tags['guid:x-request-id'];
      expect(span(spans, 'formatter: GET /formatGreeting').tags['guid:x-request-id']).toBe(
        requestId,
      );
    });
  });
});

describe('BREAK_PROPAGATION=drop-headers', () => {
  withMesh('drop-headers', (mesh) => {
    it("splits the trace at hello: formatter's spans start a trace of their own", async () => {
      const answer = await viaGateway(mesh().instrumentedUrl, '/sayHello/Bender', {
        userAgent: NETSCAPE,
      });
      // no baggage either, so Netscape is no longer routed to v2
      expect(answer.text).toBe(V1('Bender'));
      const trace = await settled(answer.traceId, HELLO_ONLY.length);
      expect(names(trace)).toEqual(HELLO_ONLY);
      const requestId = span(spansOf(trace), HELLO_ONLY[0] as string).tags['guid:x-request-id'];
      // the request id still travels, so the other half can be found by it
      const other = await eventually('the trace holding formatter', async () => {
        const [found] = await jaeger.search({
          service: 'formatter',
          tags: { 'guid:x-request-id': String(requestId) },
          lookbackMs: 10 * 60_000,
          limit: 5,
        });
        return found && found.spans.length >= 4 ? found : undefined;
      });
      expect(other.traceID).not.toBe(answer.traceId);
      // npm run compare names what is missing
      const text = execFileSync(process.execPath, [
        CLI,
        '--jaeger',
        JAEGER_QUERY_URL,
        '--a',
        answer.traceId,
        '--b',
        other.traceID,
        '--width',
        '200',
      ]).toString();
      expect(text).toContain(
        'Trace A is broken:\n  0 orphan spans (a parent that is not in the trace) and 1 root (a whole trace has one)\n' +
          '  expected but missing: the span of whoever hello GET /formatGreeting called (the callee did not join)',
      );
      // its root: hello's sidecar, which saw no context and started a new trace
      expect(shape(other).roots.map((s) => `${s.service}: ${s.operation}`)).toEqual([
        'hello.hello-opentracing: formatter.hello-opentracing.svc.cluster.local:8080/*',
      ]);
    });
  });
});

describe('BREAK_PROPAGATION=short-ids', () => {
  withMesh('short-ids', (mesh) => {
    it('splits the traces whose id starts with a zero, and only those', async () => {
      let zero: string | undefined;
      let other: string | undefined;
      for (let i = 0; i < 400 && !(zero && other); i++) {
        const answer = await viaGateway(mesh().instrumentedUrl, '/sayHello/Amy');
        expect(answer.text).toBe(V1('Amy'));
        if (answer.traceId.startsWith('0')) zero ??= answer.traceId;
        else other ??= answer.traceId;
      }
      if (!zero || !other) throw new Error('400 requests without both kinds of trace id');
      expect((await waitForTrace(other, (t) => t.spans.length >= COMPLETE)).spans).toHaveLength(
        COMPLETE,
      );
      // Envoy takes a 31-digit id for malformed: no span of hello's sidecar on the way out, and formatter's are elsewhere
      const broken = await settled(zero, HELLO_ONLY.length);
      expect(names(broken)).toEqual(HELLO_ONLY);
    });
  });
});

describe('BREAK_PROPAGATION=uberctx-baggage', () => {
  withMesh('uberctx-baggage', (mesh) => {
    it('keeps the trace whole but loses the routing: Netscape gets v1, and formatter sees no baggage', async () => {
      const answer = await viaGateway(mesh().instrumentedUrl, '/sayHello/Fry', {
        userAgent: NETSCAPE,
      });
      expect(answer.text).toBe(V1('Fry'));
      const trace = await waitForSpans(answer.traceId, COMPLETE);
      expect(shape(trace).roots).toHaveLength(1);
      expect(shape(trace).orphans).toEqual([]);
      const spans = spansOf(trace);
      expect(
        span(spans, 'formatter: GET /formatGreeting').tags['baggage.user-agent'],
      ).toBeUndefined();
      expect(
        span(
          spans,
          'formatter.hello-opentracing: formatter.hello-opentracing.svc.cluster.local:8080/*',
        ).tags['istio.canonical_revision'],
      ).toBe('v1');
    });
  });
});

describe('BREAK_PROPAGATION=no-request-id', () => {
  withMesh('no-request-id', (mesh) => {
    it("keeps the trace whole, but formatter's request id is not the gateway's", async () => {
      const answer = await viaGateway(mesh().instrumentedUrl, '/sayHello/Bender');
      const spans = spansOf(await waitForSpans(answer.traceId, COMPLETE));
      const gateway = span(spans, HELLO_ONLY[0] as string).tags['guid:x-request-id'];
      expect(span(spans, 'hello: GET /sayHello/:name').tags['guid:x-request-id']).toBe(gateway);
      const formatter = span(spans, 'formatter: GET /formatGreeting').tags['guid:x-request-id'];
      // hello's sidecar made a new one for the call it saw arrive without one
      expect(formatter).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(formatter).not.toBe(gateway);
    });
  });
});
