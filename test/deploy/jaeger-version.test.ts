/**
 * One Jaeger version everywhere: JAEGER_VERSION in .env is the pin. docker compose reads
 * it for the jaeger image, scripts/jaeger.sh builds it (and CI runs what that builds), and
 * the docs name it. Each test fails when one of them drifts from the pin.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readRepoFile, repoPath } from './support/paths.js';

const PIN_LINE = /^JAEGER_VERSION=(\d+\.\d+\.\d+)[ \t]*$/m;

function pinOf(envText: string): string {
  const match = PIN_LINE.exec(envText);
  if (!match) throw new Error('.env has no JAEGER_VERSION=X.Y.Z line');
  return match[1] as string;
}

const envText = readRepoFile('.env');
const pin = pinOf(envText);

/** compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?message}, from .env. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, kind: string | undefined, rest: string) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (kind === '-') return rest;
      throw new Error(`compose would refuse: \${${name}} is not set (${rest || 'no message'})`);
    },
  );
}

/** `scripts/jaeger.sh pin`, run as a user runs it, from a copy whose .env may differ. */
function jaegerShPin(dir: string = repoPath('')): { status: number | null; stdout: string } {
  const result = spawnSync('bash', [path.join(dir, 'scripts', 'jaeger.sh'), 'pin'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
  });
  return { status: result.status, stdout: result.stdout.trim() };
}

/** The docs a user reads for Jaeger, and the deploy files that could name an image. */
function documents(): string[] {
  const docs = readdirSync(repoPath('docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', 'deploy/README.md', ...docs];
}

describe('the Jaeger version pin (JAEGER_VERSION in .env)', () => {
  it('is one exact release, written once', () => {
    expect(pin).toMatch(/^2\.\d+\.\d+$/);
    expect(envText.match(new RegExp(PIN_LINE.source, 'gm'))).toHaveLength(1);
  });

  it('is what docker compose runs: the jaeger image reads the variable, not a literal', () => {
    const text = readRepoFile('docker-compose.yml');
    // a literal tag would be a second pin
    expect(text).not.toMatch(/jaegertracing\/jaeger:\d/);
    const compose = parse(interpolate(text, { JAEGER_VERSION: pin })) as {
      services: Record<string, { image?: string }>;
    };
    const images = Object.values(compose.services)
      .map((s) => s.image ?? '')
      .filter((image) => image.startsWith('jaegertracing/'));
    expect(images).toEqual([`jaegertracing/jaeger:${pin}`]);
    // without .env compose refuses to start rather than run some other Jaeger
    expect(() => interpolate(text, {})).toThrow(/JAEGER_VERSION/);
  });

  it('is what scripts/jaeger.sh builds, and it can build it (so CI runs the pinned Jaeger)', () => {
    const { status, stdout } = jaegerShPin();
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^${pin.replace(/\./g, '\\.')} github\\.com/jaegertracing/jaeger@v1\\.\\d+\\.\\d+$`,
      ),
    );
  });

  it('is read by scripts/jaeger.sh from .env, not restated in it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jaeger-pin-'));
    try {
      mkdirSync(path.join(dir, 'scripts'));
      copyFileSync(repoPath('scripts', 'jaeger.sh'), path.join(dir, 'scripts', 'jaeger.sh'));
      writeFileSync(path.join(dir, '.env'), 'JAEGER_VERSION=2.12.0\n');
      expect(jaegerShPin(dir)).toEqual({
        status: 0,
        stdout: '2.12.0 github.com/jaegertracing/jaeger@v1.75.0',
      });
      // a release Go cannot reach is said so, never silently swapped for another
      writeFileSync(path.join(dir, '.env'), 'JAEGER_VERSION=2.20.0\n');
      expect(jaegerShPin(dir).stdout).toMatch(/^2\.20\.0 \(no Go module version/);
      rmSync(path.join(dir, '.env'));
      expect(jaegerShPin(dir).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the version every doc names (images, release archives, "Jaeger vX.Y.Z", the Go module built)', () => {
    const moduleVersion = /@(v1\.\d+\.\d+)$/.exec(jaegerShPin().stdout)?.[1];
    const found: string[] = [];
    for (const file of documents()) {
      const lines = readRepoFile(file).split('\n');
      lines.forEach((line, index) => {
        const where = `${file}:${index + 1}`;
        for (const [, version] of line.matchAll(/jaegertracing\/jaeger:(\d+\.\d+\.\d+)/g))
          found.push(`${where} image ${version}`);
        for (const [, version] of line.matchAll(/\bjaeger-(\d+\.\d+\.\d+)-linux/g))
          found.push(`${where} archive ${version}`);
        for (const [, version] of line.matchAll(/\bJaeger v?(\d+\.\d+\.\d+)/g))
          found.push(`${where} release ${version}`);
        for (const [, version] of line.matchAll(/jaegertracing\/jaeger@(v\d+\.\d+\.\d+)/g))
          found.push(`${where} module ${version}`);
      });
    }
    const wrong = found.filter((entry) => {
      const [, kind, version] = /^\S+ (\w+) (\S+)$/.exec(entry) ?? [];
      return kind === 'module' ? version !== moduleVersion : version !== pin;
    });
    expect(found.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
