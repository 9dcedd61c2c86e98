/**
 * The chain's services as real processes on loopback: spawned with `node`, told their
 * ports by env, ready when /health answers, stopped with SIGTERM (so they drain and
 * flush, as in production), and measured through /proc/<pid>/status.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ServiceSpec {
  /** For messages: "hello", "formatter". */
  name: string;
  /** Node arguments: flags, then the entry script. */
  args: string[];
  env: Record<string, string>;
  port: number;
}

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_S = 100;

/** Services still running; if the bench dies or is interrupted they must not outlive it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

export class ServiceProcess {
  private stderr = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly child: ChildProcess,
  ) {
    // the services' JSON logs go to /dev/null: they are written (and cost what they cost)
    // but the bench does not spend its own CPU reading them; stderr is kept for errors
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      }),
    );
  }

  static spawn(spec: ServiceSpec): ServiceProcess {
    const child = spawn(process.execPath, spec.args, {
      env: { ...inheritedEnv(), ...spec.env, PORT: String(spec.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new ServiceProcess(spec, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} did not start`);
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** Polls /health until it answers 200; fails early with the service's stderr if it exits. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let gone = false;
    void this.exited.then(() => (gone = true));
    while (Date.now() < deadline) {
      if (gone) throw new Error(`${this.spec.name} exited during start-up:\n${this.stderr}`);
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        await response.text();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.spec.name} was not ready within ${timeoutMs} ms:\n${this.stderr}`);
  }

  /** Resident set size in kB (VmRSS), or undefined once the process is gone. */
  rssKb(): number | undefined {
    return this.child.pid === undefined ? undefined : rssKbOf(this.child.pid);
  }

  /** CPU time (user + system) the process has used, in ms (see cpuMsOf). */
  cpuMs(): number | undefined {
    return this.child.pid === undefined ? undefined : cpuMsOf(this.child.pid);
  }

  /** SIGTERM, then SIGKILL if it has not exited by the deadline. */
  async stop(deadlineMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), deadlineMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last stderr output, for error reports. */
  get errors(): string {
    return this.stderr;
  }
}

/** Resident set size of a process in kB (VmRSS), or undefined once it is gone. */
export function rssKbOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, all its threads) a process has used, in ms, or undefined once
 * it is gone. Per request, it is the figure that other work on the machine disturbs
 * least: a busy neighbour slows the clock-time figures of every mode, but hardly changes
 * what one request costs in CPU.
 */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name, which sits in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/**
 * The bench's own environment minus anything that configures the services: every mode
 * must run with exactly the settings the bench gives it, whatever the caller's shell has.
 */
const SERVICE_SETTINGS =
  /^(JAEGER_|OTEL_|TRACING_MODE$|app_name$|APP_NAME$|PORT$|formatter_|FORMATTER_|professor$|PROFESSOR$|LOG_LEVEL$|SHUTDOWN_|TRACER_|NODE_OPTIONS$)/;

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !SERVICE_SETTINGS.test(key)) env[key] = value;
  return env;
}

/** A free loopback port (the kernel picks it; the window before the service binds it is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
