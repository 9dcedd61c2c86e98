/**
 * The benchmark proper: every mode's chain (and the mesh, for the mesh modes) is started
 * once and kept up; a warm-up round (not counted), then rounds that run each mode in turn
 * (A B C D, A B C D, …) so drift on the machine hits every mode alike; then, if asked, a
 * soak per mode with RSS tracked.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './cli.js';
import { Chain } from './chain.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { describeBuild, describeMachine } from './machine.js';
import type { BuildInfo, Machine } from './machine.js';
import { MeshBench } from './mesh-target.js';
import { MODES } from './modes.js';
import type { Mode, ModeId } from './modes.js';
import { checkTargets, summarise } from './results.js';
import type { ModeSummary, RunRecord, SoakRecord, TargetCheck } from './results.js';
import type { SpanCount } from './sinks/tally.js';
import type { Target } from './target.js';

export interface BenchReport {
  machine: Machine;
  build: BuildInfo;
  options: BenchOptions;
  runs: RunRecord[];
  summary: ModeSummary[];
  targets: TargetCheck[];
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
  chain: Target,
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

/** The load options of a target: sidecar headers for a bare chain (--inbound), the mode's own behind the mesh. */
function loadOf(target: Target, options: BenchOptions) {
  return {
    connections: options.connections,
    mesh: !target.behindMesh && options.inbound === 'mesh',
    headers: target.requestHeaders,
  };
}

const perRequest = (before: number | undefined, after: number | undefined, requests: number) =>
  before !== undefined && after !== undefined && requests > 0
    ? ((after - before) * 1000) / requests
    : undefined;

async function measure(
  chain: Target,
  round: number,
  durationS: number,
  options: BenchOptions,
): Promise<RunRecord> {
  chain.check();
  chain.sink?.tally.reset();
  if (chain.sink) chain.sink.malformed = 0;
  chain.begin();
  const cpuBefore = chain.servicesCpuMs();
  const envoyBefore = chain.envoyCpuMs();
  const benchBefore = process.cpuUsage();
  const load = await drive(chain.url, { ...loadOf(chain, options), durationS });
  const cpuAfter = chain.servicesCpuMs();
  const envoyAfter = chain.envoyCpuMs();
  const bench = process.cpuUsage(benchBefore);
  const helloRssKb = chain.helloRssKb();
  const spans = await settle(chain, load.ok, options);
  chain.check();
  return {
    mode: chain.mode.id,
    round,
    load,
    spans,
    malformed: chain.sink?.malformed ?? 0,
    helloRssKb,
    cpuUsPerRequest: perRequest(cpuBefore, cpuAfter, load.completed),
    envoyCpuUsPerRequest: perRequest(envoyBefore, envoyAfter, load.completed),
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

async function soak(chain: Target, options: BenchOptions): Promise<SoakRecord> {
  chain.sink?.tally.reset();
  chain.begin();
  const hello: number[] = [];
  const formatter: number[] = [];
  // RSS under load, once a second; the first sample is a second in, when the load is steady
  const sampler = setInterval(() => {
    const h = chain.helloRssKb();
    const f = chain.formatterRssKb();
    if (h !== undefined) hello.push(h);
    if (f !== undefined) formatter.push(f);
  }, 1000);
  let load: LoadResult;
  try {
    load = await drive(chain.url, {
      ...loadOf(chain, options),
      durationS: 0,
      amount: options.soak,
    });
  } finally {
    clearInterval(sampler);
  }
  // a soak shorter than a sample interval: fall back to the reading at its end
  if (hello.length === 0) hello.push(chain.helloRssKb() ?? NaN);
  if (formatter.length === 0) formatter.push(chain.formatterRssKb() ?? NaN);
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
  const cpu = record.cpuUsPerRequest?.toFixed(0) ?? '-';
  const envoy =
    record.envoyCpuUsPerRequest === undefined
      ? ''
      : ` + Envoy ${record.envoyCpuUsPerRequest.toFixed(0)}`;
  return `CPU ${cpu}${envoy} µs/req, ${load.rps.toFixed(0)} req/s, p99 ${load.p99.toFixed(2)} ms, errors ${load.errors}${spanText}`;
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
  const targets = new Map<ModeId, Target>();
  const chains: Chain[] = [];
  let mesh: MeshBench | undefined;
  const runs: RunRecord[] = [];
  const soaks: SoakRecord[] = [];
  try {
    // all chains start together (each formatter before its hello), and the mesh if a mode
    // needs it; a failed start stops the rest
    const starting: Promise<void>[] = modes
      .filter((mode) => mode.app !== 'mesh')
      .map(async (mode) => {
        const chain = await Chain.start(mode, {
          dist: options.dist,
          logLevel: options.logLevel,
          flushIntervalMs: options.flushIntervalMs,
          nodeFlags: nodeFlags(options),
          startTimeoutMs: 60_000,
        });
        chains.push(chain);
        targets.set(mode.id, chain);
        progress(`started ${mode.id}: ${mode.title}`);
      });
    const meshModes = modes.filter((mode) => mode.app === 'mesh');
    if (meshModes.length)
      starting.push(
        (async () => {
          mesh = await MeshBench.start({
            port: options.meshPort,
            collectorHost: options.meshCollectorHost,
            logLevel: options.logLevel,
            say: progress,
          });
          for (const mode of meshModes) {
            targets.set(mode.id, mesh.target(mode));
            progress(`started ${mode.id}: ${mode.title}`);
          }
        })(),
      );
    const started = await Promise.allSettled(starting);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const targetOf = (id: ModeId) => targets.get(id) as Target;
    const rounds = options.warmupS > 0 ? [0] : [];
    for (let n = 1; n <= options.rounds; n++) rounds.push(n);
    for (const round of rounds) {
      const durationS = round === 0 ? options.warmupS : options.durationS;
      for (const mode of modes) {
        const record = await measure(targetOf(mode.id), round, durationS, options);
        runs.push(record);
        const label = round === 0 ? 'warm-up' : `round ${round}/${options.rounds}`;
        progress(`${label} ${mode.id}: ${describeRun(record)}`);
      }
    }
    if (options.soak > 0) {
      for (const id of options.soakModes) {
        progress(`soak ${id}: ${options.soak} requests…`);
        const record = await soak(targetOf(id), options);
        soaks.push(record);
        progress(
          `soak ${id}: ${record.load.rps.toFixed(0)} req/s, hello RSS ${record.helloRssStartKb} → ${record.helloRssEndKb} kB`,
        );
      }
    }
  } finally {
    await Promise.all([
      ...chains.map((chain) => chain.stop()),
      ...(mesh ? [(mesh as MeshBench).stop()] : []),
    ]);
  }
  const summary = summarise(runs, modes);
  return {
    machine,
    build: describeBuild(options.dist),
    options,
    runs,
    summary,
    targets: checkTargets(summary),
    soak: soaks,
  };
}
