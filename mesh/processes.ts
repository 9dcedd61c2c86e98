/**
 * The mesh's processes: each started in its own process group (a Ctrl+C in the terminal
 * reaches only the runner, which then stops them in order), its output written to a log
 * file (whose last lines the runner reads when it must say why), and its unexpected exit
 * reported.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

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
/** How much of the end of a log file is read for its last lines. */
const TAIL_BYTES = 64 * 1024;

/** The last `count` non-blank lines of a file (of its last 64 KiB). */
function lastLinesOf(file: string, count: number): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    // a cut first line is a fragment: drop it unless the whole file was read
    if (length < size) lines.shift();
    return lines.filter((line) => line.trim()).slice(-count);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<Exit>;
  /** Set before a deliberate stop, so the exit is not reported as a death. */
  stopping = false;
  private readonly child: ChildProcess;
  /** What the runner itself has to say about the process (it could not be started). */
  private readonly notes: string[] = [];

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    // the output goes straight to the log file: the runner does not read every line the
    // processes write (Envoy's access log is one per request), it reads the end on demand
    const log = openSync(spec.logFile, 'a');
    try {
      this.child = spawn(spec.command, spec.args, {
        env: spec.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.notes.push(`could not start ${spec.command}: ${error.message}`);
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
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
    return [...lastLinesOf(this.logFile, count), ...this.notes].slice(-count);
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
