/**
 * One fresh measurement per tracing provider of the mesh: a real Jaeger (started here
 * unless one already answers at --jaeger-host), the recording front before it, the local
 * mesh reporting through the front, N requests per shape, then every trace read back.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureJaeger } from '../../mesh/jaeger.js';
import { startMesh } from '../../mesh/mesh.js';
import { ProcessGroup } from '../../mesh/processes.js';
import { readSettings } from '../../mesh/settings.js';
import type { MeshSettings } from '../../mesh/settings.js';
import type { MeshTracing } from '../../mesh/topology.js';
import { EXPECTED_BODY, NAME, USER_AGENT } from '../load.js';
import { storedTrace } from './stored.js';
import type { StoredSpan } from './stored.js';
import { Tap } from './tap.js';
import type { ReportFormat } from './tap.js';
import { grpcMessages, otlpSpans, thriftBatchSpans, zipkinSpans } from './wire.js';
import type { WireBody } from './wire.js';

export interface Shape {
  id: string;
  /** Which gateway port: the instrumented shape or the headers-only one. */
  gateway: 'instrumented' | 'headers-only';
  path: string;
}

export const SHAPES: readonly Shape[] = [
  { id: 'instrumented /sayHello', gateway: 'instrumented', path: `/sayHello/${NAME}` },
  { id: 'instrumented /sayHello2', gateway: 'instrumented', path: `/sayHello2/${NAME}` },
  { id: 'headers-only /sayHello', gateway: 'headers-only', path: `/sayHello/${NAME}` },
];

export interface CapacityOptions {
  requests: number;
  concurrency: number;
  providers: MeshTracing[];
  jaegerHost: string;
  tapHost: string;
  meshPort: number;
  say: (line: string) => void;
}

export interface WireReport extends WireBody {
  format: ReportFormat;
  headerBytes: number;
}

export interface ProviderRun {
  provider: MeshTracing;
  /** Trace id (32 hex digits) of every request answered, by shape. */
  traces: Map<string, string[]>;
  wire: WireReport[];
  stored: Map<string, StoredSpan[]>;
  /** Requests that did not answer 200 with the expected greeting, or without x-trace-id. */
  failures: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function decode(format: ReportFormat, body: Buffer): WireBody {
  if (format === 'thrift') return thriftBatchSpans(body);
  if (format === 'zipkin') return zipkinSpans(body);
  const spans = grpcMessages(body).flatMap((message) => otlpSpans(message).spans);
  return {
    spans,
    bodyBytes: body.length,
    envelopeBytes: body.length - spans.reduce((n, s) => n + s.bytes, 0),
  };
}

function settingsFor(provider: MeshTracing, options: CapacityOptions, jaegerHost: string) {
  return readSettings({
    ...process.env,
    MESH_TRACING: provider,
    MESH_PORT: String(options.meshPort),
    MESH_HEADERS_ONLY_PORT: String(options.meshPort + 1),
    MESH_INTERNAL_PORT_BASE: String(options.meshPort + 2),
    JAEGER_LISTEN_HOST: jaegerHost,
    BREAK_PROPAGATION: '',
  });
}

/** Sends `count` requests, `concurrency` at a time; answers the trace ids of those answered right. */
async function send(url: string, count: number, concurrency: number) {
  const ids: string[] = [];
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        const response = await fetch(url, {
          headers: { 'user-agent': USER_AGENT },
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.text();
        const traceId = response.headers.get('x-trace-id');
        if (response.status === 200 && body === EXPECTED_BODY && traceId)
          ids.push(traceId.toLowerCase().padStart(32, '0'));
        else failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ids, failures };
}

async function measureProvider(
  provider: MeshTracing,
  options: CapacityOptions,
  jaegerQueryUrl: string,
): Promise<ProviderRun> {
  const tap = new Tap(options.tapHost, options.jaegerHost);
  await tap.start();
  const traces = new Map<string, string[]>();
  let failures = 0;
  try {
    options.say(
      `${provider}: starting the mesh (its Jaeger: the recording front at ${options.tapHost})`,
    );
    const mesh = await startMesh(settingsFor(provider, options, options.tapHost), {
      say: (line) => options.say(`${provider}: mesh: ${line}`),
    });
    try {
      for (const shape of SHAPES) {
        const base = shape.gateway === 'instrumented' ? mesh.instrumentedUrl : mesh.headersOnlyUrl;
        const url = `${base.replace('//localhost:', '//127.0.0.1:')}${shape.path}`;
        const sent = await send(url, options.requests, options.concurrency);
        traces.set(shape.id, sent.ids);
        failures += sent.failures;
        options.say(
          `${provider}: ${shape.id}: ${sent.ids.length} answered, ${sent.failures} failed`,
        );
      }
    } finally {
      // the services flush on SIGTERM, then every Envoy gets a flush interval: nothing stays behind
      await mesh.stop();
    }
    // the front hands each report on before answering; give the last ones a moment
    await sleep(500);
  } finally {
    await tap.close();
  }
  const wire = tap.reports.map((report) => ({
    format: report.format,
    headerBytes: report.headerBytes,
    ...decode(report.format, report.body),
  }));
  // every trace read back once Jaeger holds as many of its spans as went over the wire
  const onWire = new Map<string, number>();
  for (const report of wire)
    for (const span of report.spans) onWire.set(span.traceId, (onWire.get(span.traceId) ?? 0) + 1);
  const stored = new Map<string, StoredSpan[]>();
  const wanted = [...traces.values()].flat();
  const deadline = Date.now() + 30_000;
  for (const traceId of wanted) {
    for (;;) {
      const spans = await storedTrace(jaegerQueryUrl, traceId);
      const expected = onWire.get(traceId) ?? 0;
      if ((spans && spans.length >= expected) || Date.now() > deadline) {
        if (spans) stored.set(traceId, spans);
        break;
      }
      await sleep(200);
    }
  }
  options.say(
    `${provider}: ${wire.length} span reports recorded, ${stored.size} of ${wanted.length} traces read back`,
  );
  return { provider, traces, wire, stored, failures };
}

export interface Measurement {
  runs: ProviderRun[];
  /** Whether this run started the Jaeger (false: one was already answering at --jaeger-host). */
  jaegerStarted: boolean;
}

/** A Jaeger at --jaeger-host (one already running there is used as it is), then each provider. */
export async function measure(options: CapacityOptions): Promise<Measurement> {
  const base: MeshSettings = settingsFor('zipkin', options, options.jaegerHost);
  const runDir = join(base.cacheDir, 'capacity', options.jaegerHost);
  mkdirSync(runDir, { recursive: true });
  const group = new ProcessGroup(
    (member, exit) => options.say(`${member.name} stopped: ${JSON.stringify(exit)}`),
    join(runDir, 'pids'),
  );
  try {
    const jaeger = await ensureJaeger(base, group, runDir, (line) =>
      options.say(`jaeger: ${line}`),
    );
    const runs: ProviderRun[] = [];
    for (const provider of options.providers)
      runs.push(await measureProvider(provider, options, jaeger.queryUrl));
    if (jaeger.process) await jaeger.process.stop(5000);
    return { runs, jaegerStarted: jaeger.process !== undefined };
  } finally {
    group.killAll();
    group.dispose();
  }
}
