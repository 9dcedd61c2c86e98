/** The capacity note's tables, in Markdown (they also read well as plain text). */
import { renderTable } from '../table.js';
import type { CapacityOptions } from './measure.js';
import type { ProviderFigures, ScaleOptions, ScaleRow } from './model.js';

const n0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
const n1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');

const FORMAT_NAMES = {
  thrift: 'jaeger.thrift (binary)',
  zipkin: 'Zipkin v2 JSON',
  otlp: 'OTLP protobuf (gRPC)',
} as const;

/** Bytes as SI units (1 MB = 10^6 bytes), three significant digits. */
export function si(bytes: number, per = ''): string {
  if (!Number.isFinite(bytes)) return '-';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}${per}`;
}

export function spanTable(f: ProviderFigures): string {
  return renderTable(
    [
      'span (who, kind)',
      'spans',
      'sent as',
      'bytes sent',
      'stored: OTLP protobuf',
      '+ resource',
      'stored: OTLP JSON (/api/v3)',
      'stored: Jaeger JSON + process (/api/traces)',
    ],
    f.categories.map((c) => [
      c.key,
      String(c.wireSpans),
      FORMAT_NAMES[c.format],
      n0(c.wireBytes),
      n0(c.otlpProto),
      n0(c.resourceProto),
      n0(c.otlpJson),
      n0(c.jaegerJson),
    ]),
  );
}

export function envelopeTable(f: ProviderFigures): string {
  return renderTable(
    [
      'reports',
      'count',
      'spans per report',
      'envelope bytes per report',
      'HTTP head bytes per report',
    ],
    f.envelopes.map((e) => [
      FORMAT_NAMES[e.format],
      String(e.reports),
      n1(e.spansPerReport),
      n0(e.envelopeBytes),
      e.format === 'otlp' ? 'not seen (HTTP/2)' : n0(e.headerBytes),
    ]),
  );
}

const range = (s: { median: number; min: number; max: number }) =>
  s.min === s.max ? n0(s.median) : `${n0(s.median)} (${n0(s.min)}–${n0(s.max)})`;

export function shapeTable(f: ProviderFigures): string {
  return renderTable(
    [
      'shape',
      'requests',
      "services' spans",
      "Envoy's spans",
      'bytes sent per request',
      'stored: OTLP protobuf + resource',
      'stored: Jaeger JSON + process',
    ],
    f.shapes.map((s) => [
      s.shape,
      String(s.requests),
      range(s.appSpans),
      range(s.envoySpans),
      n0(s.wireBytes),
      n0(s.storedProtoBytes),
      n0(s.storedJaegerJsonBytes),
    ]),
  );
}

export function scaleTable(rows: readonly ScaleRow[]): string {
  const withOtlp = rows.some((r) => r.collectorOtlpBytesPerS !== undefined);
  return renderTable(
    [
      'shape',
      'sampling',
      'spans/s',
      'collector in (Envoy on Zipkin)',
      ...(withOtlp ? ['collector in (Envoy on OTLP)'] : []),
      'storage/day, OTLP protobuf',
      'storage/day, Jaeger JSON',
    ],
    rows.map((r) => [
      r.shape,
      `${+(r.sampling * 100).toFixed(2)} %`,
      n0(r.spansPerS),
      si(r.collectorBytesPerS, '/s'),
      ...(withOtlp ? [si(r.collectorOtlpBytesPerS ?? NaN, '/s')] : []),
      si(r.storageProtoBytesPerDay),
      si(r.storageJaegerJsonBytesPerDay),
    ]),
  );
}

export function scaleAssumptions(o: ScaleOptions): string {
  return [
    `Mesh: ${o.pods} workload pods (half callers like hello, half leaves like formatter, each with`,
    `its sidecar) behind ${o.gateways} ingress gateway pods; ${o.rps} requests/s enter the mesh`,
    `(${(o.rps / (o.pods / 2)).toFixed(0)} per caller pod), every one shaped as the row says.`,
    `Reports: a service flushes every ${o.appFlushS} s (at most ${o.appBatchMax} spans per POST); an Envoy every`,
    `${o.envoyFlushS} s or once ${o.envoyMinFlushSpans} spans wait. Each report carries the envelope and HTTP head measured above.`,
  ].join('\n');
}

export function runLine(options: CapacityOptions): string {
  return `Requests: ${options.requests} per shape, ${options.concurrency} at a time, User-Agent of the bench (${options.providers.join(' and ')} provider${options.providers.length > 1 ? 's' : ''}).`;
}
