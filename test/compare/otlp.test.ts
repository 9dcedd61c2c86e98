/**
 * Reading /api/v3's OTLP JSON into compare's model, checked against the real Jaeger: each
 * trace recorded through /api/v3 must read exactly as the same trace recorded through
 * /api/traces (test/fixtures/jaeger/v3/, record.js), and the mapping's cases one by one.
 */
import { JaegerApiError, toTrace } from '../../tools/compare/jaeger-api.js';
import type { JaegerTag, JaegerTrace, QuerySpan } from '../../tools/compare/jaeger-api.js';
import { tracesFromOtlp } from '../../tools/compare/otlp.js';
import { buildTree, walk } from '../../tools/compare/span-tree.js';
import { summarize } from '../../tools/compare/summary.js';
import { bodyOf, idsV3, recordedV3, twins } from './recorded.js';
import type { Recorded } from './recorded.js';

type Json = Record<string, unknown>;

const viaV3 = (recording: Recorded): JaegerTrace[] => tracesFromOtlp(bodyOf(recording));
const viaUi = (recording: Recorded): JaegerTrace =>
  toTrace((bodyOf(recording) as { data: unknown[] }).data[0]);

/**
 * A trace with its process ids resolved and its spans in id order: the two APIs number
 * processes and order spans differently. Warnings are left out: /api/traces adds Jaeger's
 * clock-skew notes that /api/v3 does not carry.
 */
function comparable(trace: JaegerTrace) {
  return {
    traceID: trace.traceID,
    spans: [...trace.spans]
      .sort((a, b) => a.spanID.localeCompare(b.spanID))
      .map(({ processID, warnings: _warnings, ...span }) => ({
        ...span,
        process: trace.processes[processID],
      })),
  };
}

const PAIRS = [
  ['the instrumented mesh trace (Envoy over Zipkin)', 'instrumented'],
  ['the headers-only mesh trace', 'headersOnly'],
  ['the instrumented trace with Envoy over OTLP', 'otelInstrumented'],
  ['OTLP spans with status, links, scope, kinds, typed attributes', 'otlpFeatures'],
  ['jaeger-client spans with an error tag, logs and FOLLOWS_FROM', 'jaegerClientFeatures'],
] as const;

describe('tracesFromOtlp against /api/traces: the same traces recorded through both APIs', () => {
  it.each(PAIRS)('reads %s exactly as /api/traces answered it', (_what, name) => {
    const [trace, ...more] = viaV3(recordedV3[name]);
    expect(more).toEqual([]);
    expect(comparable(trace as JaegerTrace)).toEqual(comparable(viaUi(twins[name])));
  });

  it.each(PAIRS)('gives %s the same tree and summary', (_what, name) => {
    const [trace] = viaV3(recordedV3[name]);
    const twin = viaUi(twins[name]);
    const outline = (t: JaegerTrace) =>
      [...walk(buildTree(t))].map(({ node, depth }) => [depth, node.spanId, node.origin]);
    expect(outline(trace as JaegerTrace)).toEqual(outline(twin));
    expect(summarize(trace?.traceID ?? '', buildTree(trace as JaegerTrace))).toEqual(
      summarize(twin.traceID, buildTree(twin)),
    );
  });
});

describe('tracesFromOtlp: mesh or application, from resource attributes', () => {
  it.each([
    ['Zipkin', 'instrumented'],
    ['OTLP', 'otelInstrumented'],
  ] as const)(
    "counts Envoy's spans (over %s) as mesh and jaeger-client's as the application's",
    (_how, name) => {
      const [trace] = viaV3(recordedV3[name]);
      const roots = buildTree(trace as JaegerTrace);
      expect(summarize('', roots)).toMatchObject({
        spans: 9,
        meshSpans: 5,
        applicationSpans: 4,
        depth: 9,
        baggage: { 'user-agent': idsV3.userAgent },
        orphanSpans: 0,
      });
      const application = [...walk(roots)]
        .filter(({ node }) => node.origin === 'application')
        .map(({ node }) => `${node.service} ${node.operation}`);
      expect(application).toEqual([
        'hello GET /sayHello/:name',
        'hello GET /formatGreeting',
        'formatter GET /formatGreeting',
        'formatter format-greeting',
      ]);
    },
  );

  it("finds jaeger-client's stamp among the resource attributes, Envoy's OTLP resource without one", () => {
    const [trace] = viaV3(recordedV3.otelInstrumented);
    const tagsOf = (service: string) =>
      Object.values(trace?.processes ?? {}).find((p) => p.serviceName === service)?.tags ?? [];
    expect(tagsOf('hello')).toContainEqual({
      key: 'opencensus.exporterversion',
      type: 'string',
      value: 'Jaeger-Node-3.19.0',
    });
    expect(tagsOf('hello.hello-opentracing').map((t) => t.key)).toEqual([
      'telemetry.sdk.language',
      'telemetry.sdk.name',
      'telemetry.sdk.version',
    ]);
  });
});

describe('tracesFromOtlp: the mapping, case by case (recorded OTLP and jaeger-client spans)', () => {
  const [otlp] = viaV3(recordedV3.otlpFeatures);
  const [jaegerClient] = viaV3(recordedV3.jaegerClientFeatures);
  const span = (trace: JaegerTrace | undefined, name: string): QuerySpan => {
    const found = trace?.spans.find((s) => s.operationName === name);
    if (!found) throw new Error(`no span ${name}`);
    return found;
  };
  const tag = (s: QuerySpan, key: string): JaegerTag | undefined =>
    s.tags.find((t) => t.key === key);

  it('turns kind, status, scope and trace state into the tags Jaeger uses for them', () => {
    const root = span(otlp, 'root op');
    expect(root.tags.map((t) => t.key)).toEqual([...root.tags.map((t) => t.key)].sort());
    expect(Object.fromEntries(root.tags.map((t) => [t.key, [t.type, t.value]]))).toEqual({
      bytes: ['binary', 'AQID'],
      count: ['int64', 42],
      error: ['bool', true],
      flag: ['bool', true],
      list: ['string', '["a",2]'],
      map: ['string', '{"a":"2","z":"1"}'],
      'otel.scope.name': ['string', 'features-scope'],
      'otel.scope.version': ['string', '1.2.3'],
      'otel.status_code': ['string', 'ERROR'],
      'otel.status_description': ['string', 'boom'],
      ratio: ['float64', 0.5],
      'span.kind': ['string', 'server'],
      'w3c.tracestate': ['string', 'k=v'],
    });
    expect(tag(span(otlp, 'child internal'), 'span.kind')?.value).toBe('internal');
    expect(tag(span(otlp, 'child internal'), 'otel.status_code')?.value).toBe('OK');
    expect(tag(span(otlp, 'linked only'), 'span.kind')?.value).toBe('producer');
  });

  it("marks jaeger-client's error spans, which /api/v3 shows as status ERROR without the tag", () => {
    const raw = JSON.stringify(bodyOf(recordedV3.jaegerClientFeatures));
    expect(raw).not.toContain('"key":"error"');
    expect(raw).toContain('"status":{"code":2}');
    const failing = span(jaegerClient, 'failing');
    expect(tag(failing, 'error')).toEqual({ key: 'error', type: 'bool', value: true });
    const [root] = buildTree(jaegerClient as JaegerTrace);
    expect(root?.error).toBe(true);
  });

  it('makes parentSpanId a CHILD_OF reference and links references typed by opentracing.ref_type', () => {
    const root = span(otlp, 'root op');
    // the link to the parent says follows_from: it retypes the parent reference
    expect(span(otlp, 'child internal').references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: otlp?.traceID, spanID: root.spanID },
      {
        refType: 'FOLLOWS_FROM',
        traceID: '0123456789abcdef0123456789abcdef',
        spanID: '0123456789abcdef',
      },
    ]);
    expect(span(otlp, 'linked only').references).toEqual([
      {
        refType: 'CHILD_OF',
        traceID: otlp?.traceID,
        spanID: span(otlp, 'child internal').spanID,
      },
    ]);
    expect(span(jaegerClient, 'follows').references).toEqual([
      {
        refType: 'FOLLOWS_FROM',
        traceID: jaegerClient?.traceID,
        spanID: span(jaegerClient, 'failing').spanID,
      },
    ]);
  });

  it('makes events logs: the name an event field first, unless an attribute is so named', () => {
    const fields = (s: QuerySpan) =>
      s.logs.map((log) => log.fields.map((f) => `${f.key}=${String(f.value)}`));
    expect(fields(span(otlp, 'child internal'))).toEqual([
      ['k=v'],
      ['event=own event'],
      ['event=plain'],
    ]);
    expect(fields(span(jaegerClient, 'failing'))).toEqual([
      ['message=no event field'],
      ['event=error', 'message=it broke'],
    ]);
  });

  it('writes a 64-bit trace id as /api/traces does, and times in microseconds', () => {
    expect(jaegerClient?.traceID).toBe(idsV3.jaegerClientFeatures);
    expect(JSON.stringify(bodyOf(recordedV3.jaegerClientFeatures))).toContain(
      `"traceId":"0000000000000000${idsV3.jaegerClientFeatures}"`,
    );
    const root = span(otlp, 'root op');
    expect(Number.isInteger(root.startTime) && root.startTime > 1.7e15).toBe(true);
    expect(root.duration).toBe(5000);
  });

  it("keeps Jaeger's @jaeger@warnings attribute as warnings, not as a tag", () => {
    const warned = [
      recordedV3.instrumented,
      recordedV3.headersOnly,
      recordedV3.jaegerClientFeatures,
    ]
      .flatMap(viaV3)
      .flatMap((t) => t.spans)
      .filter((s) => s.warnings);
    expect(warned.length).toBeGreaterThan(0);
    for (const s of warned) {
      expect(s.tags.map((t) => t.key)).not.toContain('@jaeger@warnings');
      expect(s.warnings?.every((w) => typeof w === 'string' && w.length > 0)).toBe(true);
    }
  });
});

describe('tracesFromOtlp: answers', () => {
  it('splits a search answer into its traces', () => {
    const traces = viaV3(recordedV3.searchInstrumented);
    expect(traces.map((t) => t.traceID).sort()).toEqual(
      [idsV3.instrumented, idsV3.olderInstrumented, idsV3.otherRoute].sort(),
    );
    for (const trace of traces) {
      expect(new Set(trace.spans.map((s) => s.traceID))).toEqual(new Set([trace.traceID]));
      expect(buildTree(trace)).toHaveLength(1);
    }
  });

  it('reads ids written in base64 (proto3 JSON) as their hex', () => {
    const base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const body = bodyOf(recordedV3.instrumented) as Json;
    const recode = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(recode);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => [
          key,
          ['traceId', 'spanId', 'parentSpanId'].includes(key) ? base64(String(v)) : recode(v),
        ]),
      );
    };
    expect(tracesFromOtlp(recode(body))).toEqual(tracesFromOtlp(body));
  });

  it.each([
    ['an answer without "result"', () => ({ data: [] })],
    ['a span without spanId', (b: Json) => delete firstSpan(b)['spanId']],
    ['a trace id that is no id', (b: Json) => (firstSpan(b)['traceId'] = 'xyz')],
    ['a start time that is no number', (b: Json) => (firstSpan(b)['startTimeUnixNano'] = 'soon')],
    [
      'an intValue that is no number',
      (b: Json) => (firstSpan(b)['attributes'] = [{ key: 'n', value: { intValue: 'many' } }]),
    ],
    ['spans that are not a list', (b: Json) => (firstScopeSpans(b)['spans'] = {})],
  ])('rejects %s', (_what, breakIt) => {
    const body = bodyOf(recordedV3.instrumented) as Json;
    const broken = breakIt(body);
    const answer = typeof broken === 'object' && broken !== null ? broken : body;
    expect(() => tracesFromOtlp(answer)).toThrow(JaegerApiError);
  });

  it('reads an answer with no spans as no traces', () => {
    expect(tracesFromOtlp({ result: {} })).toEqual([]);
  });
});

function firstScopeSpans(body: Json): Json {
  const result = body['result'] as { resourceSpans: { scopeSpans: Json[] }[] };
  return result.resourceSpans[0]?.scopeSpans[0] as Json;
}

function firstSpan(body: Json): Json {
  return (firstScopeSpans(body)['spans'] as Json[])[0] as Json;
}
