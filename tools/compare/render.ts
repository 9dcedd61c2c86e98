/**
 * The text output: the two span trees side by side, then a summary table and what each
 * trace shows that the other does not. Pure functions of a Comparison, so tests can pin
 * the exact output.
 */
import type { Comparison, ComparedTrace } from './compare.js';
import type { SpanNode } from './span-tree.js';
import { brokenReasons, isEmptyDetail } from './summary.js';
import type { OneSidedDetail, TraceSummary } from './summary.js';

const GAP = ' │ ';

export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Cuts to `width` characters (by code point) with an ellipsis, pads to `width`. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
  return text + ' '.repeat(width - chars.length);
}

function spanTitle(node: SpanNode): string {
  const marks = [
    node.origin === 'mesh' ? 'mesh' : '',
    node.error ? 'error' : '',
    node.parentMissing ? 'parent missing' : '',
  ];
  return [
    `${node.service}: ${node.operation}`,
    ...marks.filter(Boolean).map((mark) => `[${mark}]`),
  ].join('  ');
}

function spanDetail(node: SpanNode): string {
  const parts = [
    formatDuration(node.durationUs),
    plural(node.tagCount, 'tag'),
    plural(node.logCount, 'log'),
  ];
  const baggage = Object.entries(node.baggage).map(([key, value]) => `${key}=${value}`);
  if (baggage.length) parts.push(`baggage ${baggage.join(' ')}`);
  return parts.join(' · ');
}

/** Two lines per span, drawn as a tree: what it is, then its numbers. */
export function treeLines(roots: readonly SpanNode[]): string[] {
  const lines: string[] = [];
  const visit = (node: SpanNode, prefix: string, connector: string, childPrefix: string) => {
    lines.push(`${prefix}${connector}${spanTitle(node)}`);
    const below = prefix + childPrefix;
    lines.push(`${below}${node.children.length ? '│' : ' '}   ${spanDetail(node)}`);
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      visit(child, below, last ? '└─ ' : '├─ ', last ? '   ' : '│  ');
    });
  };
  for (const root of roots) visit(root, '', '', '');
  return lines;
}

function traceLine(label: string, trace: ComparedTrace): string {
  return `${label}: trace ${trace.traceId}`;
}

function length(text: string): number {
  return [...text].length;
}

/**
 * Breaks `text` at spaces into lines of at most `width` characters, the first after
 * `first`, the others after `rest`. A word longer than that keeps a line of its own,
 * whole: an id (or a URL, a tag value) is never cut.
 */
export function wrapWords(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ').filter(Boolean)) {
    if (!empty && length(`${line} ${word}`) > width) {
      lines.push(line);
      line = rest + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The width of each of the two columns of `sideBySide`. */
export function columnWidth(width: number): number {
  return Math.max(1, Math.floor((width - GAP.length) / 2));
}

/**
 * The trace ids and what was selected head the two columns when they fit there whole;
 * otherwise they go above the columns, wrapped to `width` at spaces (a trace id is never
 * cut: it is there to be copied), and the columns are headed A and B.
 */
function headers(
  a: ComparedTrace,
  b: ComparedTrace,
  width: number,
): { above: string[]; left: string[]; right: string[] } {
  const column = columnWidth(width);
  const lines = (label: string, trace: ComparedTrace) => [
    traceLine(label, trace),
    `   ${trace.selected}`,
  ];
  const fits = (label: string, trace: ComparedTrace) =>
    lines(label, trace).every((line) => length(line) <= column);
  if (fits('A', a) && fits('B', b))
    return { above: [], left: [...lines('A', a), ''], right: [...lines('B', b), ''] };
  const wrapped = (label: string, trace: ComparedTrace) => [
    ...wrapWords(traceLine(label, trace), width, '', '   '),
    ...wrapWords(trace.selected, width, '   '),
  ];
  return {
    above: [...wrapped('A', a), ...wrapped('B', b), ''],
    left: ['A', ''],
    right: ['B', ''],
  };
}

/** Two columns of equal width; the shorter one is padded with blank lines. */
export function sideBySide(
  left: readonly string[],
  right: readonly string[],
  width: number,
): string[] {
  const column = columnWidth(width);
  const rows = Math.max(left.length, right.length);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    lines.push(`${fit(left[i] ?? '', column)}${GAP}${fit(right[i] ?? '', column)}`.trimEnd());
  }
  return lines;
}

function summaryRows(s: TraceSummary): [string, string][] {
  return [
    ['spans', `${s.spans} (${s.meshSpans} mesh, ${s.applicationSpans} application)`],
    ['services', s.services.join(', ') || '-'],
    ['depth', String(s.depth)],
    ['duration', formatDuration(s.durationUs)],
    ['tags / logs', `${s.tags} / ${s.logs}`],
    ['baggage', s.baggageKeys.map((key) => `${key}=${s.baggage[key] ?? ''}`).join(', ') || '-'],
    ['errors', String(s.errorSpans)],
    ['orphans', String(s.orphanSpans)],
    ['roots', String(s.roots)],
  ];
}

/** "Trace A is broken: ..." with a line per reason, for each broken trace. */
function brokenLines(label: string, s: TraceSummary): string[] {
  const reasons = brokenReasons(s);
  if (!reasons.length) return [];
  return [`Trace ${label} is broken:`, ...reasons.map((reason) => `  ${reason}`), ''];
}

function summaryTable(a: TraceSummary, b: TraceSummary): string[] {
  const rowsA = summaryRows(a);
  const rowsB = summaryRows(b);
  const valueWidth = Math.max(1, ...rowsA.map(([, value]) => [...value].length));
  const lines = [`  ${fit('', 12)}  ${fit('A', valueWidth)}  B`];
  rowsA.forEach(([name, value], i) => {
    lines.push(`  ${fit(name, 12)}  ${fit(value, valueWidth)}  ${rowsB[i]?.[1] ?? ''}`.trimEnd());
  });
  return lines;
}

function detailLines(detail: OneSidedDetail): string[] {
  if (isEmptyDetail(detail)) return ['  nothing'];
  const lines: string[] = [];
  if (detail.applicationSpans.length) {
    lines.push(`  ${plural(detail.applicationSpans.length, 'application span')}:`);
    for (const span of detail.applicationSpans) lines.push(`    ${span}`);
  }
  if (detail.services.length) lines.push(`  services: ${detail.services.join(', ')}`);
  if (detail.baggageKeys.length) lines.push(`  baggage: ${detail.baggageKeys.join(', ')}`);
  if (detail.moreTags || detail.moreLogs) {
    lines.push(`  ${detail.moreTags} more tags, ${detail.moreLogs} more logs`);
  }
  return lines;
}

export function renderText(comparison: Comparison, width: number): string {
  const { a, b } = comparison;
  const head = headers(a, b, width);
  const left = [...head.left, ...treeLines(a.spans)];
  const right = [...head.right, ...treeLines(b.spans)];
  return [
    `Jaeger: ${comparison.jaeger}${comparison.queryApi ? `, read through ${comparison.queryApi}` : ''}`,
    '',
    ...head.above,
    ...sideBySide(left, right, width),
    '',
    'Summary (application: reported by a Jaeger client; mesh: everything else, e.g. Envoy via Zipkin)',
    ...summaryTable(a.summary, b.summary),
    '',
    ...brokenLines('A', a.summary),
    ...brokenLines('B', b.summary),
    "What A shows that B doesn't:",
    ...detailLines(comparison.onlyInA),
    '',
    "What B shows that A doesn't:",
    ...detailLines(comparison.onlyInB),
    '',
  ].join('\n');
}
