import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, ProcessGroup, stopLeftovers } from '../../mesh/processes.js';

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

describe("a mesh process's output", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-output-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('goes to its log file, and its last lines say why it stopped', async () => {
    const logFile = join(dir, 'envoy.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `access log line ${i}`).join('\n');
    const member = new ManagedProcess({
      name: 'chatty',
      command: 'sh',
      args: ['-c', `printf '%s\\n' "$LINES"; echo 'cannot bind 0.0.0.0:8080' >&2; exit 3`],
      env: { LINES: lines, PATH: process.env['PATH'] ?? '' },
      logFile,
    });
    expect(await member.exited).toEqual({ code: 3, signal: null });
    expect(member.lastLines(2)).toEqual(['access log line 4999', 'cannot bind 0.0.0.0:8080']);
    expect(readFileSync(logFile, 'utf8').split('\n')).toHaveLength(5002);
  });

  it('a program that cannot be started says so', async () => {
    const member = new ManagedProcess({
      name: 'missing',
      command: join(dir, 'no-such-envoy'),
      args: [],
      env: {},
      logFile: join(dir, 'missing.log'),
    });
    expect(await member.exited).toEqual({ code: null, signal: null });
    expect(member.lastLines(1)[0]).toMatch(/^could not start .*no-such-envoy: spawn .* ENOENT$/);
  });
});
