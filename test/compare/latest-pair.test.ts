/**
 * How compare with no arguments picks its pair: the route of a trace from Envoy's URL tag,
 * then the newest headers-only trace's route, paired with the newest instrumented trace
 * of that route, else the other route; and what it says when there is nothing to pair.
 */
import {
  choosePair,
  HEADERS_ONLY,
  INSTRUMENTED,
  missingMessage,
  routeOf,
} from '../../tools/compare/latest-pair.js';
import type { PairChoice } from '../../tools/compare/latest-pair.js';
import { meshTrace } from './mesh-traces.js';
import type { MeshTraceOptions } from './mesh-traces.js';

const instrumented = (path: string, at: number, more: Partial<MeshTraceOptions> = {}) =>
  meshTrace({ shape: 'instrumented', path, at, ...more });
const headersOnly = (path: string, at: number, more: Partial<MeshTraceOptions> = {}) =>
  meshTrace({ shape: 'headers-only', path, at, ...more });

/** The chosen pair as trace ids, to compare against the traces a test made. */
function ids(choice: PairChoice) {
  if (choice.kind !== 'pair') return choice;
  return {
    route: choice.route,
    a: choice.instrumented.traceID,
    b: choice.headersOnly.traceID,
    passedOver: choice.passedOver,
  };
}

describe('routeOf', () => {
  it("reads the route from the gateway's http.url, a full URL", () => {
    expect(routeOf(instrumented('/sayHello/Bender', 1), INSTRUMENTED)).toBe('GET /sayHello/:name');
    expect(routeOf(headersOnly('/sayHello2/Leela', 1), HEADERS_ONLY)).toBe('GET /sayHello2/:name');
  });

  it("takes url.full (OpenTelemetry's name) and the hello sidecar's span without a gateway", () => {
    const otel = headersOnly('/sayHello2/Leela', 1, { urlTag: 'url.full', withoutGateway: true });
    expect(routeOf(otel, HEADERS_ONLY)).toBe('GET /sayHello2/:name');
  });

  it('knows no route from formatter calls or application spans alone', () => {
    const trace = instrumented('/sayHello/Bender', 1, { withoutGateway: true });
    // left: hello's own span (path /sayHello/Bender) and its sidecar's call to formatter
    trace.spans = trace.spans.filter((s) => !s.operationName.startsWith('hello.'));
    expect(trace.spans).toHaveLength(2);
    expect(routeOf(trace, INSTRUMENTED)).toBeUndefined();
    expect(routeOf(headersOnly('/metrics', 1), HEADERS_ONLY)).toBeUndefined();
  });
});

describe('choosePair', () => {
  it('pairs the newest of each shape when both are of the same route', () => {
    const a = [instrumented('/sayHello/Bender', 10), instrumented('/sayHello/Fry', 30)];
    const b = [headersOnly('/sayHello/Bender', 20), headersOnly('/sayHello/Leela', 40)];
    expect(ids(choosePair(a, b))).toEqual({
      route: 'GET /sayHello/:name',
      a: a[1]?.traceID,
      b: b[1]?.traceID,
      passedOver: undefined,
    });
    // Jaeger promises no order: the start time decides, not the position
    expect(ids(choosePair([...a].reverse(), [...b].reverse()))).toEqual(ids(choosePair(a, b)));
  });

  it("takes the newest headers-only trace's route, even when a newer instrumented one is of the other", () => {
    const a = [instrumented('/sayHello/Bender', 10), instrumented('/sayHello2/Leela', 50)];
    const b = [headersOnly('/sayHello2/Leela', 20), headersOnly('/sayHello/Bender', 40)];
    expect(ids(choosePair(a, b))).toMatchObject({
      route: 'GET /sayHello/:name',
      a: a[0]?.traceID,
      b: b[1]?.traceID,
    });
  });

  it('falls back to the other route, newest first, when the latest route has no instrumented trace', () => {
    const a = [instrumented('/sayHello2/Leela', 10), instrumented('/sayHello2/Leela', 15)];
    const b = [
      headersOnly('/sayHello2/Leela', 20),
      headersOnly('/sayHello2/Zoidberg', 25),
      headersOnly('/sayHello/Bender', 40),
    ];
    expect(ids(choosePair(a, b))).toEqual({
      route: 'GET /sayHello2/:name',
      a: a[1]?.traceID,
      b: b[1]?.traceID,
      passedOver: 'GET /sayHello/:name',
    });
  });

  it('says which shape has no trace, or which route lacks its instrumented one', () => {
    const a = [instrumented('/sayHello2/Leela', 10)];
    const b = [headersOnly('/sayHello/Bender', 20)];
    expect(choosePair(a, [])).toEqual({ kind: 'missing', missing: [{ shape: HEADERS_ONLY }] });
    expect(choosePair([], b)).toEqual({ kind: 'missing', missing: [{ shape: INSTRUMENTED }] });
    expect(choosePair([], [])).toEqual({
      kind: 'missing',
      missing: [{ shape: HEADERS_ONLY }, { shape: INSTRUMENTED }],
    });
    expect(choosePair(a, b)).toEqual({
      kind: 'missing',
      missing: [{ shape: INSTRUMENTED, route: 'GET /sayHello/:name' }],
    });
  });
});

describe('missingMessage', () => {
  it('says exactly what to run first', () => {
    const jaeger = 'http://localhost:16686';
    expect(missingMessage({ shape: HEADERS_ONLY }, jaeger)).toBe(
      'no headers-only trace in Jaeger at http://localhost:16686 yet. Start the mesh (npm run mesh) and send one: curl http://localhost:8090/sayHello/Bender',
    );
    expect(missingMessage({ shape: INSTRUMENTED, route: 'GET /sayHello2/:name' }, jaeger)).toBe(
      'no instrumented trace of GET /sayHello2/:name in Jaeger at http://localhost:16686 yet, to pair with the headers-only one. Send one (with npm run mesh running): curl http://localhost:8080/sayHello2/Leela',
    );
  });
});
