/**
 * `npm run mesh` as a user runs it: the built runner as a process, its banner, the curls
 * it prints, Ctrl+C (SIGTERM here), a component that dies, and the one-line errors.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { INTERNAL_PORT_COUNT } from '../../mesh/addresses.js';
import { portFree } from '../../mesh/http-probe.js';
import { eventually } from './helpers/poll.js';
import { V1, V2 } from './helpers/mesh.js';

const RUNNER = fileURLToPath(
  new URL('../../node_modules/.cache/hello-app-mesh/mesh/cli.js', import.meta.url),
);

interface Runner {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  ports: number[];
}

async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000); // below the ephemeral range (32768+)
    const ports = Array.from({ length: INTERNAL_PORT_COUNT + 2 }, (_, i) => base + i);
    if ((await Promise.all(ports.map((p) => portFree(p, '0.0.0.0')))).every(Boolean)) return base;
  }
}

async function runMesh(extra: Record<string, string> = {}): Promise<Runner> {
  const base = await freeBase();
  const env = {
    ...process.env,
    MESH_PORT: String(base),
    MESH_HEADERS_ONLY_PORT: String(base + 1),
    MESH_INTERNAL_PORT_BASE: String(base + 2),
    ...extra,
  };
  const child = spawn(process.execPath, [RUNNER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const ports = Array.from({ length: INTERNAL_PORT_COUNT + 2 }, (_, i) => base + i);
  return { child, out: () => out, err: () => err, exited, ports };
}

async function up(runner: Runner): Promise<void> {
  await eventually(
    'the mesh banner',
    () => {
      if (runner.child.exitCode !== null) throw new Error(`the runner exited: ${runner.err()}`);
      return runner.out().includes('Stop with Ctrl+C.') ? true : undefined;
    },
    { deadlineMs: 90_000, lastSeen: () => runner.err() },
  );
}

/** Nothing of this run listens any more, and no process runs its Envoy configs. */
async function nothingLeft(runner: Runner): Promise<void> {
  expect((await Promise.all(runner.ports.map((p) => portFree(p, '0.0.0.0')))).every(Boolean)).toBe(
    true,
  );
  let left: string;
  try {
    left = execFileSync('pgrep', ['-f', `mesh/port-${runner.ports[0]}/`]).toString();
  } catch {
    left = ''; // pgrep exits 1 when nothing matches
  }
  expect(left).toBe('');
}

/** Runs one printed curl line with fetch: `curl [-A UA] URL`. */
async function runCurl(line: string): Promise<string> {
  const match = /curl (?:-A (\S+) )?(\S+)/.exec(line);
  if (!match) throw new Error(`not a curl line: ${line}`);
  const response = await fetch(match[2] as string, {
    headers: match[1] ? { 'user-agent': match[1] } : {},
  });
  return response.text();
}

let running: Runner | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  running = undefined;
});

describe('npm run mesh', () => {
  it('prints what runs where and a curl per lesson; each curl answers as it says; SIGTERM leaves nothing running', async () => {
    running = await runMesh();
    await up(running);
    const banner = running.out();
    const port = running.ports[0];
    expect(banner).toContain(`instrumented shape (opentracing)   http://localhost:${port}`);
    expect(banner).toContain(
      `headers-only shape                 http://localhost:${(port as number) + 1}`,
    );
    // the Jaeger built from source serves no UI, and the banner says so
    expect(banner).toMatch(
      /Jaeger \(query API\) +http:\/\/127\.0\.0\.1:16686 +\(built from source: no UI pages; npm run compare -- --html draws the traces\)/,
    );
    expect(banner).toContain('npm run compare');
    const curls = banner.split('\n').filter((line) => line.trim().startsWith('curl '));
    expect(curls).toHaveLength(4);
    expect(await runCurl(curls[0] as string)).toBe(V1('Bender'));
    expect(curls[1]).toContain('-A Netscape');
    expect(await runCurl(curls[1] as string)).toBe(V2('Fry'));
    expect(await runCurl(curls[2] as string)).toBe(V1('Leela'));
    expect(curls[3]).toContain(`:${(port as number) + 1}/`);
    expect(await runCurl(curls[3] as string)).toBe(V1('Bender'));

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.err()).toContain('stopped; nothing left running');
    await nothingLeft(running);
  }, 120_000);

  it('stops everything and says which component died and why', async () => {
    running = await runMesh();
    await up(running);
    execFileSync('pkill', ['-KILL', '-f', `mesh/port-${running.ports[0]}/envoy/formatter-v2.yaml`]);
    expect(await running.exited).toBe(1);
    expect(running.err()).toMatch(/mesh: formatter v2 sidecar killed by SIGKILL/);
    expect(running.err()).toContain('stopped; nothing left running');
    await nothingLeft(running);
  }, 120_000);

  it('refuses a busy port in one line that names it, its role and the variable that moves it', async () => {
    const blocker = createServer();
    const runner = await runMesh();
    running = runner;
    runner.child.kill('SIGKILL'); // only its ports were wanted
    await runner.exited;
    await new Promise<void>((resolve) => blocker.listen(runner.ports[0], '0.0.0.0', resolve));
    try {
      const again = spawn(process.execPath, [RUNNER], {
        env: {
          ...process.env,
          MESH_PORT: String(runner.ports[0]),
          MESH_HEADERS_ONLY_PORT: String(runner.ports[1]),
          MESH_INTERNAL_PORT_BASE: String(runner.ports[2]),
        },
      });
      let err = '';
      again.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise((resolve) => again.once('exit', resolve));
      expect(code).toBe(1);
      expect(err.trim().split('\n')).toEqual([
        `mesh: port ${runner.ports[0]} is in use (the instrumented shape's gateway; set MESH_PORT): stop what holds it, or move the mesh`,
      ]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it('refuses an unknown MESH_TRACING with the accepted values', async () => {
    running = await runMesh({ MESH_TRACING: 'jaeger' });
    expect(await running.exited).toBe(2);
    expect(running.err().trim()).toBe(
      'mesh: MESH_TRACING="jaeger" is not valid; choose zipkin or otel',
    );
  });
});
