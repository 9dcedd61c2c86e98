#!/usr/bin/env node
/**
 * `npm run bench`: what the tracing costs, side by side on the same chain. Prints the
 * machine, a table per measured figure, and with --json writes the same to a file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench } from './bench.js';
import { estimateSeconds, parseOptions, usage } from './cli.js';
import { MODES, isMeshMode } from './modes.js';
import { profileTable } from './profile.js';
import {
  machineLines,
  meshTable,
  pairedTable,
  roundsTable,
  soakTable,
  spansTable,
  summaryTable,
  targetsTable,
} from './table.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const build = join(options.dist, 'main.js');
  if (!existsSync(build)) {
    process.stderr.write(`${build} is missing: run npm run build (npm run bench does)\n`);
    return 2;
  }
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  const estimate = estimateSeconds(options);
  progress(
    `${options.modes.length} modes, ${options.rounds} round(s) × ${options.durationS} s after a ${options.warmupS} s warm-up: about ${Math.ceil(estimate / 60)} min`,
  );
  const startedMs = Date.now();
  const report = await runBench(options, progress);
  const took = (Date.now() - startedMs) / 1000;
  const chainRows = report.summary.filter((s) => !isMeshMode(s.mode));
  const meshRows = report.summary.filter((s) => isMeshMode(s.mode));
  const out = [
    '',
    '# hello-app tracing benchmark',
    '',
    machineLines(report.machine, report.build),
    `Run:    ${options.connections} connections, ${options.durationS} s per mode and round, ${options.rounds} round(s) after a ${options.warmupS} s warm-up; LOG_LEVEL=${options.logLevel}, flush interval ${options.flushIntervalMs} ms, inbound headers: ${options.inbound}; took ${(took / 60).toFixed(1)} min`,
    '',
    'CPU µs/req: user + system CPU time of hello + formatter (/proc/<pid>/stat) over the run ÷ requests',
    'answered. Figures are medians over the rounds, min–max the lowest and highest round. Every',
    '"× floor" is this row\'s median ÷ the floor row\'s median, both in the table; the paired',
    'per-round ratios (each round against the floor in the same round) are further down.',
  ];
  if (chainRows.length)
    out.push('', '## The chain alone (floor: headers-only)', '', summaryTable(chainRows));
  if (meshRows.length)
    out.push(
      '',
      '## Behind the local Envoy mesh (floors: mesh-headers-only; for mesh-unsampled, mesh-headers-only-unsampled)',
      '',
      'The same services through the ingress gateway and sidecars (MESH_TRACING=zipkin, 100 % sampling;',
      'the *-unsampled rows send x-b3-sampled: 0, which Envoy and the services follow).',
      'Envoy CPU: the gateway and the two sidecars on the path; "services + Envoy × floor" is what',
      'tracing adds to a request that already crosses the sidecars.',
      '',
      meshTable(meshRows),
    );
  if (report.targets.length)
    out.push('', '## Targets (judged on the ratio of medians)', '', targetsTable(report.targets));
  out.push(
    '',
    '## Paired per-round ratios: median (min–max) of each round ÷ the floor in the same round',
    '',
    pairedTable(report.summary),
    '',
    "## Spans (summed over the rounds) and the bench process's own CPU",
    '',
    spansTable(report.summary, (mode) => MODES[mode].spansPerRequest),
    '',
    '## Every round',
    '',
    roundsTable(report.runs, options.modes),
  );
  if (report.soak.length)
    out.push(
      '',
      `## Soak (${options.soak} requests per mode; RSS read every second under load, its first tenth is warm-up)`,
      '',
      soakTable(report.soak),
    );
  if (options.profileDir)
    out.push(
      '',
      `## Where the CPU went (profiles in ${options.profileDir}; hello + formatter, all rounds)`,
      '',
      profileTable(options.profileDir, report.runs, options.modes),
    );
  process.stdout.write(`${out.join('\n')}\n`);
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`  figures written to ${options.json}\n`);
  }
  return 0;
}

// Ctrl+C or a kill: exit (the 'exit' hook in processes.ts stops the services) rather than hang
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
