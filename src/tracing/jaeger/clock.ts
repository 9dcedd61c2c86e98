/**
 * Span timestamps in milliseconds with microsecond precision. jaeger-client stamps spans
 * with Date.now(), whole milliseconds, so an in-process span of 300 µs shows in Jaeger as
 * 0 µs. The monotonic clock gives the fraction; it is re-anchored to the wall clock once
 * a minute so that, over days, the spans stay aligned with the sidecars' (wall-clock) spans.
 */
import { performance } from 'node:perf_hooks';

const REANCHOR_MS = 60_000;

export function preciseClock(wallNow = Date.now, monotonicNow = () => performance.now()) {
  let offset = wallNow() - monotonicNow();
  let anchoredAt = monotonicNow();
  return (): number => {
    const monotonic = monotonicNow();
    if (monotonic - anchoredAt > REANCHOR_MS) {
      offset = wallNow() - monotonic;
      anchoredAt = monotonic;
    }
    return offset + monotonic;
  };
}
