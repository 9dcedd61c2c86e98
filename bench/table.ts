/** Plain-text tables for the terminal (and Markdown for docs/benchmark.md). */
import type { BuildInfo, Machine } from './machine.js';
import type { ModeSummary, RunRecord, SoakRecord } from './results.js';

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

export const SUMMARY_COLUMNS = [
  'mode',
  'req/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'req/s vs floor',
  'p99 vs floor',
  'CPU µs/req',
  'CPU vs floor',
  'spans expected',
  'spans received',
  'spans lost',
] as const;

export function summaryTable(summaries: readonly ModeSummary[]): string {
  return renderTable(
    SUMMARY_COLUMNS,
    summaries.map((s) => [
      s.mode,
      cell(s.rps),
      cell(s.p50, 2),
      cell(s.p99, 2),
      cell(s.errors),
      ratio(s.rpsRatio),
      ratio(s.p99Ratio),
      cell(s.cpuUs),
      ratio(s.cpuRatio),
      cell(s.spans?.expected),
      cell(s.spans?.received),
      cell(s.spans?.lost),
    ]),
  );
}

/** req/s of every measured run, so the spread between rounds is visible. */
export function roundsTable(runs: readonly RunRecord[], modes: readonly string[]): string {
  const rounds = [...new Set(runs.filter((r) => r.round > 0).map((r) => r.round))].sort(
    (a, b) => a - b,
  );
  return renderTable(
    ['mode', ...rounds.map((n) => `round ${n} req/s`), 'hello RSS MB (last)'],
    modes.map((mode) => {
      const own = runs.filter((r) => r.mode === mode && r.round > 0);
      return [
        mode,
        ...rounds.map((n) => cell(own.find((r) => r.round === n)?.load.rps)),
        mb(own.at(-1)?.helloRssKb),
      ];
    }),
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
