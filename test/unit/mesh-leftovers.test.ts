import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, stopLeftovers } from '../../mesh/processes.js';
import type { ManagedProcess } from '../../mesh/processes.js';

/** What a runner killed with SIGKILL leaves: its children, and the pid file naming them. */
function orphanedSleep(dir: string): { pidFile: string; sleeper: ManagedProcess } {
  const pidFile = join(dir, 'pids');
  const group = new ProcessGroup(() => undefined, pidFile);
  const sleeper = group.start({
    name: 'sleeper',
    command: 'sleep',
    args: ['30'],
    env: {},
    logFile: join(dir, 'sleeper.log'),
  });
  group.dispose();
  return { pidFile, sleeper };
}

describe("the mesh's leftover processes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-leftovers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a process the last run recorded, still the same process, is stopped', async () => {
    const { pidFile, sleeper } = orphanedSleep(dir);
    expect(stopLeftovers(pidFile)).toBe(1);
    expect(await sleeper.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('a pid that another process holds now (another start time) is left alone', async () => {
    const { pidFile, sleeper } = orphanedSleep(dir);
    try {
      // same pid, same program, but started at another time: not the process we recorded
      const [pid, startTime, command] = readFileSync(pidFile, 'utf8').trim().split(' ');
      writeFileSync(pidFile, `${pid} ${Number(startTime) + 1} ${command}\n`);
      expect(stopLeftovers(pidFile)).toBe(0);
      expect(sleeper.alive).toBe(true);
    } finally {
      sleeper.killNow();
      await sleeper.exited;
    }
  });
});
