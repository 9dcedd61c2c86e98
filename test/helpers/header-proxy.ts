/**
 * A recording hop between hello and formatter: it keeps the headers of every request
 * that crosses it (what actually went over the wire) and forwards the request unchanged.
 * Playing a sidecar's position, it can also be told to fail or to stall.
 */
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyBehaviour = 'forward' | 'stall' | 'delay';

export class HeaderRecordingProxy {
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  behaviour: ProxyBehaviour = 'forward';
  /** How long 'delay' holds each request before forwarding it. */
  delayMs = 500;
  private server: Server | undefined;

  constructor(private readonly targetPort: () => number) {}

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push({ url: req.url ?? '', headers: req.headers });
      if (this.behaviour === 'stall') return; // never answers: the caller's timeout must fire
      if (this.behaviour === 'delay') setTimeout(() => this.forward(req, res), this.delayMs);
      else this.forward(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: this.targetPort(),
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end('proxy: upstream unreachable'));
    req.pipe(upstream);
  }

  last(): IncomingHttpHeaders {
    const entry = this.requests.at(-1);
    if (!entry) throw new Error('no request reached the proxy');
    return entry.headers;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
