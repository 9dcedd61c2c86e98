#!/usr/bin/env node
/**
 * `npm run bench`: what the tracing costs, side by side on the same chain. Prints the
 * machine, a table per measured figure, and with --json writes the same to a file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench } from './bench.js';
import { USAGE, parseOptions } from './cli.js';
import { profileTable } from './profile.js';
import { machineLines, roundsTable, soakTable, summaryTable } from './table.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const build = join(options.dist, 'main.js');
  if (!existsSync(build)) {
    process.stderr.write(`${build} is missing: run npm run build (npm run bench does)\n`);
    return 2;
  }
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  const report = await runBench(options, progress);
  const out = [
    '',
    '# hello-app tracing benchmark',
    '',
    machineLines(report.machine, report.build),
    `Run:    ${options.connections} connections, ${options.durationS} s per mode and round, ${options.rounds} round(s) after a ${options.warmupS} s warm-up; LOG_LEVEL=${options.logLevel}, flush interval ${options.flushIntervalMs} ms, inbound headers: ${options.inbound}`,
    '',
    '## Per mode (medians over the rounds; ratios are per round against headers-only, then the median)',
    '',
    summaryTable(report.summary),
    '',
    '## Every round',
    '',
    roundsTable(report.runs, options.modes),
  ];
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
