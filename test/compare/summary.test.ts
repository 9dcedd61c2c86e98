/**
 * A broken trace, named in words: orphans and roots counted, and each call that led to
 * no span of its callee named as a span that was expected but is missing.
 */
import { buildTree } from '../../tools/compare/span-tree.js';
import { brokenReasons, summarize } from '../../tools/compare/summary.js';
import { renderText } from '../../tools/compare/render.js';
import { comparisonOf, recordedTraces, spanNamed, traceOf } from './html-fixtures.js';
import { recorded } from './recorded.js';

function summaryOf(trace: ReturnType<typeof traceOf>) {
  return summarize(trace.traceID, buildTree(trace));
}

describe('a trace split where hello calls formatter (as with BREAK_PROPAGATION=drop-headers)', () => {
  const whole = traceOf(recorded.instrumented);
  const split = traceOf(recorded.instrumented);
  const client = split.spans.find((s) =>
    s.tags.some((t) => t.key === 'span.kind' && t.value === 'client'),
  );
  if (!client) throw new Error('the recorded trace changed: no client span');
  const formatterServer = split.spans.find((s) => s.references[0]?.spanID === client.spanID);
  split.spans = split.spans.filter(
    (s) => s !== formatterServer && s.references[0]?.spanID !== formatterServer?.spanID,
  );

  it('is whole as recorded: one root, no orphan, nothing missing', () => {
    expect(summaryOf(whole)).toMatchObject({ roots: 1, orphanSpans: 0, missingCallees: [] });
    expect(brokenReasons(summaryOf(whole))).toEqual([]);
  });

  it("names hello's client span as the caller whose callee is missing", () => {
    expect(summaryOf(split)).toMatchObject({
      roots: 1,
      orphanSpans: 0,
      missingCallees: ['hello GET /formatGreeting'],
    });
  });

  it('says so under the summary of the text report', () => {
    const text = renderText(comparisonOf(split, recordedTraces().b), 160);
    expect(text).toContain(
      [
        'Trace A is broken:',
        '  0 orphan spans (a parent that is not in the trace) and 1 root (a whole trace has one)',
        '  expected but missing: the span of whoever hello GET /formatGreeting called (the callee did not join)',
      ].join('\n'),
    );
    expect(text).not.toContain('Trace B is broken');
  });
});

describe('a trace with a lost parent', () => {
  it('counts the orphan and the roots', () => {
    const trace = traceOf(recorded.instrumented);
    const server = spanNamed(trace, 'GET /sayHello/:name');
    trace.spans = trace.spans.filter((s) => s !== server);
    expect(summaryOf(trace)).toMatchObject({ roots: 1, orphanSpans: 1 });
    expect(brokenReasons(summaryOf(trace))[0]).toBe(
      '1 orphan span (a parent that is not in the trace) and 1 root (a whole trace has one)',
    );
  });
});
