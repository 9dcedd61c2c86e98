import { comparePair } from '../../tools/compare/compare.js';
import type { Comparison } from '../../tools/compare/compare.js';
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import {
  fit,
  formatDuration,
  renderText,
  sideBySide,
  treeLines,
  wrapWords,
} from '../../tools/compare/render.js';
import type { SpanNode } from '../../tools/compare/span-tree.js';
import { meshTrace } from './mesh-traces.js';

function node(
  operation: string,
  children: SpanNode[] = [],
  extra: Partial<SpanNode> = {},
): SpanNode {
  return {
    spanId: operation,
    parentSpanId: '',
    parentMissing: false,
    service: 'svc',
    operation,
    origin: 'application',
    startTime: 0,
    offsetUs: 0,
    durationUs: 1500,
    tagCount: 1,
    logCount: 2,
    baggage: {},
    error: false,
    children,
    ...extra,
  };
}

describe('render helpers', () => {
  it('formats durations in µs, ms or s', () => {
    expect([formatDuration(999), formatDuration(1500), formatDuration(2_345_678)]).toEqual([
      '999µs',
      '1.50ms',
      '2.35s',
    ]);
  });

  it('fits text to a width by code points, with an ellipsis', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('µµµµµµ', 4)).toBe('µµµ…');
  });

  it('pads the shorter column', () => {
    expect(sideBySide(['a', 'b'], ['c'], 47)).toEqual([
      `a${' '.repeat(21)} │ c`,
      `b${' '.repeat(21)} │`,
    ]);
  });

  it('draws siblings with ├─ and │, the last with └─, and marks mesh, error and orphan spans', () => {
    const tree = node(
      'root',
      [
        node('first', [node('deep')]),
        node('last', [], { origin: 'mesh', error: true, parentMissing: true }),
      ],
      {
        baggage: { k: 'v' },
      },
    );
    expect(treeLines([tree])).toEqual([
      'svc: root',
      '│   1.50ms · 1 tag · 2 logs · baggage k=v',
      '├─ svc: first',
      '│  │   1.50ms · 1 tag · 2 logs',
      '│  └─ svc: deep',
      '│         1.50ms · 1 tag · 2 logs',
      '└─ svc: last  [mesh]  [error]  [parent missing]',
      '       1.50ms · 1 tag · 2 logs',
    ]);
  });
});

/** A mesh pair as `npm run compare` shows it, with ids like Jaeger's (a leading zero too). */
function meshComparison(selectedA: string, selectedB: string): Comparison {
  const withId = (trace: JaegerTrace, traceID: string): JaegerTrace => ({
    ...trace,
    traceID,
    spans: trace.spans.map((span) => ({
      ...span,
      traceID,
      references: span.references.map((ref) => ({ ...ref, traceID })),
    })),
  });
  const a = withId(
    meshTrace({ shape: 'instrumented', path: '/sayHello/Fry', at: 2 }),
    '41b7cce05ad7ad2340cabd3e0c0e9f12',
  );
  const b = withId(
    meshTrace({ shape: 'headers-only', path: '/sayHello/Fry', at: 1 }),
    '06508d771c474d7ef97b43313cf9d92a',
  );
  return comparePair(
    'http://localhost:16686',
    { selected: selectedA, trace: a },
    { selected: selectedB, trace: b },
  );
}

const REQUEST_ID = '3f2a9c4e-8b1d-4e6f-a0c2-9d7e5b3a1f08';

describe('trace ids in the text output', () => {
  const comparison = meshComparison(
    'latest instrumented trace of GET /sayHello/:name',
    `latest trace of service=hello, tag.guid:x-request-id="${REQUEST_ID}"`,
  );
  const { a, b } = comparison;

  it('are never cut, at any width the command accepts (40 to 200)', () => {
    for (let width = 40; width <= 200; width++) {
      const lines = renderText(comparison, width).split('\n');
      for (const id of [a.traceId, b.traceId, REQUEST_ID]) {
        const holding = lines.filter((line) => line.includes(id));
        expect({ width, id, found: holding.length > 0 }).toEqual({ width, id, found: true });
        // whole, as a word of its own: nothing cut before or after it
        for (const line of holding) expect(line).toMatch(new RegExp(`(^|[ "])${id}($|[ "])`));
      }
      // and every line that still has to fit (the side-by-side rows, the lines above them) does
      const top = lines.slice(
        0,
        lines.findIndex((line) => line.startsWith('Summary')),
      );
      for (const line of top.filter((l) => !l.includes(REQUEST_ID)))
        expect({ width, line, fits: [...line].length <= width }).toEqual({
          width,
          line,
          fits: true,
        });
    }
  });

  it('head their columns when they fit there, as at --width 200', () => {
    const lines = renderText(comparison, 200).split('\n');
    expect(lines[2]).toMatch(new RegExp(`^A: trace ${a.traceId} +│ B: trace ${b.traceId}$`));
  });

  it('go on lines of their own above the columns when the columns are too narrow (--width 80)', () => {
    const lines = renderText(comparison, 80).split('\n');
    expect(lines.slice(0, 10)).toEqual([
      'Jaeger: http://localhost:16686',
      '',
      `A: trace ${a.traceId}`,
      '   latest instrumented trace of GET /sayHello/:name',
      `B: trace ${b.traceId}`,
      '   latest trace of service=hello,',
      `   tag.guid:x-request-id="${REQUEST_ID}"`,
      '',
      `A${' '.repeat(37)} │ B`,
      `${' '.repeat(38)} │`,
    ]);
  });

  it('get a line to themselves at the narrowest width (40)', () => {
    const lines = renderText(comparison, 40).split('\n');
    expect(lines.slice(2, 5)).toEqual([
      'A: trace',
      `   ${a.traceId}`,
      '   latest instrumented trace of GET',
    ]);
  });
});

describe('wrapWords', () => {
  it('breaks at spaces within the width, and keeps a longer word whole on its own line', () => {
    expect(wrapWords('aa bb cc', 5)).toEqual(['aa bb', 'cc']);
    expect(wrapWords(`id ${'x'.repeat(12)} end`, 8, '', '  ')).toEqual([
      'id',
      `  ${'x'.repeat(12)}`,
      '  end',
    ]);
    expect(wrapWords('one', 10, '   ')).toEqual(['   one']);
  });
});
