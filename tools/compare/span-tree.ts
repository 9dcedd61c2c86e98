/**
 * A Jaeger trace as the tree a reader sees in the UI: each span under its parent,
 * children in start order, and for each span who made it (mesh or application).
 */
import type { JaegerProcess, JaegerTag, JaegerTrace, QuerySpan, TagValue } from './jaeger-api.js';

/**
 * Who reported a span. Every Jaeger client library stamps its process with a
 * `jaeger.version` tag (jaeger-client for Node: `Node-3.19.0`). Jaeger v1 stores it as is;
 * Jaeger v2 receives it through the OpenTelemetry translator, which renames it to
 * `opencensus.exporterversion` with a `Jaeger-` prefix. Envoy reports over Zipkin, which
 * has no process tags at all. So: either stamp present means the application made the
 * span; anything else (Zipkin, OTLP from a proxy) counts as mesh.
 */
export type SpanOrigin = 'mesh' | 'application';

export interface SpanNode {
  spanId: string;
  /** '' for a root; the referenced id when the parent is missing from the trace. */
  parentSpanId: string;
  /** The parent is referenced but not in the trace (a broken or incomplete trace). */
  parentMissing: boolean;
  service: string;
  operation: string;
  origin: SpanOrigin;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds from the trace's first span. */
  offsetUs: number;
  durationUs: number;
  tagCount: number;
  logCount: number;
  /** Baggage the span recorded: jaeger-client's `event=baggage` logs and `baggage.*` tags. */
  baggage: Record<string, string>;
  error: boolean;
  children: SpanNode[];
  /** The tags themselves, in Jaeger's order (the HTML report shows them); absent in trees made by hand. */
  tags?: SpanField[];
  /** The logs themselves, in Jaeger's order; absent in trees made by hand. */
  logs?: SpanLog[];
}

/** A tag, or a field of a log, without Jaeger's type annotation. */
export interface SpanField {
  key: string;
  value: TagValue;
}

export interface SpanLog {
  /** Microseconds since the epoch. */
  timestamp: number;
  fields: SpanField[];
}

const fieldsOf = (tags: readonly JaegerTag[]): SpanField[] =>
  tags.map(({ key, value }) => ({ key, value }));

function isJaegerClientStamp(tag: JaegerTag): boolean {
  if (tag.key === 'jaeger.version') return true;
  return tag.key === 'opencensus.exporterversion' && String(tag.value).startsWith('Jaeger-');
}

export function originOf(process: JaegerProcess | undefined): SpanOrigin {
  return process?.tags.some(isJaegerClientStamp) ? 'application' : 'mesh';
}

function text(value: TagValue | undefined): string {
  return value === undefined ? '' : String(value);
}

function valueOf(tags: JaegerTag[], key: string): TagValue | undefined {
  return tags.find((tag) => tag.key === key)?.value;
}

function baggageOf(span: QuerySpan): Record<string, string> {
  const baggage: Record<string, string> = {};
  for (const tag of span.tags) {
    if (tag.key.startsWith('baggage.')) baggage[tag.key.slice('baggage.'.length)] = text(tag.value);
  }
  for (const log of span.logs) {
    if (valueOf(log.fields, 'event') !== 'baggage') continue;
    const key = valueOf(log.fields, 'key');
    if (key !== undefined) baggage[text(key)] = text(valueOf(log.fields, 'value'));
  }
  return baggage;
}

function isError(span: QuerySpan): boolean {
  const value = valueOf(span.tags, 'error');
  return value === true || value === 'true';
}

/** The parent is the first CHILD_OF reference (else FOLLOWS_FROM) within the same trace. */
function parentIdOf(span: QuerySpan): string {
  const sameTrace = span.references.filter((ref) => ref.traceID === span.traceID);
  const childOf = sameTrace.find((ref) => ref.refType === 'CHILD_OF');
  return (childOf ?? sameTrace[0])?.spanID ?? '';
}

/** The roots of the trace (normally one), each with its subtree. */
export function buildTree(trace: JaegerTrace): SpanNode[] {
  const traceStart = Math.min(...trace.spans.map((span) => span.startTime));
  const nodes = new Map<string, SpanNode>();
  for (const span of trace.spans) {
    const process = trace.processes[span.processID];
    nodes.set(span.spanID, {
      spanId: span.spanID,
      parentSpanId: parentIdOf(span),
      parentMissing: false,
      service: process?.serviceName ?? span.processID,
      operation: span.operationName,
      origin: originOf(process),
      startTime: span.startTime,
      offsetUs: span.startTime - traceStart,
      durationUs: span.duration,
      tagCount: span.tags.length,
      logCount: span.logs.length,
      baggage: baggageOf(span),
      error: isError(span),
      children: [],
      tags: fieldsOf(span.tags),
      logs: span.logs.map((log) => ({ timestamp: log.timestamp, fields: fieldsOf(log.fields) })),
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentSpanId ? nodes.get(node.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else {
      node.parentMissing = node.parentSpanId !== '';
      roots.push(node);
    }
  }
  // spans whose parent links form a loop reach no root: show them as roots too
  const reached = new Set([...walk(roots)].map(({ node }) => node));
  for (const node of nodes.values()) {
    if (!reached.has(node)) {
      node.parentMissing = true;
      node.children = [];
      roots.push(node);
    }
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.startTime - b.startTime;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** Every node, depth first, with its depth (0 for a root). */
export function* walk(
  roots: readonly SpanNode[],
  depth = 0,
): Generator<{ node: SpanNode; depth: number }> {
  for (const node of roots) {
    yield { node, depth };
    yield* walk(node.children, depth + 1);
  }
}

/** Levels in the longest root-to-leaf path: 1 for a lone span, 0 for no spans. */
export function depthOf(roots: readonly SpanNode[]): number {
  let deepest = 0;
  for (const { depth } of walk(roots)) deepest = Math.max(deepest, depth + 1);
  return deepest;
}
