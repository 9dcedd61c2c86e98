/**
 * The headers-only shape against a real Jaeger: hello and formatter started with
 * TRACING_MODE=headers-only but otherwise configured to report (so a span they made by
 * mistake would show up). Whatever the route, the trace holds the mesh's span alone.
 */
import type { JaegerTrace } from '../../src/compare/jaeger-api.js';
import { VIA_AGENT, VIA_COLLECTOR } from './helpers/endpoints.js';
import { jaeger, jaegerSettled, names, waitForSpans } from './helpers/jaeger.js';
import { INGRESS_OPERATION, INGRESS_SERVICE, throughIngress } from './helpers/mesh.js';
import type { MeshAnswer } from './helpers/mesh.js';
import { serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

const HEADERS_ONLY = { TRACING_MODE: 'headers-only' };
const V1 = (name: string) =>
  `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`;

let hello: ServiceProcess | undefined;
let formatter: ServiceProcess | undefined;
const answers: Record<string, MeshAnswer> = {};
const traces: Record<string, JaegerTrace> = {};

beforeAll(async () => {
  formatter = await startService({
    label: 'formatter (headers-only)',
    env: serviceEnv('formatter', VIA_COLLECTOR, HEADERS_ONLY),
  });
  hello = await startService({
    label: 'hello (headers-only)',
    env: serviceEnv('hello', VIA_AGENT, {
      ...HEADERS_ONLY,
      formatter_host: '127.0.0.1',
      formatter_port: String(formatter.port),
    }),
  });
  for (const route of ['/sayHello/Hermes', '/sayHello2/Hermes']) {
    answers[route] = await throughIngress(hello.url, route, {
      userAgent: 'Mozilla/3.0 (Netscape; I)',
    });
  }
  // a stopped service has flushed whatever its tracer held; then let Jaeger store it all
  await stopAll([hello, formatter]);
  await jaegerSettled();
  for (const [route, answer] of Object.entries(answers))
    traces[route] = await waitForSpans(answer.ingress.traceId, 1);
});

afterAll(() => stopAll([hello, formatter]));

describe.each(['/sayHello/Hermes', '/sayHello2/Hermes'])(
  'TRACING_MODE=headers-only, GET %s',
  (route) => {
    it('still answers the greeting', () => {
      expect(answers[route]?.status).toBe(200);
      expect(answers[route]?.text).toBe(V1('Hermes'));
    });

    it('leaves a trace holding only the ingress span: no application span', async () => {
      expect(hello && (await hello.exited)).toBe(0); // stopped cleanly, so its tracer (if any) flushed
      expect(names(traces[route] as JaegerTrace)).toEqual([
        `${INGRESS_SERVICE}: ${INGRESS_OPERATION}`,
      ]);
    });
  },
);

it('reports no hello or formatter service from this chain at all', async () => {
  for (const answer of Object.values(answers)) {
    const found = await jaeger.search({
      service: 'hello',
      tags: { 'guid:x-request-id': answer.ingress.requestId },
      lookbackMs: 10 * 60_000,
      limit: 5,
    });
    expect(found).toEqual([]);
  }
});
