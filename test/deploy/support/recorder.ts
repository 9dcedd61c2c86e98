import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that records each request's headers and answers with a fixed
 * text: a stand-in for formatter (to see what hello sends it) or for Jaeger's collector.
 */
export class Recorder {
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server;
  port = 0;

  constructor(private readonly answer = 'ok\n') {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(this.answer);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
