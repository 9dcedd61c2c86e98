/**
 * The production build, made the way the Dockerfile makes it (package.json's build
 * script, tsc) but into a temporary folder laid out like the image's /app, and started
 * the way the image starts it (its CMD, its ENV).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath, ROOT } from './paths.js';

export interface Build {
  /** Plays the image's WORKDIR: dist/, package.json, node_modules (a link to the project's). */
  readonly dir: string;
  remove(): void;
}

function runToEnd(file: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

/**
 * Runs package.json's `build` script (which must be a tsc invocation) with its output
 * sent to `<temp>/<outDir>`; `outDir` is where the image expects the build (dist).
 */
export async function buildProduction(outDir: string): Promise<Build> {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const script = pkg.scripts?.['build'] ?? '';
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'tsc') throw new Error(`package.json's build script is not tsc: "${script}"`);
  const dir = mkdtempSync(path.join(tmpdir(), 'hello-app-image-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tsc = repoPath('node_modules', 'typescript', 'bin', 'tsc');
    await runToEnd(process.execPath, [tsc, ...args, '--outDir', path.join(dir, outDir)], ROOT);
    copyFileSync(repoPath('package.json'), path.join(dir, 'package.json'));
    symlinkSync(repoPath('node_modules'), path.join(dir, 'node_modules'), 'dir');
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/** Every .js file under `dir`, recursively. */
export function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file));
}

/** Package names a built file loads: static and dynamic imports, and require() calls. */
export function importedPackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] as string);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'))
    .map((s) =>
      s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string),
    );
}

export { freePort } from '../../helpers/ports.js';

export class Running {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** The exit code, or 'still running' after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<number | null | 'still running'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'still running'>((resolve) => {
      timer = setTimeout(() => resolve('still running'), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Starts `command` (the image's CMD) in `dir` with only `env` (and PATH) set. */
export function start(
  dir: string,
  command: readonly string[],
  env: Record<string, string>,
): Running {
  const [file, ...args] = command;
  if (file !== 'node') throw new Error(`the image's CMD should run node directly, not ${file}`);
  return new Running(
    spawn(process.execPath, args, {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Polls `url` until it answers 200, or fails after `timeoutMs` with the process output. */
export async function waitForOk(url: string, running: Running, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void running.exited.then((code) => (exitCode = code));
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (exitCode !== undefined)
      throw new Error(`the service exited (${exitCode}) before answering:\n${running.output}`);
    if (Date.now() > deadline)
      throw new Error(`no 200 from ${url} within ${timeoutMs} ms:\n${running.output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
