/** The figures one run, one mode and one soak produce, and how the rounds are summarised. */
import type { LoadResult } from './load.js';
import type { ModeId } from './modes.js';
import type { SpanCount } from './sinks/tally.js';

export interface RunRecord {
  mode: ModeId;
  /** 0 is the warm-up round (not counted). */
  round: number;
  load: LoadResult;
  /** Undefined for modes that report no spans anywhere. */
  spans: SpanCount | undefined;
  /** Sink payloads that did not parse. */
  malformed: number;
  helloRssKb: number | undefined;
  /** CPU time hello and formatter used per completed request, µs (from /proc/<pid>/stat). */
  cpuUsPerRequest: number | undefined;
  /** CPU the bench process itself (autocannon and the sinks) used per request, µs. */
  benchCpuUsPerRequest: number | undefined;
}

export interface ModeSummary {
  mode: ModeId;
  title: string;
  rounds: number;
  /** Medians over the measured rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** Median of the per-round ratios to the headers-only run of the same round (drift cancels). */
  rpsRatio: number | undefined;
  p99Ratio: number | undefined;
  /** Median CPU µs per request of both services, and its per-round ratio to the floor. */
  cpuUs: number;
  cpuRatio: number | undefined;
  errors: number;
  /** Summed over the measured rounds. */
  spans: SpanCount | undefined;
}

export interface SoakRecord {
  mode: ModeId;
  requests: number;
  load: LoadResult;
  spans: SpanCount | undefined;
  /** hello's VmRSS (kB) under load: after the soak's first tenth (its warm-up), at the end, the highest. */
  helloRssStartKb: number | undefined;
  helloRssEndKb: number | undefined;
  helloRssMaxKb: number | undefined;
  formatterRssStartKb: number | undefined;
  formatterRssEndKb: number | undefined;
  /** Every reading (one a second under load), to see whether it levels off or keeps climbing. */
  helloRssSamplesKb: number[];
  formatterRssSamplesKb: number[];
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sumSpans(counts: readonly (SpanCount | undefined)[]): SpanCount | undefined {
  const present = counts.filter((c): c is SpanCount => c !== undefined);
  if (present.length === 0) return undefined;
  return present.reduce((a, b) => ({
    expected: a.expected + b.expected,
    received: a.received + b.received,
    lost: a.lost + b.lost,
    completeTraces: a.completeTraces + b.completeTraces,
  }));
}

export function summarise(
  runs: readonly RunRecord[],
  modes: readonly { id: ModeId; title: string }[],
  floor: ModeId = 'headers-only',
): ModeSummary[] {
  const measured = runs.filter((r) => r.round > 0);
  const floorOf = (round: number) => measured.find((r) => r.mode === floor && r.round === round);
  return modes.map(({ id, title }) => {
    const own = measured.filter((r) => r.mode === id);
    const ratios = (pick: (r: RunRecord) => number | undefined) => {
      const values = own.flatMap((r) => {
        const base = floorOf(r.round);
        const mine = pick(r);
        const theirs = base ? pick(base) : undefined;
        return mine !== undefined && theirs ? [mine / theirs] : [];
      });
      return values.length ? median(values) : undefined;
    };
    return {
      mode: id,
      title,
      rounds: own.length,
      rps: median(own.map((r) => r.load.rps)),
      p50: median(own.map((r) => r.load.p50)),
      p99: median(own.map((r) => r.load.p99)),
      rpsRatio: ratios((r) => r.load.rps),
      p99Ratio: ratios((r) => r.load.p99),
      cpuUs: median(own.map((r) => r.cpuUsPerRequest ?? NaN)),
      cpuRatio: ratios((r) => r.cpuUsPerRequest),
      errors: own.reduce((n, r) => n + r.load.errors + r.malformed, 0),
      spans: sumSpans(own.map((r) => r.spans)),
    };
  });
}
