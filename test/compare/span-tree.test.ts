import { toTrace } from '../../tools/compare/jaeger-api.js';
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import { buildTree, depthOf, originOf, walk } from '../../tools/compare/span-tree.js';
import { onlyIn, summarize } from '../../tools/compare/summary.js';
import { bodyOf, ids, recorded } from './recorded.js';
import type { Recorded } from './recorded.js';

function traceOf(recording: Recorded): JaegerTrace {
  return toTrace((bodyOf(recording) as { data: unknown[] }).data[0]);
}

function outline(trace: JaegerTrace): string[] {
  return [...walk(buildTree(trace))].map(
    ({ node, depth }) => `${'  '.repeat(depth)}${node.service}: ${node.operation} (${node.origin})`,
  );
}

describe('buildTree on the recorded instrumented trace', () => {
  const trace = traceOf(recorded.instrumented);
  const roots = buildTree(trace);

  it('nests every span under its parent: ingress -> hello -> formatter', () => {
    expect(outline(trace)).toEqual([
      'istio-ingressgateway: hello.default.svc.cluster.local:8080/* (mesh)',
      '  hello: GET /sayHello/:name (application)',
      '    hello: GET /formatGreeting (application)',
      '      formatter: GET /formatGreeting (application)',
      '        formatter: format-greeting (application)',
    ]);
    expect(depthOf(roots)).toBe(5);
  });

  it('reads baggage from the baggage log event and from baggage.* tags', () => {
    const [helloServer] = roots[0]?.children ?? [];
    expect(helloServer?.baggage).toEqual({ 'user-agent': ids.userAgent });
    const formatterServer = helloServer?.children[0]?.children[0];
    expect(formatterServer?.baggage).toEqual({ 'user-agent': ids.userAgent });
  });

  it('counts tags and logs per span and measures offsets from the first span', () => {
    for (const { node } of walk(roots)) {
      const span = trace.spans.find((s) => s.spanID === node.spanId);
      expect([node.tagCount, node.logCount]).toEqual([span?.tags.length, span?.logs.length]);
      expect(node.offsetUs).toBeGreaterThanOrEqual(0);
    }
    expect(roots[0]?.offsetUs).toBe(0);
  });

  it('summarizes: 1 mesh span, 4 application spans, three services, depth 5', () => {
    expect(summarize(trace.traceID, roots)).toMatchObject({
      traceId: ids.instrumented,
      spans: 5,
      meshSpans: 1,
      applicationSpans: 4,
      services: ['istio-ingressgateway', 'hello', 'formatter'],
      depth: 5,
      baggageKeys: ['user-agent'],
      errorSpans: 0,
      orphanSpans: 0,
    });
  });
});

describe('originOf', () => {
  it('calls a process stamped by a Jaeger client the application, in Jaeger v1 and v2 form', () => {
    expect(
      originOf({ serviceName: 'a', tags: [{ key: 'jaeger.version', value: 'Node-3.19.0' }] }),
    ).toBe('application');
    expect(
      originOf({
        serviceName: 'a',
        tags: [{ key: 'opencensus.exporterversion', value: 'Jaeger-Node-3.19.0' }],
      }),
    ).toBe('application');
  });

  it('calls everything else the mesh (Zipkin has no process tags; other exporters are not Jaeger clients)', () => {
    expect(originOf({ serviceName: 'istio-ingressgateway', tags: [] })).toBe('mesh');
    expect(
      originOf({
        serviceName: 'a',
        tags: [{ key: 'opencensus.exporterversion', value: 'OTel-1.0' }],
      }),
    ).toBe('mesh');
    expect(originOf(undefined)).toBe('mesh');
  });
});

describe('broken traces', () => {
  it('shows a span whose parent is missing as a root, marked, and counts it as an orphan', () => {
    const trace = traceOf(recorded.instrumented);
    trace.spans = trace.spans.filter((s) => s.operationName !== 'GET /sayHello/:name'); // hello's server span lost
    const roots = buildTree(trace);
    expect(roots.map((r) => [r.operation, r.parentMissing])).toEqual([
      ['hello.default.svc.cluster.local:8080/*', false],
      ['GET /formatGreeting', true],
    ]);
    expect(summarize(trace.traceID, roots).orphanSpans).toBe(1);
  });

  it('still shows every span once when parent links form a loop', () => {
    const trace = traceOf(recorded.instrumented);
    const [first, second] = trace.spans;
    if (!first || !second) throw new Error('fixture too small');
    first.references = [{ refType: 'CHILD_OF', traceID: trace.traceID, spanID: second.spanID }];
    second.references = [{ refType: 'CHILD_OF', traceID: trace.traceID, spanID: first.spanID }];
    const spanIds = [...walk(buildTree(trace))].map(({ node }) => node.spanId).sort();
    expect(spanIds).toEqual(trace.spans.map((s) => s.spanID).sort());
  });

  it('marks error-tagged spans', () => {
    const trace = traceOf(recorded.instrumented);
    trace.spans[0]?.tags.push({ key: 'error', type: 'bool', value: true });
    expect(summarize(trace.traceID, buildTree(trace)).errorSpans).toBe(1);
  });
});

describe('onlyIn: what one trace shows that the other does not', () => {
  const side = (recording: Recorded) => {
    const trace = traceOf(recording);
    const roots = buildTree(trace);
    return { summary: summarize(trace.traceID, roots), roots };
  };
  const instrumented = side(recorded.instrumented);
  const headersOnly = side(recorded.headersOnly);

  it('lists the application spans, services, baggage and extra tags/logs of the instrumented trace', () => {
    const detail = onlyIn(instrumented, headersOnly);
    expect(detail.applicationSpans).toEqual([
      'hello GET /sayHello/:name',
      'hello GET /formatGreeting',
      'formatter GET /formatGreeting',
      'formatter format-greeting',
    ]);
    expect(detail.services).toEqual(['hello', 'formatter']);
    expect(detail.baggageKeys).toEqual(['user-agent']);
    expect(detail.moreTags).toBe(instrumented.summary.tags - headersOnly.summary.tags);
    expect(detail.moreTags).toBeGreaterThan(0);
    expect(detail.moreLogs).toBeGreaterThan(0);
  });

  it('finds nothing the headers-only trace shows that the instrumented one does not', () => {
    expect(onlyIn(headersOnly, instrumented)).toEqual({
      applicationSpans: [],
      services: [],
      baggageKeys: [],
      moreTags: 0,
      moreLogs: 0,
    });
  });

  it('counts duplicates: two client spans against one is one more', () => {
    const doubled = traceOf(recorded.instrumented);
    const client = doubled.spans.find(
      (s) => s.operationName === 'GET /formatGreeting' && s.references.length,
    );
    if (!client) throw new Error('fixture has no client span');
    doubled.spans.push({ ...client, spanID: 'ffffffffffffffff' });
    const roots = buildTree(doubled);
    const detail = onlyIn({ summary: summarize(doubled.traceID, roots), roots }, instrumented);
    expect(detail.applicationSpans).toHaveLength(1);
  });
});
