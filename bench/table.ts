/** Plain-text tables for the terminal (and Markdown for docs/benchmark.md). */
import type { BuildInfo, Machine } from './machine.js';
import type { ModeSummary, RunRecord, SoakRecord, Spread, TargetCheck } from './results.js';

type Cell = string | number | undefined;

function cell(value: Cell, digits = 0): string {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return '-';
  return typeof value === 'number' ? value.toFixed(digits) : value;
}

/** A Markdown table, columns padded so it also reads well as plain text. */
export function renderTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const ratio = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}×`);
const mb = (kb: number | undefined) => (kb === undefined ? '-' : (kb / 1024).toFixed(1));
const range = (s: Spread | undefined, digits = 0) =>
  s ? `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}` : '-';
const ratioRange = (s: Spread | undefined) =>
  s ? `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : '-';

/** The chain alone: CPU per request first, then throughput and latency, each with its spread. */
export const SUMMARY_COLUMNS = [
  'mode',
  'CPU µs/req',
  'min–max',
  'CPU × floor',
  'req/s',
  'min–max',
  'req/s × floor',
  'p50 ms',
  'p99 ms',
  'min–max',
  'p99 × floor',
  'errors',
] as const;

export function summaryTable(summaries: readonly ModeSummary[]): string {
  return renderTable(
    SUMMARY_COLUMNS,
    summaries.map((s) => [
      s.mode,
      cell(s.cpu?.median),
      range(s.cpu),
      ratio(s.cpuX),
      cell(s.rps?.median),
      range(s.rps),
      ratio(s.rpsX),
      cell(s.p50, 2),
      cell(s.p99?.median, 2),
      range(s.p99, 1),
      ratio(s.p99X),
      cell(s.errors),
    ]),
  );
}

/** Behind the mesh: the services' CPU, the Envoys' apart, and both together. */
export const MESH_COLUMNS = [
  'mode',
  'services CPU µs/req',
  'min–max',
  'services × floor',
  'Envoy CPU µs/req',
  'services + Envoy µs/req',
  'services + Envoy × floor',
  'req/s',
  'min–max',
  'req/s × floor',
  'p99 ms',
  'min–max',
  'p99 × floor',
  'errors',
] as const;

export function meshTable(summaries: readonly ModeSummary[]): string {
  return renderTable(
    MESH_COLUMNS,
    summaries.map((s) => [
      s.mode,
      cell(s.cpu?.median),
      range(s.cpu),
      ratio(s.cpuX),
      cell(s.envoyCpu?.median),
      cell(s.totalCpu?.median),
      ratio(s.totalCpuX),
      cell(s.rps?.median),
      range(s.rps),
      ratio(s.rpsX),
      cell(s.p99?.median, 2),
      range(s.p99, 1),
      ratio(s.p99X),
      cell(s.errors),
    ]),
  );
}

export const PAIRED_COLUMNS = [
  'mode',
  'floor',
  'CPU (services)',
  'CPU (services + Envoy)',
  'req/s',
  'p99',
] as const;

/** Per-round ratios: median (min–max) of each round's figure ÷ the floor's in the same round. */
export function pairedTable(summaries: readonly ModeSummary[]): string {
  return renderTable(
    PAIRED_COLUMNS,
    summaries
      .filter((s) => s.mode !== s.floor)
      .map((s) => [
        s.mode,
        s.floor,
        ratioRange(s.paired.cpu),
        ratioRange(s.paired.totalCpu),
        ratioRange(s.paired.rps),
        ratioRange(s.paired.p99),
      ]),
  );
}

export const SPAN_COLUMNS = [
  'mode',
  'spans/request',
  'spans expected',
  'spans received',
  'spans lost',
  'bench CPU µs/req',
] as const;

export function spansTable(
  summaries: readonly ModeSummary[],
  spansPerRequest: (mode: ModeSummary['mode']) => number,
): string {
  return renderTable(
    SPAN_COLUMNS,
    summaries.map((s) => [
      s.mode,
      cell(s.spans ? spansPerRequest(s.mode) : undefined),
      cell(s.spans?.expected),
      cell(s.spans?.received),
      cell(s.spans?.lost),
      cell(s.benchCpu),
    ]),
  );
}

/** CPU per request and req/s of every measured run, so the spread between rounds is visible. */
export function roundsTable(runs: readonly RunRecord[], modes: readonly string[]): string {
  const rounds = [...new Set(runs.filter((r) => r.round > 0).map((r) => r.round))].sort(
    (a, b) => a - b,
  );
  return renderTable(
    [
      'mode',
      ...rounds.map((n) => `r${n} CPU µs/req`),
      ...rounds.map((n) => `r${n} req/s`),
      'hello RSS MB (last)',
    ],
    modes.map((mode) => {
      const own = runs.filter((r) => r.mode === mode && r.round > 0);
      const at = (n: number) => own.find((r) => r.round === n);
      return [
        mode,
        ...rounds.map((n) => cell(at(n)?.cpuUsPerRequest)),
        ...rounds.map((n) => cell(at(n)?.load.rps)),
        mb(own.at(-1)?.helloRssKb),
      ];
    }),
  );
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return renderTable(
    ['target (against the floor)', 'mode', 'ratio of medians', 'paired per-round median', ''],
    checks.map((c) => [
      c.target,
      c.mode,
      ratio(c.value),
      ratio(c.paired),
      c.met === undefined ? '-' : c.met ? 'met' : 'missed',
    ]),
  );
}

export const SOAK_COLUMNS = [
  'mode',
  'requests',
  'req/s',
  'p99 ms',
  'errors',
  'hello RSS at 10 % MB',
  'hello RSS end MB',
  'change',
  '2nd half',
  'hello RSS max MB',
  'formatter RSS 10 %→end MB',
  'spans expected',
  'spans lost',
] as const;

export function rssChange(record: SoakRecord): number | undefined {
  const { helloRssStartKb: start, helloRssEndKb: end } = record;
  return start && end ? (end - start) / start : undefined;
}

/** Change over the second half of the soak: near zero once memory has levelled off. */
export function rssChangeSecondHalf(record: SoakRecord): number | undefined {
  const samples = record.helloRssSamplesKb;
  const mid = samples[Math.floor(samples.length / 2)];
  const end = samples.at(-1);
  return samples.length >= 2 && mid && end ? (end - mid) / mid : undefined;
}

const percent = (change: number | undefined) =>
  change === undefined ? '-' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;

export function soakTable(soaks: readonly SoakRecord[]): string {
  return renderTable(
    SOAK_COLUMNS,
    soaks.map((s) => {
      return [
        s.mode,
        cell(s.requests),
        cell(s.load.rps),
        cell(s.load.p99, 2),
        cell(s.load.errors),
        mb(s.helloRssStartKb),
        mb(s.helloRssEndKb),
        percent(rssChange(s)),
        percent(rssChangeSecondHalf(s)),
        mb(s.helloRssMaxKb),
        `${mb(s.formatterRssStartKb)}→${mb(s.formatterRssEndKb)}`,
        cell(s.spans?.expected),
        cell(s.spans?.lost),
      ];
    }),
  );
}

export function machineLines(machine: Machine, build: BuildInfo): string {
  const commit = build.commit
    ? `commit ${build.commit}${build.srcChanged ? ' + uncommitted changes in src/' : ''}`
    : 'commit unknown';
  return [
    `CPU:    ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB`,
    `Node:   ${machine.node}, Linux ${machine.kernel}`,
    `Load:   ${machine.loadAtStart} (1-min load average at start)`,
    `Build:  ${build.dist} (${commit})`,
  ].join('\n');
}
