/**
 * The image: its Dockerfile's essentials, its build context, and its production build
 * started the way the image starts it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contextSources, envOf, execForm, isIgnored, parseStages } from './support/dockerfile.js';
import type { Stage } from './support/dockerfile.js';
import { readRepoFile, repoPath } from './support/paths.js';
import { Recorder } from './support/recorder.js';
import {
  buildProduction,
  freePort,
  importedPackages,
  jsFiles,
  start,
  waitForOk,
} from './support/production.js';
import type { Build } from './support/production.js';

const stages = parseStages(readRepoFile('Dockerfile'));
const runtime = stages[stages.length - 1] as Stage;
const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
const pkg = JSON.parse(readRepoFile('package.json')) as {
  main?: string;
  engines?: { node?: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function only(values: string[], what: string): string {
  if (values.length !== 1) throw new Error(`expected one ${what}, found ${values.length}`);
  return values[0] as string;
}

/** The runtime stage's CMD, in exec form. */
function cmd(): string[] {
  const args = only(instructions(runtime, 'CMD'), 'CMD in the runtime stage');
  const form = execForm(args);
  if (!form) throw new Error(`CMD must use the exec (JSON) form, got: ${args}`);
  return form;
}

/** The exact release of a Node line that scripts/node.sh installs to run the tests on. */
function testedNode(line: 22 | 24): string {
  const match = new RegExp(`^NODE${line}_VERSION=(\\S+)$`, 'm').exec(
    readRepoFile('scripts', 'node.sh'),
  );
  if (!match) throw new Error(`scripts/node.sh has no NODE${line}_VERSION=... line`);
  return match[1] as string;
}

/** Every .ts file under the repository's `dir`, as a path relative to the repository. */
function tsFiles(dir: string): string[] {
  return readdirSync(repoPath(dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

/** What a source file imports or re-exports: static and dynamic imports, export … from. */
function specifiersOf(source: string): string[] {
  return [
    ...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1] as string);
}

describe('Dockerfile', () => {
  it('builds in stages on one base, pinned to an exact Node 24 release', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const bases = stages.map((s) => s.image).filter((image) => !stageNames.has(image));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      // node:<major>.<minor>.<patch>-<debian>-slim, optionally with a digest
      expect(base).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    }
    expect(new Set(bases).size).toBe(1);
  });

  it('ships the Node version the suite also runs on (scripts/node.sh 24, in .ci/run)', () => {
    const base = stages[0]?.image ?? '';
    const version = /^node:(\d+\.\d+\.\d+)-/.exec(base)?.[1];
    expect(version).toBe(testedNode(24));
  });

  it('compiles with npm run build and ships production dependencies only', () => {
    const buildStage = stages.find((s) =>
      instructions(s, 'RUN').some((r) => /npm run build/.test(r)),
    );
    expect(buildStage).toBeDefined();
    expect(buildStage).not.toBe(runtime);
    const copies = instructions(runtime, 'COPY');
    // the runtime's node_modules come from a stage that installed with --omit=dev
    const modules = copies.find((c) => /\s\S*node_modules\/?\s/.test(` ${c} `));
    const from = /--from=(\S+)/.exec(modules ?? '')?.[1];
    expect(from).toBeDefined();
    const depsStage = stages.find((s) => s.name === from);
    expect(
      instructions(depsStage as Stage, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r)),
    ).toBe(true);
    // dist comes from the build stage; the runtime stage installs nothing itself
    expect(copies.some((c) => c.includes(`--from=${buildStage?.name}`) && /\bdist\b/.test(c))).toBe(
      true,
    );
    expect(instructions(runtime, 'RUN').some((r) => /\bnpm (ci|install|i)\b/.test(r))).toBe(false);
  });

  it('runs node on the built entry point directly, as a numeric non-root user', () => {
    const command = cmd();
    expect(command[0]).toBe('node');
    expect(command).toEqual(['node', pkg.main]);
    expect(command.some((word) => /npm|yarn|pnpm/.test(word))).toBe(false);
    expect(instructions(runtime, 'ENTRYPOINT')).toEqual([]);
    // tsconfig.build.json compiles src/ into dist/: dist/main.js is src/main.ts
    const build = JSON.parse(readRepoFile('tsconfig.build.json')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const source = path
      .join(
        build.compilerOptions.rootDir,
        path.relative(build.compilerOptions.outDir, command[1] ?? ''),
      )
      .replace(/\.js$/, '.ts');
    expect(existsSync(repoPath(source))).toBe(true);

    const user = instructions(runtime, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('leaves the tools out: the image compiles src/ alone, and src/ imports nothing outside it', () => {
    // npm run build is tsconfig.build.json: src/ in, dist/ out, nothing else
    expect(pkg.scripts['build']).toBe('tsc -p tsconfig.build.json');
    const build = JSON.parse(readRepoFile('tsconfig.build.json')) as {
      compilerOptions: { rootDir?: string };
      include?: string[];
      files?: string[];
      references?: unknown[];
    };
    expect(build.compilerOptions.rootDir).toBe('src');
    expect(build.include).toEqual(['src']);
    expect(build.files).toBeUndefined();
    expect(build.references).toBeUndefined();
    // the build context holds no tool: the Dockerfile copies none, .dockerignore lets none in
    const dockerignore = readRepoFile('.dockerignore');
    for (const source of contextSources(stages)) expect(source).not.toMatch(/^(\.\/)?tools\b/);
    for (const tool of ['tools/compare/cli.ts', 'tools/tsconfig.json'])
      expect({ tool, ignored: isIgnored(dockerignore, tool) }).toEqual({ tool, ignored: true });
    // no file of src/ reaches out of it (to tools/compare or anywhere else) or holds compare
    const outside: string[] = [];
    for (const file of tsFiles('src')) {
      for (const specifier of specifiersOf(readRepoFile(file))) {
        const target = specifier.startsWith('.')
          ? path.relative(repoPath('src'), path.resolve(repoPath(path.dirname(file)), specifier))
          : specifier;
        if (target.startsWith('..') || /^(\.\/)?tools\//.test(specifier))
          outside.push(`${file} imports ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
    expect(tsFiles('src').filter((file) => file.split(path.sep).includes('compare'))).toEqual([]);
  });

  it('listens on 8080 and stops on SIGTERM', () => {
    expect(envOf(runtime)['PORT']).toBe('8080');
    expect(instructions(runtime, 'EXPOSE').join(' ').split(/\s+/)).toContain('8080');
    expect(only(instructions(runtime, 'STOPSIGNAL'), 'STOPSIGNAL')).toBe('SIGTERM');
  });

  it('gets every file it copies through .dockerignore, and nothing it must not', () => {
    const dockerignore = readRepoFile('.dockerignore');
    const sources = contextSources(stages);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const source of sources) {
      expect(existsSync(repoPath(source))).toBe(true);
      expect({ source, ignored: isIgnored(dockerignore, source) }).toEqual({
        source,
        ignored: false,
      });
    }
    expect(isIgnored(dockerignore, 'src/main.ts')).toBe(false);
    for (const kept of [
      'node_modules',
      'node_modules/express/index.js',
      'dist/main.js',
      '.git',
      'test/unit/x.test.ts',
    ])
      expect({ kept, ignored: isIgnored(dockerignore, kept) }).toEqual({ kept, ignored: true });
  });
});

describe('package.json engines', () => {
  const range = pkg.engines?.node ?? '';
  /** Whether `version` satisfies the engines range (the forms used there: ^x.y.z, >=x.y.z, ||). */
  const satisfies = (version: string) =>
    range.split('||').some((part) => {
      const [, op, want] = /^\s*(\^|>=)(\d+\.\d+\.\d+)\s*$/.exec(part) ?? [];
      if (!op || !want) throw new Error(`engines.node: cannot read "${part}"`);
      const [a, b] = [version, want].map((v) => v.split('.').map(Number)) as [number[], number[]];
      const cmp = a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
      return op === '>=' ? cmp >= 0 : a[0] === b[0] && cmp >= 0;
    });

  it('admits the Node releases the suite runs on: 22 and 24 (scripts/node.sh, .ci/run)', () => {
    expect(satisfies(testedNode(22))).toBe(true);
    expect(satisfies(testedNode(24))).toBe(true);
  });

  it('refuses Node 20 (end of life 2026-04-30), and npm makes that an error (engine-strict)', () => {
    for (const version of ['20.19.0', '20.20.2', '22.12.0']) expect(satisfies(version)).toBe(false);
    expect(readRepoFile('.npmrc')).toMatch(/^engine-strict=true$/m);
  });

  it("is no wider than the dependencies' own engines on the 22 line", () => {
    // the highest minimum any installed package sets for Node 22 (eslint: ^22.13.0)
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } }>;
    };
    let floor = '22.0.0';
    for (const entry of Object.values(lock.packages)) {
      const wanted = entry.engines?.node ?? '';
      for (const [, minor, patch] of wanted.matchAll(/\^22\.(\d+)\.(\d+)/g)) {
        const candidate = `22.${minor}.${patch}`;
        const [, fm, fp] = floor.split('.').map(Number) as [number, number, number];
        if (Number(minor) > fm || (Number(minor) === fm && Number(patch) > fp)) floor = candidate;
      }
    }
    expect(satisfies(floor)).toBe(true);
    const [, minor, patch] = floor.split('.').map(Number) as [number, number, number];
    const below = patch > 0 ? `22.${minor}.${patch - 1}` : `22.${minor - 1}.99`;
    expect(satisfies(below)).toBe(false);
  });
});

describe('the production build the image runs', () => {
  let build: Build | undefined;

  beforeAll(async () => {
    build = await buildProduction('dist');
  }, 60_000);

  afterAll(() => build?.remove());

  it('loads only packages that `npm ci --omit=dev` installs', () => {
    // what the image's node_modules holds: the lock file's top-level packages not marked dev
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const installed = new Set(
      Object.entries(lock.packages)
        .filter(([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !entry.dev)
        .map(([key]) => key.slice('node_modules/'.length)),
    );
    for (const name of Object.keys(pkg.dependencies)) expect(installed).toContain(name);
    const dir = build?.dir ?? '';
    const missing = new Set<string>();
    for (const file of jsFiles(path.join(dir, 'dist'))) {
      for (const name of importedPackages(readFileSync(file, 'utf8')))
        if (!installed.has(name)) missing.add(`${name} (in ${path.relative(dir, file)})`);
    }
    expect([...missing]).toEqual([]);
  });

  it('holds no compare code (tools/compare/ is not built into dist/)', () => {
    const dir = path.join(build?.dir ?? '', 'dist');
    const files = jsFiles(dir).map((file) => path.relative(dir, file));
    expect(files).toContain('main.js');
    expect(files.filter((file) => file.split(path.sep).includes('compare'))).toEqual([]);
    // the CLI's usage line, wherever a file holding it might land
    const cli = files.filter((file) =>
      readFileSync(path.join(dir, file), 'utf8').includes('Usage: npm run compare'),
    );
    expect(cli).toEqual([]);
  });

  it('starts as formatter, answers, and exits 0 on SIGTERM after flushing its spans', async () => {
    // a stand-in collector: records the span batches jaeger-client posts
    const collector = await new Recorder().start();
    const batches = () => collector.requests.filter((r) => r.url === '/api/traces').length;
    const port = await freePort();
    const running = start(build?.dir ?? '', cmd(), {
      ...envOf(runtime),
      app_name: 'formatter',
      PORT: String(port),
      JAEGER_ENDPOINT: `http://127.0.0.1:${collector.port}/api/traces`,
      // long enough that only the shutdown flush can deliver the span
      JAEGER_REPORTER_FLUSH_INTERVAL: '60000',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, running);
      const response = await fetch(`http://127.0.0.1:${port}/formatGreeting?name=Zoidberg`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Zoidberg');
      expect(batches()).toBe(0);

      running.signal('SIGTERM');
      const code = await running.exitWithin(10_000);
      expect({ code, output: code === 0 ? '' : running.output }).toEqual({ code: 0, output: '' });
      expect(batches()).toBeGreaterThan(0);
    } finally {
      running.kill();
      await collector.stop();
    }
  }, 30_000);
});
