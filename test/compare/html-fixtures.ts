/**
 * Comparisons for the tests of the HTML report (html.test.ts, html.browser.ts), made from
 * the traces recorded from the real Jaeger: as recorded, with an error, and broken.
 */
import { comparePair } from '../../tools/compare/compare.js';
import type { Comparison } from '../../tools/compare/compare.js';
import { toTrace } from '../../tools/compare/jaeger-api.js';
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import { bodyOf, recorded } from './recorded.js';
import type { Recorded } from './recorded.js';

export const JAEGER = 'http://localhost:16686';

export function traceOf(recording: Recorded): JaegerTrace {
  return toTrace((bodyOf(recording) as { data: unknown[] }).data[0]);
}

/** The recorded pair: A instrumented (1 mesh span, 4 application spans), B headers-only. */
export function recordedTraces(): { a: JaegerTrace; b: JaegerTrace } {
  return { a: traceOf(recorded.instrumented), b: traceOf(recorded.headersOnly) };
}

export function comparisonOf(a: JaegerTrace, b: JaegerTrace, jaeger = JAEGER): Comparison {
  return comparePair(
    jaeger,
    { selected: 'given by id', trace: a },
    { selected: 'given by id', trace: b },
  );
}

/** The span of `trace` named `operation` (the first, depth aside). */
export function spanNamed(trace: JaegerTrace, operation: string) {
  const span = trace.spans.find((s) => s.operationName === operation);
  if (!span) throw new Error(`no span ${operation} in ${trace.traceID}`);
  return span;
}

/**
 * The recorded instrumented trace without hello's server span: its child, hello's client
 * span, is left with a parent that is not there (1 orphan, 2 roots).
 */
export function brokenTrace(): { trace: JaegerTrace; orphanId: string } {
  const trace = traceOf(recorded.instrumented);
  const server = spanNamed(trace, 'GET /sayHello/:name');
  trace.spans = trace.spans.filter((s) => s !== server);
  const orphan = trace.spans.find((s) => s.references[0]?.spanID === server.spanID);
  if (!orphan) throw new Error('the recorded trace changed: no child of hello GET /sayHello/:name');
  return { trace, orphanId: orphan.spanID };
}
