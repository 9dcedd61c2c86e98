/** What the numbers were measured on: they mean little without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { cpus, loadavg, totalmem, release } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the bench started: other work on the machine skews everything. */
  loadAtStart: number;
}

function cpuModel(): string {
  const model = cpus()[0]?.model;
  if (model) return model.trim();
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    loadAtStart: Number(loadavg()[0]?.toFixed(2)),
  };
}

export interface BuildInfo {
  dist: string;
  /** The commit checked out, and whether src/ had changes not committed (the build has them). */
  commit: string | undefined;
  srcChanged: boolean | undefined;
}

export function describeBuild(absoluteDist: string): BuildInfo {
  const dist = relative(process.cwd(), absoluteDist) || '.';
  const git = (...args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      dist,
      commit: git('rev-parse', '--short', 'HEAD'),
      srcChanged: git('status', '--porcelain', '--', 'src').length > 0,
    };
  } catch {
    return { dist, commit: undefined, srcChanged: undefined };
  }
}
