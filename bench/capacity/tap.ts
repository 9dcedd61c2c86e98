/**
 * A recording front for a real Jaeger: it listens on Jaeger's ports at a loopback address
 * of its own, keeps a copy of every span report that passes (Envoy's Zipkin JSON on
 * :9411, the services' Thrift on :14268, Envoy's OTLP over gRPC on :4317) and hands each
 * on to the Jaeger behind it, whose answer goes back unchanged. Its health and query
 * ports answer for that Jaeger too, so startMesh takes the front for a running Jaeger.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { IncomingMessage, Server } from 'node:http';

export type ReportFormat = 'thrift' | 'zipkin' | 'otlp';

export interface Report {
  format: ReportFormat;
  body: Buffer;
  /** HTTP/1.1 request line and headers as sent (HTTP/2's compressed headers are not counted). */
  headerBytes: number;
}

export const TAP_PORTS = {
  zipkin: 9411,
  thriftHttp: 14268,
  otlpGrpc: 4317,
  health: 13133,
  query: 16686,
} as const;

function readBody(req: IncomingMessage | http2.Http2ServerRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Bytes of an HTTP/1.1 request head: request line, each header line, the blank line. */
function headBytes(req: IncomingMessage): number {
  let bytes = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) + 2;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    bytes += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
  return bytes;
}

export class Tap {
  readonly reports: Report[] = [];
  private readonly servers: (Server | http2.Http2Server)[] = [];
  private upstream: http2.ClientHttp2Session | undefined;

  constructor(
    readonly host: string,
    readonly jaegerHost: string,
  ) {}

  async start(): Promise<void> {
    const forward = (port: number, format: ReportFormat | undefined) =>
      http.createServer((req, res) => {
        readBody(req).then(
          async (body) => {
            if (format) this.reports.push({ format, body, headerBytes: headBytes(req) });
            try {
              const headers: Record<string, string> = {};
              for (const name of ['content-type', 'content-encoding'])
                if (req.headers[name]) headers[name] = String(req.headers[name]);
              const answer = await fetch(`http://${this.jaegerHost}:${port}${req.url ?? '/'}`, {
                method: req.method ?? 'GET',
                headers,
                ...(body.length ? { body } : {}),
                signal: AbortSignal.timeout(10_000),
              });
              const text = Buffer.from(await answer.arrayBuffer());
              res
                .writeHead(answer.status, {
                  'content-type': answer.headers.get('content-type') ?? 'text/plain',
                })
                .end(text);
            } catch {
              res.writeHead(502).end();
            }
          },
          () => res.destroy(),
        );
      });
    await this.listen(forward(TAP_PORTS.zipkin, 'zipkin'), TAP_PORTS.zipkin);
    await this.listen(forward(TAP_PORTS.thriftHttp, 'thrift'), TAP_PORTS.thriftHttp);
    await this.listen(forward(TAP_PORTS.health, undefined), TAP_PORTS.health);
    await this.listen(forward(TAP_PORTS.query, undefined), TAP_PORTS.query);
    await this.listen(this.grpcFront(), TAP_PORTS.otlpGrpc);
  }

  /** OTLP over gRPC (h2c): each call is recorded, made again to Jaeger, and its answer relayed. */
  private grpcFront(): http2.Http2Server {
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        this.reports.push({ format: 'otlp', body, headerBytes: 0 });
        const upstream = this.jaegerSession();
        const outgoing: http2.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(headers))
          if (!name.startsWith(':') || name === ':path' || name === ':method')
            outgoing[name] = value;
        const call = upstream.request(outgoing);
        const answer: Buffer[] = [];
        let responseHeaders: http2.IncomingHttpHeaders = {};
        let trailers: http2.IncomingHttpHeaders = {};
        call.on('response', (h) => (responseHeaders = h));
        call.on('trailers', (t) => (trailers = t));
        call.on('data', (chunk: Buffer) => answer.push(chunk));
        call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
        call.on('end', () => {
          const pick = (h: http2.IncomingHttpHeaders) => {
            const out: http2.OutgoingHttpHeaders = {};
            for (const [name, value] of Object.entries(h))
              if (!name.startsWith(':') && value !== undefined) out[name] = value;
            return out;
          };
          const hasTrailers = Object.keys(trailers).length > 0;
          stream.respond(
            { ':status': Number(responseHeaders[':status'] ?? 200), ...pick(responseHeaders) },
            { waitForTrailers: hasTrailers },
          );
          if (hasTrailers) stream.on('wantTrailers', () => stream.sendTrailers(pick(trailers)));
          stream.end(Buffer.concat(answer));
        });
        call.end(body);
      });
    });
    return server;
  }

  private jaegerSession(): http2.ClientHttp2Session {
    if (this.upstream && !this.upstream.closed && !this.upstream.destroyed) return this.upstream;
    const session = http2.connect(`http://${this.jaegerHost}:${TAP_PORTS.otlpGrpc}`);
    session.on('error', () => {
      if (this.upstream === session) this.upstream = undefined;
    });
    this.upstream = session;
    return session;
  }

  private listen(server: Server | http2.Http2Server, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `the recording front cannot listen on ${this.host}:${port} (${error.code ?? error.message}): choose another --tap-host`,
          ),
        ),
      );
      server.listen(port, this.host, () => {
        this.servers.push(server);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.upstream?.close();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }
}
