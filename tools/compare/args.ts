/**
 * The command line of `npm run compare`: parsed strictly, so anything unexpected ends
 * in the usage text and exit code 2 instead of a half-understood request.
 */
import { parseArgs } from 'node:util';
import { parseSelector, SelectorError } from './selector.js';
import type { TraceSelector } from './selector.js';

export const DEFAULT_JAEGER_URL = 'http://localhost:16686';
export const DEFAULT_WIDTH = 160;

export const USAGE = `Usage: npm run compare [-- [--a TRACE --b TRACE] [--jaeger URL] [--json] [--html FILE] [--width N]]

Prints two traces from Jaeger side by side as span trees, then what tells them apart.

With no --a and --b it compares the local mesh's two shapes (npm run mesh): A is the
latest instrumented trace (service hello.hello-opentracing), B the latest headers-only
trace (service hello.hello-headers-only) of the same route, GET /sayHello/:name or
GET /sayHello2/:name, from the last hour. The route is the newest headers-only trace's,
else the other one.

TRACE is one of
  a trace id                 4bf92f3577b34da6a3ce929d0e0e4736 (up to 32 hex digits)
  the latest trace of        service=NAME[,operation=NAME][,tag.KEY=VALUE...][,lookback=1h]
                             quote values with commas: operation="a, b"

Options
  --a TRACE, --b TRACE       the two traces (both, or neither for the mesh's latest pair)
  --jaeger URL               Jaeger query API (default: $JAEGER_QUERY_URL or ${DEFAULT_JAEGER_URL})
  --json                     print the comparison as JSON instead of text
  --html FILE                also write it as one self-contained HTML page: both timelines
                             on one time scale, each span's tags, logs and baggage a click
                             away; loads nothing, so it opens offline or attached to an issue
  --width N                  total width of the side-by-side text (default: terminal width or ${DEFAULT_WIDTH})
  -h, --help                 this text

Examples
  npm run compare
  npm run compare -- --a service=hello,operation="GET /sayHello/:name" \\
                     --b service=istio-ingressgateway.istio-system,tag.http.url=http://localhost:8090/sayHello2/Leela
  npm run compare -- --a 00000f7651916cd43dd8448eb211c803 --b 7c1d5f0e9a3b44e1b2c3d4e5f6a7b8c9 --json
  npm run compare -- --html compare.html

Exit codes: 0 done, 1 Jaeger could not answer (unreachable, trace not found, nothing to compare yet)
or the --html FILE could not be written, 2 usage.`;

export interface CompareArgs {
  /** The two traces asked for, or the mesh's latest instrumented / headers-only pair. */
  traces: { a: TraceSelector; b: TraceSelector } | 'latest-pair';
  jaegerUrl: string;
  json: boolean;
  /** Where to write the HTML page too, as given (relative to where the command was run). */
  htmlFile: string | undefined;
  width: number;
}

export type ParsedArgs =
  { kind: 'run'; args: CompareArgs } | { kind: 'help' } | { kind: 'usage-error'; message: string };

function checkUrl(raw: string): string {
  const url = new URL(raw); // throws TypeError on garbage
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('protocol');
  return raw;
}

export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  terminalColumns: number | undefined,
): ParsedArgs {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        a: { type: 'string' },
        b: { type: 'string' },
        jaeger: { type: 'string' },
        json: { type: 'boolean', default: false },
        html: { type: 'string' },
        width: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if ((values.a === undefined) !== (values.b === undefined)) {
    return {
      kind: 'usage-error',
      message:
        'give both --a and --b, or neither: with no arguments compare picks both (the latest instrumented and headers-only traces of one route)',
    };
  }

  const jaeger = values.jaeger ?? env['JAEGER_QUERY_URL'] ?? DEFAULT_JAEGER_URL;
  try {
    checkUrl(jaeger);
  } catch {
    return { kind: 'usage-error', message: `--jaeger "${jaeger}" is not an http(s) URL` };
  }
  if (values.html !== undefined && !values.html.trim()) {
    return { kind: 'usage-error', message: '--html needs a file name to write the page to' };
  }
  const width =
    values.width === undefined ? (terminalColumns ?? DEFAULT_WIDTH) : Number(values.width);
  if (!Number.isInteger(width) || width < 40 || width > 1000) {
    return {
      kind: 'usage-error',
      message: `--width "${values.width}" must be a whole number from 40 to 1000`,
    };
  }
  try {
    return {
      kind: 'run',
      args: {
        traces:
          values.a !== undefined && values.b !== undefined
            ? { a: parseSelector(values.a), b: parseSelector(values.b) }
            : 'latest-pair',
        jaegerUrl: jaeger,
        json: values.json,
        htmlFile: values.html,
        width,
      },
    };
  } catch (error) {
    if (error instanceof SelectorError) return { kind: 'usage-error', message: error.message };
    throw error;
  }
}
