/**
 * The numbers that tell the two shapes apart: how many spans came from the mesh and how
 * many from the application, which services appear, how deep the tree goes, and what
 * one trace records (spans, services, baggage, tags, logs) that the other does not.
 */
import { depthOf, walk } from './span-tree.js';
import type { SpanNode } from './span-tree.js';

export interface TraceSummary {
  traceId: string;
  spans: number;
  meshSpans: number;
  applicationSpans: number;
  /** In order of first appearance (depth first from the root). */
  services: string[];
  depth: number;
  /** From the first span's start to the last span's end, in microseconds. */
  durationUs: number;
  tags: number;
  logs: number;
  baggageKeys: string[];
  /** Each baggage item with the first value seen for it. */
  baggage: Record<string, string>;
  errorSpans: number;
  /** Spans whose parent is referenced but missing: the trace is broken or incomplete. */
  orphanSpans: number;
  /** Spans without a parent; a complete trace has one. */
  roots: number;
  /**
   * Spans that were expected but are missing: each client span that succeeded should
   * have its callee's span (a sidecar's or the service's) as a child. Named by the caller.
   */
  missingCallees: string[];
}

/** What one trace shows that the other does not. */
export interface OneSidedDetail {
  /** `service operation` of application spans with no counterpart on the other side. */
  applicationSpans: string[];
  services: string[];
  baggageKeys: string[];
  /** How many more tags / logs in total (0 when not more). */
  moreTags: number;
  moreLogs: number;
}

export function summarize(traceId: string, roots: readonly SpanNode[]): TraceSummary {
  const nodes = [...walk(roots)].map(({ node }) => node);
  const services: string[] = [];
  const baggage: Record<string, string> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const node of nodes) {
    if (!services.includes(node.service)) services.push(node.service);
    for (const [key, value] of Object.entries(node.baggage)) baggage[key] ??= value;
    first = Math.min(first, node.startTime);
    last = Math.max(last, node.startTime + node.durationUs);
  }
  const count = (test: (node: SpanNode) => boolean) => nodes.filter(test).length;
  return {
    traceId,
    spans: nodes.length,
    meshSpans: count((n) => n.origin === 'mesh'),
    applicationSpans: count((n) => n.origin === 'application'),
    services,
    depth: depthOf(roots),
    durationUs: nodes.length ? last - first : 0,
    tags: nodes.reduce((sum, n) => sum + n.tagCount, 0),
    logs: nodes.reduce((sum, n) => sum + n.logCount, 0),
    baggageKeys: Object.keys(baggage).sort(),
    baggage,
    errorSpans: count((n) => n.error),
    orphanSpans: count((n) => n.parentMissing),
    roots: roots.filter((root) => !root.parentMissing).length,
    missingCallees: nodes
      .filter((n) => isClient(n) && !n.error && !n.children.length)
      .map((n) => `${n.service} ${n.operation}`),
  };
}

function isClient(node: SpanNode): boolean {
  return node.tags?.some((tag) => tag.key === 'span.kind' && tag.value === 'client') ?? false;
}

/**
 * Why a trace is broken, in words (empty when it is whole): orphans, more than one
 * root, and the callee spans a client span should have led to.
 */
export function brokenReasons(s: TraceSummary): string[] {
  if (!s.orphanSpans && s.roots <= 1 && !s.missingCallees.length) return [];
  return [
    `${plural(s.orphanSpans, 'orphan span')} (a parent that is not in the trace) and ${plural(s.roots, 'root')} (a whole trace has one)`,
    ...s.missingCallees.map(
      (caller) =>
        `expected but missing: the span of whoever ${caller} called (the callee did not join)`,
    ),
  ];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function applicationSpanNames(roots: readonly SpanNode[]): string[] {
  return [...walk(roots)]
    .filter(({ node }) => node.origin === 'application')
    .map(({ node }) => `${node.service} ${node.operation}`);
}

/** Items of `mine` not in `theirs`, counting duplicates (two client spans vs one is one more). */
function missingFrom(mine: readonly string[], theirs: readonly string[]): string[] {
  const left = [...theirs];
  return mine.filter((item) => {
    const at = left.indexOf(item);
    if (at === -1) return true;
    left.splice(at, 1);
    return false;
  });
}

export function onlyIn(
  mine: { summary: TraceSummary; roots: readonly SpanNode[] },
  theirs: { summary: TraceSummary; roots: readonly SpanNode[] },
): OneSidedDetail {
  return {
    applicationSpans: missingFrom(
      applicationSpanNames(mine.roots),
      applicationSpanNames(theirs.roots),
    ),
    services: mine.summary.services.filter((s) => !theirs.summary.services.includes(s)),
    baggageKeys: mine.summary.baggageKeys.filter((k) => !theirs.summary.baggageKeys.includes(k)),
    moreTags: Math.max(0, mine.summary.tags - theirs.summary.tags),
    moreLogs: Math.max(0, mine.summary.logs - theirs.summary.logs),
  };
}

export function isEmptyDetail(detail: OneSidedDetail): boolean {
  return (
    !detail.applicationSpans.length &&
    !detail.services.length &&
    !detail.baggageKeys.length &&
    !detail.moreTags &&
    !detail.moreLogs
  );
}
