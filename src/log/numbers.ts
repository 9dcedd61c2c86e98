/**
 * How a duration appears in a log line: milliseconds to the microsecond (Jaeger's unit),
 * never a float's every digit. The access log and the console's span lines both use it.
 */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
