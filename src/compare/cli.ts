#!/usr/bin/env node
/**
 * `npm run compare -- --a TRACE --b TRACE`: two traces from Jaeger side by side.
 * The work is in run(), which takes its inputs and outputs as arguments so tests can
 * drive it without a process.
 */
import { pathToFileURL } from 'node:url';
import { parseCommandLine, USAGE } from './args.js';
import { compareTraces } from './compare.js';
import { JaegerApiError } from './jaeger-api.js';
import { defaultFetchJson, JaegerQueryClient } from './jaeger-client.js';
import type { FetchJson } from './jaeger-client.js';
import { renderText } from './render.js';

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  columns: number | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetchJson?: FetchJson;
}

/** Answers the exit code: 0 done, 1 Jaeger failed us, 2 usage. */
export async function run(io: CliIo): Promise<number> {
  const parsed = parseCommandLine(io.argv, io.env, io.columns);
  if (parsed.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    io.stderr(`compare: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  const client = new JaegerQueryClient(args.jaegerUrl, io.fetchJson ?? defaultFetchJson);
  try {
    const comparison = await compareTraces(client, { a: args.a, b: args.b });
    io.stdout(
      args.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderText(comparison, args.width),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof JaegerApiError)) throw error;
    io.stderr(`compare: ${error.message}\n`);
    return 1;
  }
}

// run only when executed, not when imported by a test
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({
    argv: process.argv.slice(2),
    env: process.env,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `compare: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
