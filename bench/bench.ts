/**
 * The benchmark proper: every mode's chain is started once and kept up; a warm-up round
 * (not counted), then rounds that run each mode in turn (A B C D, A B C D, …) so drift
 * on the machine hits every mode alike; then, if asked, a soak per mode with RSS tracked.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './cli.js';
import { Chain } from './chain.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { describeBuild, describeMachine } from './machine.js';
import type { BuildInfo, Machine } from './machine.js';
import { MODES } from './modes.js';
import type { Mode, ModeId } from './modes.js';
import { summarise } from './results.js';
import type { ModeSummary, RunRecord, SoakRecord } from './results.js';
import type { SpanCount } from './sinks/tally.js';

export interface BenchReport {
  machine: Machine;
  build: BuildInfo;
  options: BenchOptions;
  runs: RunRecord[];
  summary: ModeSummary[];
  soak: SoakRecord[];
}

type Progress = (line: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After the load stops, waits for the reporters' last flushes: until every completed
 * request's trace is whole, or nothing new has arrived for two flush intervals, or the
 * deadline. Modes that must report nothing get the quiet period too, to catch strays.
 */
async function settle(
  chain: Chain,
  ok: number,
  options: BenchOptions,
): Promise<SpanCount | undefined> {
  const sink = chain.sink;
  if (!sink) return undefined;
  const quietMs = 2 * options.flushIntervalMs + 500;
  const deadline = Date.now() + options.flushWaitMs;
  let last = sink.tally.received;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    if (chain.mode.spansPerRequest > 0 && sink.tally.settled(ok)) break;
    if (Date.now() - lastChange > quietMs) break;
    await sleep(50);
    if (sink.tally.received !== last) {
      last = sink.tally.received;
      lastChange = Date.now();
    }
  }
  return sink.tally.count(ok);
}

/** CPU ms both services have used so far. */
function chainCpuMs(chain: Chain): number | undefined {
  const hello = chain.hello.cpuMs();
  const formatter = chain.formatter.cpuMs();
  return hello === undefined || formatter === undefined ? undefined : hello + formatter;
}

async function measure(
  chain: Chain,
  round: number,
  durationS: number,
  options: BenchOptions,
): Promise<RunRecord> {
  chain.sink?.tally.reset();
  if (chain.sink) chain.sink.malformed = 0;
  const cpuBefore = chainCpuMs(chain);
  const benchBefore = process.cpuUsage();
  const load = await drive(chain.url, {
    connections: options.connections,
    durationS,
    mesh: options.inbound === 'mesh',
  });
  const cpuAfter = chainCpuMs(chain);
  const bench = process.cpuUsage(benchBefore);
  const helloRssKb = chain.hello.rssKb();
  const spans = await settle(chain, load.ok, options);
  const cpuUsPerRequest =
    cpuBefore !== undefined && cpuAfter !== undefined && load.completed > 0
      ? ((cpuAfter - cpuBefore) * 1000) / load.completed
      : undefined;
  return {
    mode: chain.mode.id,
    round,
    load,
    spans,
    malformed: chain.sink?.malformed ?? 0,
    helloRssKb,
    cpuUsPerRequest,
    benchCpuUsPerRequest:
      load.completed > 0 ? (bench.user + bench.system) / load.completed : undefined,
  };
}

/**
 * The first tenth of a soak is its warm-up: a chain that idled between rounds has let its
 * heap shrink, and it grows back to its working size in the first seconds of load. The
 * reading after that is the one the end is compared with.
 */
function afterWarmUp(samples: readonly number[]): number | undefined {
  return samples[Math.floor(samples.length / 10)];
}

async function soak(chain: Chain, options: BenchOptions): Promise<SoakRecord> {
  chain.sink?.tally.reset();
  const hello: number[] = [];
  const formatter: number[] = [];
  // RSS under load, once a second; the first sample is a second in, when the load is steady
  const sampler = setInterval(() => {
    const h = chain.hello.rssKb();
    const f = chain.formatter.rssKb();
    if (h !== undefined) hello.push(h);
    if (f !== undefined) formatter.push(f);
  }, 1000);
  let load: LoadResult;
  try {
    load = await drive(chain.url, {
      connections: options.connections,
      durationS: 0,
      amount: options.soak,
      mesh: options.inbound === 'mesh',
    });
  } finally {
    clearInterval(sampler);
  }
  // a soak shorter than a sample interval: fall back to the reading at its end
  if (hello.length === 0) hello.push(chain.hello.rssKb() ?? NaN);
  if (formatter.length === 0) formatter.push(chain.formatter.rssKb() ?? NaN);
  const spans = await settle(chain, load.ok, options);
  return {
    mode: chain.mode.id,
    requests: options.soak,
    load,
    spans,
    helloRssStartKb: afterWarmUp(hello),
    helloRssEndKb: hello.at(-1),
    helloRssMaxKb: Math.max(...hello),
    formatterRssStartKb: afterWarmUp(formatter),
    formatterRssEndKb: formatter.at(-1),
    helloRssSamplesKb: hello,
    formatterRssSamplesKb: formatter,
  };
}

function describeRun(record: RunRecord): string {
  const { load, spans } = record;
  const spanText = spans ? `, spans ${spans.received}/${spans.expected} (lost ${spans.lost})` : '';
  return `${load.rps.toFixed(0)} req/s, p99 ${load.p99.toFixed(2)} ms, errors ${load.errors}${spanText}`;
}

function nodeFlags(options: BenchOptions) {
  return (mode: Mode, service: string): string[] => {
    if (!options.profileDir) return [];
    const dir = join(options.profileDir, `${mode.id}-${service}`);
    mkdirSync(dir, { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  };
}

export async function runBench(options: BenchOptions, progress: Progress): Promise<BenchReport> {
  const machine = describeMachine();
  const modes = options.modes.map((id) => MODES[id]);
  const chains = new Map<ModeId, Chain>();
  const runs: RunRecord[] = [];
  const soaks: SoakRecord[] = [];
  try {
    // all chains start together (each formatter before its hello); a failed start stops the rest
    const starting = modes.map(async (mode) => {
      const chain = await Chain.start(mode, {
        dist: options.dist,
        logLevel: options.logLevel,
        flushIntervalMs: options.flushIntervalMs,
        nodeFlags: nodeFlags(options),
        startTimeoutMs: 60_000,
      });
      chains.set(mode.id, chain);
      progress(`started ${mode.id}: ${mode.title}`);
    });
    const started = await Promise.allSettled(starting);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const chainOf = (id: ModeId) => chains.get(id) as Chain;
    const rounds = options.warmupS > 0 ? [0] : [];
    for (let n = 1; n <= options.rounds; n++) rounds.push(n);
    for (const round of rounds) {
      const durationS = round === 0 ? options.warmupS : options.durationS;
      for (const mode of modes) {
        const record = await measure(chainOf(mode.id), round, durationS, options);
        runs.push(record);
        const label = round === 0 ? 'warm-up' : `round ${round}/${options.rounds}`;
        progress(`${label} ${mode.id}: ${describeRun(record)}`);
      }
    }
    if (options.soak > 0) {
      for (const id of options.soakModes) {
        progress(`soak ${id}: ${options.soak} requests…`);
        const record = await soak(chainOf(id), options);
        soaks.push(record);
        progress(
          `soak ${id}: ${record.load.rps.toFixed(0)} req/s, hello RSS ${record.helloRssStartKb} → ${record.helloRssEndKb} kB`,
        );
      }
    }
  } finally {
    await Promise.all([...chains.values()].map((chain) => chain.stop()));
  }
  return {
    machine,
    build: describeBuild(options.dist),
    options,
    runs,
    summary: summarise(runs, modes),
    soak: soaks,
  };
}
