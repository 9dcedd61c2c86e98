/** The figures one run, one mode and one soak produce, and how the rounds are summarised. */
import type { LoadResult } from './load.js';
import type { Mode, ModeId } from './modes.js';
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
  /** The mesh modes: CPU time of the Envoys on the path (gateway, two sidecars) per request, µs. */
  envoyCpuUsPerRequest?: number | undefined;
  /** CPU the bench process itself (autocannon, the sinks, the mesh runner) used per request, µs. */
  benchCpuUsPerRequest: number | undefined;
}

/** A figure over the measured rounds: its median, lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ModeSummary {
  mode: ModeId;
  title: string;
  /** The row the ratios are taken against. */
  floor: ModeId;
  rounds: number;
  /** CPU µs per request of hello + formatter. */
  cpu: Spread | undefined;
  /** The mesh modes: CPU µs per request of the Envoys on the path, and of services + Envoys. */
  envoyCpu: Spread | undefined;
  totalCpu: Spread | undefined;
  rps: Spread | undefined;
  p50: number;
  p99: Spread | undefined;
  /**
   * This row's median ÷ the floor row's median: the ratio of the two figures the table
   * shows, so anyone can check it.
   */
  cpuX: number | undefined;
  totalCpuX: number | undefined;
  rpsX: number | undefined;
  p99X: number | undefined;
  /**
   * Paired ratios: each round's figure ÷ the floor's figure in the same round, over the
   * rounds. Drift between rounds (a neighbour's load) cancels in each pair, so these can
   * differ from the ratio of the medians.
   */
  paired: {
    cpu: Spread | undefined;
    totalCpu: Spread | undefined;
    rps: Spread | undefined;
    p99: Spread | undefined;
  };
  /** Median CPU µs per request of the bench process itself. */
  benchCpu: number;
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

/** Median, min and max of the finite values; undefined when there are none. */
export function spread(values: readonly (number | undefined)[]): Spread | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (finite.length === 0) return undefined;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
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

/** Services + Envoy CPU of a mesh run; undefined for a run without Envoys. */
export const totalCpuOf = (r: RunRecord): number | undefined =>
  r.cpuUsPerRequest !== undefined && r.envoyCpuUsPerRequest !== undefined
    ? r.cpuUsPerRequest + r.envoyCpuUsPerRequest
    : undefined;

const ratioOf = (a: Spread | undefined, b: Spread | undefined): number | undefined =>
  a && b && b.median ? a.median / b.median : undefined;

export function summarise(
  runs: readonly RunRecord[],
  modes: readonly Pick<Mode, 'id' | 'title' | 'floor'>[],
): ModeSummary[] {
  const measured = runs.filter((r) => r.round > 0);
  const figures = (id: ModeId) => {
    const own = measured.filter((r) => r.mode === id);
    return {
      own,
      cpu: spread(own.map((r) => r.cpuUsPerRequest)),
      envoyCpu: spread(own.map((r) => r.envoyCpuUsPerRequest)),
      totalCpu: spread(own.map(totalCpuOf)),
      rps: spread(own.map((r) => r.load.rps)),
      p99: spread(own.map((r) => r.load.p99)),
    };
  };
  return modes.map(({ id, title, floor }) => {
    const mine = figures(id);
    const base = figures(floor);
    const floorOf = (round: number) => base.own.find((r) => r.round === round);
    const paired = (pick: (r: RunRecord) => number | undefined) =>
      spread(
        mine.own.map((r) => {
          const other = floorOf(r.round);
          const a = pick(r);
          const b = other ? pick(other) : undefined;
          return a !== undefined && b ? a / b : undefined;
        }),
      );
    return {
      mode: id,
      title,
      floor,
      rounds: mine.own.length,
      cpu: mine.cpu,
      envoyCpu: mine.envoyCpu,
      totalCpu: mine.totalCpu,
      rps: mine.rps,
      p50: median(mine.own.map((r) => r.load.p50)),
      p99: mine.p99,
      cpuX: ratioOf(mine.cpu, base.cpu),
      totalCpuX: ratioOf(mine.totalCpu, base.totalCpu),
      rpsX: ratioOf(mine.rps, base.rps),
      p99X: ratioOf(mine.p99, base.p99),
      paired: {
        cpu: paired((r) => r.cpuUsPerRequest),
        totalCpu: paired(totalCpuOf),
        rps: paired((r) => r.load.rps),
        p99: paired((r) => r.load.p99),
      },
      benchCpu: median(mine.own.map((r) => r.benchCpuUsPerRequest ?? NaN)),
      errors: mine.own.reduce((n, r) => n + r.load.errors + r.malformed, 0),
      spans: sumSpans(mine.own.map((r) => r.spans)),
    };
  });
}

/** The targets, each judged on the ratio of medians the table shows. */
export interface TargetCheck {
  target: string;
  mode: ModeId;
  /** Ratio of medians (as in the table) and the paired per-round median, for the record. */
  value: number | undefined;
  paired: number | undefined;
  limit: number;
  /** 'max': the value must not exceed the limit; 'min': must reach it. */
  kind: 'max' | 'min';
  met: boolean | undefined;
}

export function checkTargets(summaries: readonly ModeSummary[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (
    target: string,
    s: ModeSummary,
    value: number | undefined,
    paired: number | undefined,
    limit: number,
    kind: 'max' | 'min',
  ) =>
    checks.push({
      target,
      mode: s.mode,
      value,
      paired,
      limit,
      kind,
      met: value === undefined ? undefined : kind === 'max' ? value <= limit : value >= limit,
    });
  for (const s of summaries) {
    const sampled = ['jaeger-udp', 'jaeger-http', 'mesh-jaeger-http'].includes(s.mode);
    const unsampled = ['jaeger-unsampled', 'mesh-unsampled'].includes(s.mode);
    if (!sampled && !unsampled) continue;
    const group = sampled ? '100 % sampled' : 'unsampled';
    add(
      `${group}: CPU/request ≤ ${sampled ? '1.10' : '1.03'}×`,
      s,
      s.cpuX,
      s.paired.cpu?.median,
      sampled ? 1.1 : 1.03,
      'max',
    );
    add(
      `${group}: throughput ≥ ${sampled ? '0.90' : '0.97'}×`,
      s,
      s.rpsX,
      s.paired.rps?.median,
      sampled ? 0.9 : 0.97,
      'min',
    );
    if (sampled) add(`${group}: p99 ≤ 1.2×`, s, s.p99X, s.paired.p99?.median, 1.2, 'max');
  }
  return checks;
}
