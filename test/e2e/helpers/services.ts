/**
 * The built services as real child processes, configured the way the Dockerfile runs
 * them (`node dist/main.js` with app_name, PORT, formatter_host, formatter_port,
 * professor). PORT=0 gives each an ephemeral port; the port is read from its
 * "listening" log line, so there is no race for a port picked in advance.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { eventually } from './poll.js';

const MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
const STOP_DEADLINE_MS = 10_000;
const running = new Set<ChildProcess>();

// a crashed test run must not leave services behind
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ServiceOptions {
  /** A label for messages, e.g. "formatter v2". */
  label: string;
  env: Record<string, string>;
}

export class ServiceProcess {
  readonly label: string;
  readonly exited: Promise<number | null>;
  port = 0;
  private readonly lines: string[] = [];
  private stderr = '';
  private readonly child: ChildProcess;

  constructor({ label, env }: ServiceOptions) {
    this.label = label;
    // only PATH from the outside: a stray JAEGER_* in the caller's shell must not leak in
    this.child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The JSON log lines so far. */
  logs(): Record<string, unknown>[] {
    return this.lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  output(): string {
    return `${this.label} stdout:\n${this.lines.slice(-30).join('\n')}\n${this.label} stderr:\n${this.stderr.slice(-3000)}`;
  }

  async ready(): Promise<this> {
    this.port = await eventually(
      `${this.label} to listen`,
      () => {
        if (!this.alive) throw new Error(`${this.label} exited during start-up\n${this.output()}`);
        const line = this.logs().find((l) => l['message'] === 'listening');
        return typeof line?.['port'] === 'number' ? line['port'] : undefined;
      },
      { deadlineMs: 20_000, intervalMs: 50 },
    );
    return this;
  }

  /** SIGTERM (what Kubernetes sends), then SIGKILL if it has not exited in time. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_DEADLINE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function startService(options: ServiceOptions): Promise<ServiceProcess> {
  return new ServiceProcess(options).ready();
}

/** Stops every given service, even when some fail to; never throws (for afterAll). */
export async function stopAll(services: readonly (ServiceProcess | undefined)[]): Promise<void> {
  await Promise.allSettled(services.map((service) => service?.stop()));
}

/** A port nothing listens on: bound once by the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment of one service in the chain, with a short flush interval for tests. */
export function serviceEnv(
  appName: 'hello' | 'formatter',
  reporting: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    app_name: appName,
    JAEGER_REPORTER_FLUSH_INTERVAL: '100',
    JAEGER_PROPAGATION: 'b3',
    ...reporting,
    ...extra,
  };
}
