/**
 * From one measurement to the capacity table: bytes per span by who made it and its kind,
 * spans and bytes per request per shape, and a mesh of many pods at a stated request rate.
 */
import { median } from '../results.js';
import type { ProviderRun } from './measure.js';
import { SHAPES } from './measure.js';
import type { StoredSpan } from './stored.js';
import type { ReportFormat } from './tap.js';

/** Who made a span: a service, or an Envoy (the gateway or a workload's sidecar). */
export type Role = 'hello' | 'formatter' | 'gateway' | 'hello sidecar' | 'formatter sidecar';
export const ROLES: readonly Role[] = [
  'hello',
  'formatter',
  'gateway',
  'hello sidecar',
  'formatter sidecar',
];
export const isEnvoy = (role: Role) => role !== 'hello' && role !== 'formatter';

export function roleOf(service: string, mesh: boolean): Role {
  if (service.startsWith('istio-ingressgateway')) return 'gateway';
  const app = service.startsWith('formatter') ? 'formatter' : 'hello';
  return mesh ? `${app} sidecar` : app;
}

/** A row of the per-span table: who and which kind, e.g. "hello sidecar CLIENT". */
export const categoryOf = (role: Role, kind: string) =>
  `${role} ${kind === 'UNSPECIFIED' ? 'in-process (kind unset)' : kind}`;

export interface Category {
  key: string;
  role: Role;
  kind: string;
  /** How this provider's run sent it: jaeger.thrift, Zipkin JSON or OTLP protobuf. */
  format: ReportFormat;
  wireSpans: number;
  wireBytes: number;
  storedSpans: number;
  /** Mean bytes, as stored (see stored.ts). */
  otlpProto: number;
  resourceProto: number;
  otlpJson: number;
  jaegerJson: number;
}

export interface Envelope {
  format: ReportFormat;
  reports: number;
  spansPerReport: number;
  /** Mean bytes per report that are not spans: batch framing, process or resource block. */
  envelopeBytes: number;
  /** Mean HTTP/1.1 request head per report (0 for gRPC, whose compressed headers are not seen). */
  headerBytes: number;
}

export interface ShapeFigures {
  shape: string;
  requests: number;
  /** Spans per request, as stored: median, min, max; split into the services' and Envoy's. */
  appSpans: { median: number; min: number; max: number };
  envoySpans: { median: number; min: number; max: number };
  /** Mean spans per request of each role (for batching: how many spans each process reports). */
  spansByRole: Record<Role, number>;
  /** Bytes per request: spans on the wire (no envelope), and stored. */
  wireBytes: number;
  /** …of which the Envoys' spans. */
  envoyWireBytes: number;
  storedProtoBytes: number;
  storedJaegerJsonBytes: number;
}

export interface ProviderFigures {
  provider: string;
  categories: Category[];
  envelopes: Envelope[];
  shapes: ShapeFigures[];
  failures: number;
  /** Traces whose stored span count differs from what went over the wire. */
  mismatched: number;
}

const mean = (sum: number, n: number) => (n ? sum / n : NaN);

function spread(values: number[]) {
  return values.length
    ? { median: median(values), min: Math.min(...values), max: Math.max(...values) }
    : { median: NaN, min: NaN, max: NaN };
}

export function figuresOf(run: ProviderRun): ProviderFigures {
  const categories = new Map<string, Category>();
  const category = (role: Role, kind: string, format: ReportFormat) => {
    const key = categoryOf(role, kind);
    let found = categories.get(key);
    if (!found) {
      found = {
        key,
        role,
        kind,
        format,
        wireSpans: 0,
        wireBytes: 0,
        storedSpans: 0,
        otlpProto: 0,
        resourceProto: 0,
        otlpJson: 0,
        jaegerJson: 0,
      };
      categories.set(key, found);
    }
    return found;
  };
  const wanted = new Set([...run.traces.values()].flat());
  const onWire = new Map<string, number>();
  for (const report of run.wire)
    for (const span of report.spans) {
      if (!wanted.has(span.traceId)) continue;
      onWire.set(span.traceId, (onWire.get(span.traceId) ?? 0) + 1);
      const c = category(
        roleOf(span.service, report.format !== 'thrift'),
        span.kind,
        report.format,
      );
      c.wireSpans++;
      c.wireBytes += span.bytes;
    }
  let mismatched = 0;
  for (const [traceId, spans] of run.stored) {
    if (spans.length !== (onWire.get(traceId) ?? 0)) mismatched++;
    for (const span of spans) {
      const role = roleOf(span.service, span.mesh);
      const c = category(role, span.kind, isEnvoy(role) ? formatOfEnvoy(run) : 'thrift');
      c.storedSpans++;
      c.otlpProto += span.otlpProto;
      c.resourceProto += span.resourceProto;
      c.otlpJson += span.otlpJson;
      c.jaegerJson += span.jaegerJson;
    }
  }
  const byKey = new Map<string, Category>();
  for (const c of categories.values()) {
    byKey.set(c.key, {
      ...c,
      wireBytes: mean(c.wireBytes, c.wireSpans),
      otlpProto: mean(c.otlpProto, c.storedSpans),
      resourceProto: mean(c.resourceProto, c.storedSpans),
      otlpJson: mean(c.otlpJson, c.storedSpans),
      jaegerJson: mean(c.jaegerJson, c.storedSpans),
    });
  }
  const envelopes: Envelope[] = (['thrift', 'zipkin', 'otlp'] as const).flatMap((format) => {
    const reports = run.wire.filter((r) => r.format === format && r.spans.length > 0);
    if (!reports.length) return [];
    const total = (pick: (r: (typeof reports)[number]) => number) =>
      reports.reduce((n, r) => n + pick(r), 0);
    return [
      {
        format,
        reports: reports.length,
        spansPerReport: total((r) => r.spans.length) / reports.length,
        envelopeBytes: total((r) => r.envelopeBytes) / reports.length,
        headerBytes: total((r) => r.headerBytes) / reports.length,
      },
    ];
  });
  const shapes = SHAPES.map(({ id }) => {
    const ids = run.traces.get(id) ?? [];
    const traces = ids.map((t) => run.stored.get(t) ?? []);
    const count = (spans: StoredSpan[], envoy: boolean) =>
      spans.filter((s) => isEnvoy(roleOf(s.service, s.mesh)) === envoy).length;
    const spansByRole = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
    let wireBytes = 0;
    let envoyWireBytes = 0;
    let storedProtoBytes = 0;
    let storedJaegerJsonBytes = 0;
    for (const spans of traces)
      for (const span of spans) {
        const role = roleOf(span.service, span.mesh);
        spansByRole[role] += 1 / Math.max(1, traces.length);
        const c = byKey.get(categoryOf(role, span.kind));
        const bytes = c?.wireBytes ?? NaN;
        wireBytes += bytes;
        if (isEnvoy(role)) envoyWireBytes += bytes;
        storedProtoBytes += span.otlpProto + span.resourceProto;
        storedJaegerJsonBytes += span.jaegerJson;
      }
    const n = Math.max(1, traces.length);
    return {
      shape: id,
      requests: ids.length,
      appSpans: spread(traces.map((t) => count(t, false))),
      envoySpans: spread(traces.map((t) => count(t, true))),
      spansByRole,
      wireBytes: wireBytes / n,
      envoyWireBytes: envoyWireBytes / n,
      storedProtoBytes: storedProtoBytes / n,
      storedJaegerJsonBytes: storedJaegerJsonBytes / n,
    };
  });
  const order = (c: Category) => ROLES.indexOf(c.role) * 10 + ['SERVER', 'CLIENT'].indexOf(c.kind);
  return {
    provider: run.provider,
    categories: [...byKey.values()].sort((a, b) => order(a) - order(b)),
    envelopes,
    shapes,
    failures: run.failures,
    mismatched,
  };
}

function formatOfEnvoy(run: ProviderRun): ReportFormat {
  return run.provider === 'otel' ? 'otlp' : 'zipkin';
}

// ---------------------------------------------------------------- the mesh at scale

export interface ScaleOptions {
  /** Requests per second entering the mesh (through the gateways). */
  rps: number;
  /** Workload pods: half hello-like callers, half formatter-like leaves, each with a sidecar. */
  pods: number;
  /** Ingress gateway pods (not among the workload pods). */
  gateways: number;
  samplings: number[];
  /** jaeger-client's flush interval (JAEGER_REPORTER_FLUSH_INTERVAL, default 1 s). */
  appFlushS: number;
  /** Envoy's tracer: flush every 5 s (Istio's default), or once 5 spans are waiting. */
  envoyFlushS: number;
  envoyMinFlushSpans: number;
  /** jaeger-client's HTTP reporter sends at most this many spans per POST. */
  appBatchMax: number;
}

export const DEFAULT_SCALE: ScaleOptions = {
  rps: 10_000,
  pods: 1000,
  gateways: 10,
  samplings: [0.01, 0.1, 1],
  appFlushS: 1,
  envoyFlushS: 5,
  envoyMinFlushSpans: 5,
  appBatchMax: 100,
};

/**
 * Reports per second from one process that sees `tracesPerS` sampled requests, each giving
 * it `spansPerTrace` spans: one per flush interval when at least one trace arrived in it
 * (Poisson arrivals), or more when batches fill (`spansPerReport` spans each).
 */
export function reportsPerSecond(
  tracesPerS: number,
  spansPerTrace: number,
  flushS: number,
  spansPerReport: number,
): number {
  if (tracesPerS <= 0 || spansPerTrace <= 0) return 0;
  const timed = (1 - Math.exp(-tracesPerS * flushS)) / flushS;
  const full = (tracesPerS * spansPerTrace) / spansPerReport;
  return Math.max(timed, full);
}

export interface ScaleRow {
  shape: string;
  sampling: number;
  spansPerS: number;
  /** Collector ingest: spans plus each report's envelope and HTTP head. */
  collectorBytesPerS: number;
  /** The same with Envoy on OTLP (MESH_TRACING=otel), when that run was made. */
  collectorOtlpBytesPerS: number | undefined;
  storageProtoBytesPerDay: number;
  storageJaegerJsonBytesPerDay: number;
}

export function scale(
  zipkin: ProviderFigures,
  otel: ProviderFigures | undefined,
  options: ScaleOptions,
): ScaleRow[] {
  const processes: Record<Role, number> = {
    hello: options.pods / 2,
    formatter: options.pods / 2,
    'hello sidecar': options.pods / 2,
    'formatter sidecar': options.pods / 2,
    gateway: options.gateways,
  };
  const overheadOf = (figures: ProviderFigures, format: ReportFormat) => {
    const e = figures.envelopes.find((x) => x.format === format);
    return e ? e.envelopeBytes + e.headerBytes : 0;
  };
  const reportOverheadPerS = (
    figures: ProviderFigures,
    shape: ShapeFigures,
    tracesPerS: number,
    envoyFormat: ReportFormat,
  ) =>
    ROLES.reduce((total, role) => {
      const n = processes[role];
      const envoy = isEnvoy(role);
      const perProcess = reportsPerSecond(
        tracesPerS / n,
        shape.spansByRole[role],
        envoy ? options.envoyFlushS : options.appFlushS,
        envoy ? options.envoyMinFlushSpans : options.appBatchMax,
      );
      return total + n * perProcess * overheadOf(figures, envoy ? envoyFormat : 'thrift');
    }, 0);
  const rows: ScaleRow[] = [];
  for (const shape of zipkin.shapes)
    for (const sampling of options.samplings) {
      const tracesPerS = options.rps * sampling;
      const otelShape = otel?.shapes.find((s) => s.shape === shape.shape);
      rows.push({
        shape: shape.shape,
        sampling,
        spansPerS: tracesPerS * (shape.appSpans.median + shape.envoySpans.median),
        collectorBytesPerS:
          tracesPerS * shape.wireBytes + reportOverheadPerS(zipkin, shape, tracesPerS, 'zipkin'),
        collectorOtlpBytesPerS:
          otel && otelShape
            ? tracesPerS * (shape.wireBytes - shape.envoyWireBytes + otelShape.envoyWireBytes) +
              reportOverheadPerS(otel, shape, tracesPerS, 'otlp')
            : undefined,
        storageProtoBytesPerDay: tracesPerS * shape.storedProtoBytes * 86_400,
        storageJaegerJsonBytesPerDay: tracesPerS * shape.storedJaegerJsonBytes * 86_400,
      });
    }
  return rows;
}
