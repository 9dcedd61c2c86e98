import type { TraceKey } from './thrift.js';

/** What a sink saw during one measured run, judged against the requests that completed. */
export interface SpanCount {
  /** Spans the run should have produced: spans per request × completed 2xx requests. */
  expected: number;
  received: number;
  /** Missing spans of traces we saw in part, plus whole traces missing (see SpanTally.lost). */
  lost: number;
  /** Traces that arrived whole. */
  completeTraces: number;
}

/**
 * Tallies spans per trace. Every request of a sampled mode is one trace of a known number
 * of spans, so a trace that arrived in part shows exactly how many of its spans were lost,
 * and traces that never arrived at all show up against the count of completed requests.
 * Whole traces are dropped from the map as they complete, so a soak stays small.
 */
export class SpanTally {
  received = 0;
  completeTraces = 0;
  private readonly partial = new Map<TraceKey, number>();

  constructor(readonly spansPerTrace: number) {}

  add(keys: readonly TraceKey[]): void {
    this.received += keys.length;
    if (this.spansPerTrace === 0) return;
    for (const key of keys) {
      const count = (this.partial.get(key) ?? 0) + 1;
      if (count >= this.spansPerTrace) {
        this.partial.delete(key);
        this.completeTraces++;
      } else {
        this.partial.set(key, count);
      }
    }
  }

  /** True once every request the client saw complete has its whole trace here. */
  settled(completedRequests: number): boolean {
    return this.partial.size === 0 && this.completeTraces >= completedRequests;
  }

  /**
   * Missing spans: the shortfall of each partial trace, plus whole traces for completed
   * requests that never showed up. (Requests cut off in flight when the load stops may
   * also have reached the chain; their traces count as seen, so they can hide at most
   * that many whole lost traces: connections, a few dozen at most.)
   */
  lost(completedRequests: number): number {
    if (this.spansPerTrace === 0) return 0;
    let missing = 0;
    for (const count of this.partial.values()) missing += this.spansPerTrace - count;
    const seen = this.completeTraces + this.partial.size;
    return missing + this.spansPerTrace * Math.max(0, completedRequests - seen);
  }

  count(completedRequests: number): SpanCount {
    return {
      expected: this.spansPerTrace * completedRequests,
      received: this.received,
      lost: this.lost(completedRequests),
      completeTraces: this.completeTraces,
    };
  }

  reset(): void {
    this.received = 0;
    this.completeTraces = 0;
    this.partial.clear();
  }
}
