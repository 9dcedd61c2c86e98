/**
 * With --profile DIR the services run under --cpu-prof; once they have exited, this reads
 * the profiles and says where each mode's CPU went, per request, by component (self time,
 * hello + formatter, warm-up and all rounds together).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModeId } from './modes.js';
import type { RunRecord } from './results.js';
import { renderTable } from './table.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Components, first match wins (by function name or script URL). */
const COMPONENTS: readonly [string, RegExp][] = [
  ['GC', /^\(garbage collector\)/],
  ['V8 runtime and compiler', /^\(program\)/],
  [
    'span reporting (Thrift encoding, sending)',
    /thriftrw|node-int64|bufrw|jaeger-client\/dist\/src\/(reporters|thrift)|\/dist\/tracing\/reporting\//,
  ],
  ['jaeger-client spans', /jaeger-client|opentracing/],
  ['OpenTelemetry SDK', /@opentelemetry|protobufjs/],
  [
    'logging (winston)',
    /winston|logform|safe-stable-stringify|triple-beam|readable-stream|\/log\//,
  ],
  ['project tracing code', /\/dist\/tracing\//],
  ['metrics (prom-client)', /prom-client|\/dist\/metrics\//],
  ['node-fetch', /node-fetch|fetch-blob|formdata-polyfill|data-uri-to-buffer/],
  ['express', /express|router|finalhandler|on-finished|content-type|mime|statuses|send\//],
  ['node core (http, net, streams) + syscalls', /^node:|^$/],
];

function componentOf(functionName: string, url: string): string | undefined {
  if (functionName === '(idle)') return undefined;
  for (const [name, pattern] of COMPONENTS)
    if (pattern.test(functionName) || pattern.test(url)) return name;
  return 'other';
}

function selfTimeByComponent(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const component = frame && componentOf(frame.functionName, frame.url);
    if (component)
      totals.set(component, (totals.get(component) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

/** µs of CPU per request by component, for every mode that has profiles in `dir`. */
export function profileTable(
  dir: string,
  runs: readonly RunRecord[],
  modes: readonly ModeId[],
): string {
  const columns = modes.filter((mode) => existsSync(join(dir, `${mode}-hello`)));
  const perMode = new Map<ModeId, Map<string, number>>();
  for (const mode of columns) {
    const requests = runs.filter((r) => r.mode === mode).reduce((n, r) => n + r.load.completed, 0);
    const totals = new Map<string, number>();
    for (const service of ['hello', 'formatter']) {
      const serviceDir = join(dir, `${mode}-${service}`);
      for (const file of readdirSync(serviceDir).filter((f) => f.endsWith('.cpuprofile')))
        for (const [component, us] of selfTimeByComponent(join(serviceDir, file)))
          totals.set(component, (totals.get(component) ?? 0) + us / Math.max(1, requests));
    }
    perMode.set(mode, totals);
  }
  const components = [...COMPONENTS.map(([name]) => name), 'other'];
  const rows = components.map((component) => [
    component,
    ...columns.map((mode) => (perMode.get(mode)?.get(component) ?? 0).toFixed(0)),
  ]);
  rows.push([
    'total',
    ...columns.map((mode) =>
      [...(perMode.get(mode)?.values() ?? [])].reduce((a, b) => a + b, 0).toFixed(0),
    ),
  ]);
  return renderTable(['CPU µs per request (self time)', ...columns], rows);
}
