import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish, and after `deadlineMs`
   * cuts whatever is still open. Resolves when the server is closed.
   */
  drain(deadlineMs: number): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host?: string | undefined;
  /** Larger header blocks are answered 431 by Node before any of our code runs. */
  maxHeaderBytes: number;
}

export function listen(
  app: Express,
  { port, host, maxHeaderBytes }: ListenOptions,
): Promise<RunningServer> {
  const server: Server = createServer({ maxHeaderSize: maxHeaderBytes }, app);
  // Envoy keeps upstream connections open; stay open a little longer than its idle timeout
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        drain: (deadlineMs) => drain(server, deadlineMs),
      });
    });
  });
}

function drain(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), deadlineMs);
    // keep-alive connections go idle as their last request finishes: close them as they do
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
