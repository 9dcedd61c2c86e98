/**
 * Fetches the two traces and puts them next to each other as data: the tree, the
 * summary, and what each side shows that the other does not. Text and JSON output are
 * both rendered from this.
 */
import type { JaegerTrace } from './jaeger-api.js';
import { TraceNotFoundError } from './jaeger-query.js';
import type { JaegerQuery } from './jaeger-query.js';
import { describeSelector } from './selector.js';
import type { TraceSelector } from './selector.js';
import { buildTree } from './span-tree.js';
import type { SpanNode } from './span-tree.js';
import { onlyIn, summarize } from './summary.js';
import type { OneSidedDetail, TraceSummary } from './summary.js';

export interface ComparedTrace {
  /** What the user asked for, in words. */
  selected: string;
  traceId: string;
  summary: TraceSummary;
  spans: SpanNode[];
}

export interface Comparison {
  jaeger: string;
  /** Which of Jaeger's query APIs the traces were read through, in words (`/api/v3`, …). */
  queryApi?: string;
  a: ComparedTrace;
  b: ComparedTrace;
  onlyInA: OneSidedDetail;
  onlyInB: OneSidedDetail;
}

/** How many traces a "latest" search looks at; the newest by start time wins. */
export const SEARCH_LIMIT = 20;

/** When the trace began: its earliest span's start, in microseconds since the epoch. */
export function startOf(trace: JaegerTrace): number {
  return Math.min(...trace.spans.map((span) => span.startTime));
}

export async function fetchTrace(
  client: JaegerQuery,
  selector: TraceSelector,
): Promise<JaegerTrace> {
  if (selector.kind === 'id') return client.trace(selector.traceId);
  const found = await client.search({ ...selector, limit: SEARCH_LIMIT });
  // storage backends do not promise an order: pick the newest ourselves
  const latest = found.filter((t) => t.spans.length).sort((x, y) => startOf(y) - startOf(x))[0];
  if (!latest) {
    throw new TraceNotFoundError(
      `no trace found for ${describeSelector(selector)} in Jaeger at ${client.baseUrl}`,
    );
  }
  return latest;
}

/** A trace already fetched, with how it was chosen, in words. */
export interface ChosenTrace {
  selected: string;
  trace: JaegerTrace;
}

function compared({ selected, trace }: ChosenTrace): ComparedTrace {
  const spans = buildTree(trace);
  return { selected, traceId: trace.traceID, summary: summarize(trace.traceID, spans), spans };
}

/** Puts two fetched traces next to each other; `jaeger` is where they came from, and how. */
export function comparePair(
  jaeger: string,
  chosenA: ChosenTrace,
  chosenB: ChosenTrace,
  queryApi?: string,
): Comparison {
  const a = compared(chosenA);
  const b = compared(chosenB);
  const sideA = { summary: a.summary, roots: a.spans };
  const sideB = { summary: b.summary, roots: b.spans };
  return {
    jaeger,
    ...(queryApi === undefined ? {} : { queryApi }),
    a,
    b,
    onlyInA: onlyIn(sideA, sideB),
    onlyInB: onlyIn(sideB, sideA),
  };
}

export async function compareTraces(
  client: JaegerQuery,
  selectors: { a: TraceSelector; b: TraceSelector },
): Promise<Comparison> {
  const [traceA, traceB] = await Promise.all([
    fetchTrace(client, selectors.a),
    fetchTrace(client, selectors.b),
  ]);
  return comparePair(
    client.baseUrl,
    { selected: describeSelector(selectors.a), trace: traceA },
    { selected: describeSelector(selectors.b), trace: traceB },
    client.apiInUse(),
  );
}
