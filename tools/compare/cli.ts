#!/usr/bin/env node
/**
 * `npm run compare [-- --a TRACE --b TRACE]`: two traces from Jaeger side by side; with
 * no --a/--b, the local mesh's latest instrumented and headers-only traces of one route.
 * The work is in run(), which takes its inputs and outputs as arguments so tests can
 * drive it without a process.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommandLine, USAGE } from './args.js';
import { compareTraces } from './compare.js';
import type { Comparison } from './compare.js';
import { renderHtml } from './html.js';
import { JaegerApiError } from './jaeger-api.js';
import { defaultFetchJson, JaegerQuery, JaegerUnreachableError } from './jaeger-query.js';
import type { FetchJson } from './jaeger-query.js';
import { compareLatestPair } from './latest-pair.js';
import { renderText } from './render.js';

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  columns: number | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetchJson?: FetchJson;
  /** Where --html writes; node's writeFile unless given. */
  writeFile?: (path: string, text: string) => Promise<void>;
}

/**
 * Where --html FILE goes: relative to the directory the command was run from. `npm run`
 * runs scripts in the package's directory and says where it was called in INIT_CWD.
 */
export function htmlPath(file: string, env: CliIo['env']): string {
  return resolve(env['INIT_CWD'] ?? process.cwd(), file);
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
  const client = new JaegerQuery(args.jaegerUrl, io.fetchJson ?? defaultFetchJson);
  const say = (lines: readonly string[]) =>
    io.stderr(lines.map((line) => `compare: ${line}\n`).join(''));
  try {
    let comparison: Comparison;
    if (args.traces === 'latest-pair') {
      const latest = await compareLatestPair(client, io.env);
      if (latest.kind === 'nothing') {
        say(latest.messages);
        return 1;
      }
      say(latest.notes);
      comparison = latest.comparison;
    } else {
      comparison = await compareTraces(client, args.traces);
    }
    if (args.htmlFile !== undefined) {
      const path = htmlPath(args.htmlFile, io.env);
      try {
        await (io.writeFile ?? ((file, text) => writeFile(file, text, 'utf8')))(
          path,
          renderHtml(comparison),
        );
      } catch (error) {
        say([`cannot write the HTML page to ${path}: ${(error as Error).message}`]);
        return 1;
      }
      say([`wrote the HTML page to ${path}`]);
    }
    io.stdout(
      args.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderText(comparison, args.width),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof JaegerApiError)) throw error;
    // with no arguments compare expects the mesh's Jaeger: most likely the mesh is not up
    const hint =
      args.traces === 'latest-pair' && error instanceof JaegerUnreachableError
        ? ['is the mesh up? Start it with npm run mesh (or point --jaeger at a running Jaeger)']
        : [];
    say([error.message, ...hint]);
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
