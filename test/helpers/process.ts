/** Runs the production build (`node dist/main.js`) as a child process, as the image does. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export class ServiceProcess {
  readonly stdout: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.child = spawn(process.execPath, ['dist/main.js', ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      this.stdout.push(...lines);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // 'close', not 'exit': it comes after stdout and stderr are read to their end, so a test
    // that awaits `exited` sees every line the process printed last
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  /** JSON log lines printed so far. */
  logs(): Record<string, unknown>[] {
    return this.stdout
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; stderr: ${this.stderr}; stdout: ${this.stdout.join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The URL a service logged in its "listening" line. */
  urlOf(service: string): Promise<string> {
    return this.waitFor(
      () =>
        this.logs().find((l) => l['message'] === 'listening' && l['service'] === service)?.[
          'url'
        ] as string | undefined,
      `${service} to listen`,
    );
  }

  /** The comment printed after `command` on its line of the banner ("  curl …   # comment"). */
  bannerComment(command: string): string | undefined {
    for (const line of this.stderr.split('\n')) {
      const [printed, ...comment] = line.trim().split(/\s+# /);
      if (printed === command) return comment.join(' # ');
    }
    return undefined;
  }

  /** Resolves once the service's access-log line for `route` has been printed. */
  accessLogged(service: string, route: string): Promise<Record<string, unknown>> {
    return this.waitFor(
      () =>
        this.logs().find(
          (l) => l['message'] === 'request' && l['service'] === service && l['route'] === route,
        ),
      `${service}'s access-log line for ${route}`,
    );
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
