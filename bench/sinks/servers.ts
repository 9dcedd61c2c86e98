/**
 * The span sinks the chain reports to during the benchmark: a UDP "agent" for
 * jaeger-client's UDPSender, an HTTP "collector" for its HTTPSender, and an OTLP/HTTP
 * endpoint for the OpenTelemetry peer. Each only counts spans per trace (SpanTally).
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { spansInOtlpExport } from './otlp.js';
import { SpanTally } from './tally.js';
import { spansInBatch, spansInEmitBatch } from './thrift.js';
import type { TraceKey } from './thrift.js';

export type SinkKind = 'jaeger-udp' | 'jaeger-http' | 'otlp-http';

export interface Sink {
  readonly kind: SinkKind;
  readonly tally: SpanTally;
  /** Payloads that did not parse (each is a bug in the sink or a broken sender). */
  malformed: number;
  /** The environment that points a service at this sink. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real jaeger-agent is told to use a large socket buffer; the default (~208 KiB) holds
 * only three full 65 KB packets, so a busy moment in the bench's own event loop would
 * drop packets that the services sent perfectly well. 4 MiB is this machine's rmem_max.
 */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

export async function startUdpSink(spansPerTrace: number): Promise<Sink> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER });
  const sink = {
    kind: 'jaeger-udp' as const,
    tally: new SpanTally(spansPerTrace),
    malformed: 0,
    env: {} as Record<string, string>,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (packet) => {
    try {
      sink.tally.add(spansInEmitBatch(packet));
    } catch {
      sink.malformed++;
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sink.env = { JAEGER_AGENT_HOST: '127.0.0.1', JAEGER_AGENT_PORT: String(socket.address().port) };
  return sink;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function startHttpSink(
  kind: SinkKind,
  spansPerTrace: number,
  decode: (body: Buffer) => TraceKey[],
  answer: { status: number; contentType: string },
  env: (url: string) => Record<string, string>,
  path: string,
): Promise<Sink> {
  const tally = new SpanTally(spansPerTrace);
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        try {
          const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          tally.add(decode(body));
          res.writeHead(answer.status, { 'content-type': answer.contentType }).end();
        } catch {
          sink.malformed++;
          res.writeHead(400).end();
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sink: Sink = {
    kind,
    tally,
    malformed: 0,
    env: env(`http://127.0.0.1:${port}${path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sink;
}

/** jaeger-client's HTTPSender: POST /api/traces, a Thrift-binary Batch; Jaeger answers 202. */
export function startJaegerHttpSink(spansPerTrace: number): Promise<Sink> {
  return startHttpSink(
    'jaeger-http',
    spansPerTrace,
    spansInBatch,
    { status: 202, contentType: 'text/plain' },
    (url) => ({ JAEGER_ENDPOINT: url }),
    '/api/traces',
  );
}

/** OTLP/HTTP protobuf: POST /v1/traces; an empty ExportTraceServiceResponse is success. */
export function startOtlpSink(spansPerTrace: number): Promise<Sink> {
  return startHttpSink(
    'otlp-http',
    spansPerTrace,
    spansInOtlpExport,
    { status: 200, contentType: 'application/x-protobuf' },
    (url) => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url }),
    '/v1/traces',
  );
}

export function startSink(kind: SinkKind, spansPerTrace: number): Promise<Sink> {
  switch (kind) {
    case 'jaeger-udp':
      return startUdpSink(spansPerTrace);
    case 'jaeger-http':
      return startJaegerHttpSink(spansPerTrace);
    case 'otlp-http':
      return startOtlpSink(spansPerTrace);
  }
}
