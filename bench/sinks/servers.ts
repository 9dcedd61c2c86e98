/**
 * The span sinks the chain reports to during the benchmark: a UDP "agent" for
 * jaeger-client's UDPSender, an HTTP "collector" for its HTTPSender, an OTLP/HTTP
 * endpoint for the OpenTelemetry peer, and for the mesh a stand-in Jaeger that takes
 * Envoy's Zipkin JSON and the services' Thrift on Jaeger's own ports. Each only counts
 * spans per trace (SpanTally).
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
import { spansInZipkinJson } from './zipkin.js';

export type SinkKind = 'jaeger-udp' | 'jaeger-http' | 'otlp-http' | 'mesh';

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

export function startSink(kind: Exclude<SinkKind, 'mesh'>, spansPerTrace: number): Promise<Sink> {
  switch (kind) {
    case 'jaeger-udp':
      return startUdpSink(spansPerTrace);
    case 'jaeger-http':
      return startJaegerHttpSink(spansPerTrace);
    case 'otlp-http':
      return startOtlpSink(spansPerTrace);
  }
}

/** Jaeger's ports (scripts/jaeger-config.yaml) the mesh uses: it reports to the first two. */
export const MESH_COLLECTOR_PORTS = {
  zipkin: 9411,
  thriftHttp: 14268,
  health: 13133,
  query: 16686,
};

/**
 * A stand-in for the mesh's Jaeger, on Jaeger's ports at `host` (a loopback address of
 * its own): Envoy's Zipkin tracer POSTs JSON to :9411/api/v2/spans, the services'
 * HTTP reporter Thrift to :14268/api/traces; :13133/status and :16686/api/services answer
 * as Jaeger's do, so startMesh takes it for a running Jaeger and starts none. Spans go to
 * the tally of the mode being measured (`activate`): the mesh serves several modes, one
 * at a time. The bench's own process does the counting, as for the other modes, so a
 * real Jaeger's CPU does not land on the machine under test.
 */
export class MeshCollector {
  private active: Sink | undefined;
  /** Spans that arrived while no mode was being measured (between runs). */
  strays = 0;

  private constructor(
    readonly host: string,
    private readonly servers: Server[],
  ) {}

  static async start(host: string): Promise<MeshCollector> {
    const servers: Server[] = [];
    const collector = new MeshCollector(host, servers);
    const ingest = (decode: (body: Buffer) => TraceKey[]) =>
      createServer((req, res) => {
        readBody(req).then(
          (raw) => {
            const sink = collector.active;
            try {
              const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
              const keys = decode(body);
              if (sink) sink.tally.add(keys);
              else collector.strays += keys.length;
              res.writeHead(202, { 'content-type': 'text/plain' }).end();
            } catch {
              if (sink) sink.malformed++;
              res.writeHead(400).end();
            }
          },
          () => res.destroy(),
        );
      });
    const answer = (body: string) =>
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    const plan: [number, Server][] = [
      [MESH_COLLECTOR_PORTS.zipkin, ingest(spansInZipkinJson)],
      [MESH_COLLECTOR_PORTS.thriftHttp, ingest(spansInBatch)],
      [MESH_COLLECTOR_PORTS.health, answer('{"status":"StatusOK"}')],
      [MESH_COLLECTOR_PORTS.query, answer('{"data":[],"total":0}')],
    ];
    try {
      for (const [port, server] of plan) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', (error: NodeJS.ErrnoException) =>
            reject(
              new Error(
                `the mesh's stand-in Jaeger cannot listen on ${host}:${port} (${error.code ?? error.message}): choose another loopback address with --mesh-collector-host`,
              ),
            ),
          );
          server.listen(port, host, resolve);
        });
        servers.push(server);
      }
    } catch (error) {
      await collector.close();
      throw error;
    }
    return collector;
  }

  /** A sink for one mode: its own tally; spans reach it while it is the active one. */
  sinkFor(spansPerTrace: number): Sink {
    return {
      kind: 'mesh',
      tally: new SpanTally(spansPerTrace),
      malformed: 0,
      env: {},
      close: () => Promise.resolve(),
    };
  }

  activate(sink: Sink | undefined): void {
    this.active = sink;
  }

  close(): Promise<void> {
    return Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    ).then(() => undefined);
  }
}
