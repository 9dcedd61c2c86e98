/** What the numbers were measured on: they mean little without it. */
import { readFileSync } from 'node:fs';
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
