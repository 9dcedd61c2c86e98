/**
 * Reading back what reached the real Jaeger, through its query HTTP API (the client is
 * the compare command's own). Spans take a moment to become visible (the Envoys flush
 * every second, the services every half second, then Jaeger's batch processor), so every
 * read polls with a deadline.
 */
import { JaegerQuery, TraceNotFoundError } from '../../../tools/compare/jaeger-query.js';
import type { JaegerTrace, QuerySpan } from '../../../tools/compare/jaeger-api.js';
import { JAEGER_QUERY_URL } from './endpoints.js';
import { eventually } from './poll.js';

export const jaeger = new JaegerQuery(JAEGER_QUERY_URL);

/** A span with its service name and tags/log fields as plain objects, for assertions. */
export interface SeenSpan {
  service: string;
  operation: string;
  spanId: string;
  parentId: string;
  tags: Record<string, string | number | boolean>;
  logs: Record<string, string | number | boolean>[];
  span: QuerySpan;
}

export function spansOf(trace: JaegerTrace): SeenSpan[] {
  return trace.spans.map((span) => ({
    service: trace.processes[span.processID]?.serviceName ?? '?',
    operation: span.operationName,
    spanId: span.spanID,
    parentId: span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '',
    tags: Object.fromEntries(span.tags.map((t) => [t.key, t.value])),
    logs: span.logs.map((log) => Object.fromEntries(log.fields.map((f) => [f.key, f.value]))),
    span,
  }));
}

export function names(trace: JaegerTrace): string[] {
  return spansOf(trace)
    .map((s) => `${s.service}: ${s.operation}`)
    .sort();
}

/** Spans whose parent is not in the trace, and spans with no parent at all. */
export function shape(trace: JaegerTrace): { roots: SeenSpan[]; orphans: SeenSpan[] } {
  const spans = spansOf(trace);
  const ids = new Set(spans.map((s) => s.spanId));
  return {
    roots: spans.filter((s) => !s.parentId),
    orphans: spans.filter((s) => s.parentId && !ids.has(s.parentId)),
  };
}

/** The trace once `complete` says so; a missing trace is "not yet". */
export async function waitForTrace(
  traceId: string,
  complete: (trace: JaegerTrace) => boolean,
  what = `trace ${traceId}`,
): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  return eventually(
    what,
    async () => {
      try {
        last = await jaeger.trace(traceId);
      } catch (error) {
        if (error instanceof TraceNotFoundError) return undefined;
        throw error;
      }
      return complete(last) ? last : undefined;
    },
    { lastSeen: () => (last ? names(last).join(', ') : 'no such trace') },
  );
}

/** Waits for a trace holding at least `count` spans. */
export function waitForSpans(traceId: string, count: number): Promise<JaegerTrace> {
  return waitForTrace(
    traceId,
    (t) => t.spans.length >= count,
    `${count} spans in trace ${traceId}`,
  );
}

/** Fails loudly when Jaeger is not there: the suite must never pass by skipping. */
export async function requireJaeger(): Promise<void> {
  try {
    await jaeger.services();
  } catch (error) {
    throw new Error(
      `the e2e suite needs a running Jaeger (query API ${JAEGER_QUERY_URL}): ${(error as Error).message}\n` +
        'Start one with `scripts/jaeger.sh start` (or see docs/e2e-and-compare.md for Docker).',
      { cause: error },
    );
  }
}
