import { fit, formatDuration, sideBySide, treeLines } from '../../src/compare/render.js';
import type { SpanNode } from '../../src/compare/span-tree.js';

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
