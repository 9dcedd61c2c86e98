/**
 * The mesh's processes: each started in its own process group (a Ctrl+C in the terminal
 * reaches only the runner, which then stops them in order), its output kept in a log
 * file with the last lines at hand, and its unexpected exit reported.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';

export interface ProcessSpec {
  /** What the messages call it: "hello sidecar", "formatter v2 (headers-only)", "Jaeger". */
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const TAIL_LINES = 40;

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<Exit>;
  /** Set before a deliberate stop, so the exit is not reported as a death. */
  stopping = false;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private partial = '';
  private readonly log: WriteStream;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    this.child = spawn(spec.command, spec.args, {
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      const lines = (this.partial + chunk.toString()).split('\n');
      this.partial = lines.pop() ?? '';
      this.tail.push(...lines.filter((line) => line.trim()));
      this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.tail.push(`could not start ${spec.command}: ${error.message}`);
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    void this.exited.then(() => this.log.end());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return (
      this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined
    );
  }

  lastLines(count = TAIL_LINES): string[] {
    return this.tail.slice(-count);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<Exit> {
    this.stopping = true;
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  killNow(): void {
    this.stopping = true;
    if (this.alive) this.child.kill('SIGKILL');
  }
}

export function describeExit({ code, signal }: Exit): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'did not start';
  return `exited with code ${code}`;
}

/** Everything the mesh started; a death is reported once, through `onDeath`. */
export class ProcessGroup {
  private readonly members: ManagedProcess[] = [];
  private readonly killOnExit = () => this.killAll();

  /**
   * @param pidFile each started process is recorded here, so that a later run can stop
   * what a runner killed with SIGKILL left behind (see stopLeftovers)
   */
  constructor(
    private readonly onDeath: (process: ManagedProcess, exit: Exit) => void,
    private readonly pidFile: string,
  ) {
    // the runner itself dying must not leave its children behind
    globalThis.process.once('exit', this.killOnExit);
  }

  start(spec: ProcessSpec): ManagedProcess {
    const member = new ManagedProcess(spec);
    this.members.push(member);
    if (member.pid !== undefined)
      appendFileSync(
        this.pidFile,
        `${member.pid} ${startTimeOf(member.pid) ?? '-'} ${spec.command}\n`,
      );
    void member.exited.then((exit) => {
      if (!member.stopping) this.onDeath(member, exit);
    });
    return member;
  }

  get all(): readonly ManagedProcess[] {
    return this.members;
  }

  killAll(): void {
    for (const member of this.members) member.killNow();
  }

  dispose(): void {
    globalThis.process.removeListener('exit', this.killOnExit);
  }
}

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat): set
 * at fork, unchanged by exec, and never the same for two processes that held one pid.
 * Undefined where there is no /proc.
 */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count after it
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Kills the processes an earlier run recorded in `pidFile` that are still those
 * processes: the same start time and the same program (a runner stopped by SIGKILL
 * cannot stop its children, and a pid may have been reused since). Answers how many.
 */
export function stopLeftovers(pidFile: string): number {
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  let stopped = 0;
  for (const line of lines) {
    const [pidText, startTime, ...command] = line.split(' ');
    const pid = Number(pidText);
    try {
      const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      if (program !== command.join(' ')) continue;
      if (startTime !== '-' && startTimeOf(pid) !== startTime) continue;
      globalThis.process.kill(pid, 'SIGKILL');
      stopped += 1;
    } catch {
      // gone already
    }
  }
  return stopped;
}
