/**
 * The import-rules check (`npm run lint:imports`, dependency-cruiser with
 * .dependency-cruiser.mjs) fails when the rules are broken and passes when they hold.
 *
 * It runs on synthetic trees in a temp folder, not on this repository's src/: a clean tree of
 * the target layout (docs/architecture.md), and the same tree with one break per rule. The
 * check runs as `npm run lint:imports` runs it: the script's own command line, the config
 * file copied next to the tree.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = '.dependency-cruiser.mjs';
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** A module: what it imports (`./x.js` specifiers, as NodeNext wants) for values and for types. */
interface Mod {
  imports?: string[];
  types?: string[];
}

/** Source text for a module; every import is used, so no tool could drop it as unused. */
function source({ imports = [], types = [] }: Mod): string {
  const lines = [
    ...imports.map((spec, i) => `import * as m${i} from '${spec}';`),
    ...types.map((spec, i) => `import type * as t${i} from '${spec}';`),
    `export const uses: unknown[] = [${imports.map((_, i) => `m${i}`).join(', ')}];`,
  ];
  if (types.length > 0) {
    lines.push(`export type Uses = ${types.map((_, i) => `typeof t${i}`).join(' | ')};`);
  }
  return lines.join('\n') + '\n';
}

/** The target layout, every arrow allowed: paths from the repository root. */
const CLEAN: Record<string, Mod> = {
  'src/main.ts': { imports: ['./config.js', './services/start.js', './tracing/index.js'] },
  'src/config.ts': {},
  'src/context/request-context.ts': { imports: ['node:async_hooks'] },
  'src/log/logger.ts': { imports: ['../context/request-context.js'] },
  'src/log/span-logger.ts': { imports: ['../context/request-context.js'], types: ['./logger.js'] },
  'src/log/redact.ts': {},
  'src/log/numbers.ts': {},
  'src/metrics/metrics.ts': {},
  'src/metrics/stats-log.ts': {
    imports: ['./metrics.js', '../log/numbers.js'],
    types: ['../log/logger.js'],
  },
  'src/http/app.ts': {
    imports: [
      '../context/request-context.js',
      '../log/redact.js',
      '../log/numbers.js',
      './text.js',
    ],
    types: ['../log/logger.js', '../metrics/metrics.js'],
  },
  'src/http/server.ts': { types: ['../log/logger.js'] },
  'src/http/text.ts': {},
  'src/http/get-text.ts': { imports: ['../log/numbers.js'] },
  'src/tracing/index.ts': {
    imports: ['./instrumented.js', './headers-only.js', './server-span.js', './traced-get.js'],
    types: ['./tracing.js', '../config.js'],
  },
  'src/tracing/tracing.ts': { types: ['../context/request-context.js', './spans.js'] },
  'src/tracing/instrumented.ts': {
    imports: ['./jaeger/tracer.js', './spans.js', './mesh-headers.js', './lessons.js'],
    types: ['./tracing.js'],
  },
  'src/tracing/headers-only.ts': { imports: ['./mesh-headers.js'], types: ['./tracing.js'] },
  'src/tracing/server-span.ts': {
    imports: ['../context/request-context.js', '../log/span-logger.js', '../http/text.js'],
    types: ['./tracing.js', '../metrics/metrics.js'],
  },
  'src/tracing/traced-get.ts': { imports: ['../http/get-text.js'], types: ['./tracing.js'] },
  'src/tracing/spans.ts': { imports: ['../context/request-context.js'] },
  'src/tracing/mesh-headers.ts': { imports: ['../context/request-context.js'] },
  'src/tracing/lessons.ts': {},
  'src/tracing/propagation/ids.ts': {},
  'src/tracing/propagation/b3.ts': { imports: ['./ids.js'], types: ['../../config.js'] },
  'src/tracing/propagation/w3c.ts': { imports: ['./ids.js'] },
  'src/tracing/propagation/jaeger-format.ts': { imports: ['./ids.js'] },
  'src/tracing/propagation/baggage.ts': { types: ['../../config.js'] },
  'src/tracing/jaeger/jaeger-client.ts': { imports: ['jaeger-client'] },
  'src/tracing/jaeger/tracer.ts': {
    imports: [
      './propagator.js',
      './clock.js',
      './remote-sampler.js',
      './reporting/reporter.js',
      '../../log/logger.js',
    ],
    types: ['./jaeger-client.js', '../../config.js'],
  },
  'src/tracing/jaeger/propagator.ts': {
    imports: ['../propagation/b3.js', '../propagation/w3c.js', '../propagation/jaeger-format.js'],
    types: ['./jaeger-client.js', '../../context/request-context.js'],
  },
  'src/tracing/jaeger/clock.ts': {},
  'src/tracing/jaeger/remote-sampler.ts': {
    imports: ['./sampling-strategy.js', '../../metrics/metrics.js'],
  },
  'src/tracing/jaeger/sampling-strategy.ts': {},
  'src/tracing/jaeger/span-ids.ts': { imports: ['../propagation/ids.js'] },
  'src/tracing/jaeger/reporting/reporter.ts': {
    imports: ['./udp.js', './http.js', './console.js', '../span-ids.js'],
    types: ['../jaeger-client.js'],
  },
  'src/tracing/jaeger/reporting/udp.ts': {},
  'src/tracing/jaeger/reporting/http.ts': {},
  'src/tracing/jaeger/reporting/console.ts': { imports: ['../../../log/logger.js'] },
  'src/services/start.ts': {
    imports: [
      '../http/app.js',
      '../http/server.js',
      '../log/logger.js',
      '../metrics/stats-log.js',
      '../tracing/index.js',
      './hello/routes.js',
      './formatter/routes.js',
      './formatter/client.js',
    ],
    types: ['../config.js'],
  },
  'src/services/name.ts': {},
  'src/services/hello/routes.ts': {
    imports: ['../../http/text.js', '../name.js'],
    types: ['../../tracing/index.js', '../formatter/client.js'],
  },
  'src/services/formatter/routes.ts': {
    imports: ['../../http/text.js', '../name.js', './greeting.js'],
    types: ['../../tracing/index.js'],
  },
  'src/services/formatter/client.ts': { types: ['../../tracing/index.js', '../../log/logger.js'] },
  'src/services/formatter/greeting.ts': {},
  // outside src/: there to be imported by mistake
  'tools/compare/cli.ts': {},
  'test/helpers/chain.ts': {},
};

/** One break per rule: a file that gains imports, and the violation it must cause. */
interface Break {
  rule: string;
  file: string;
  add: Mod;
  /** the reported dependency (from is `file`) */
  to: string;
  /** for a cycle: what the other modules gain to close it */
  closes?: Record<string, Mod>;
}

const BREAKS: Break[] = [
  // (a) a cycle log/ <-> tracing/: the cycle rule, and log/'s own rule for its arrow
  {
    rule: 'no-circular',
    file: 'src/log/logger.ts',
    add: { imports: ['../tracing/spans.js'] },
    to: 'src/tracing/spans.ts',
    closes: { 'src/tracing/spans.ts': { imports: ['../log/logger.js'] } },
  },
  { rule: 'log-only-to-context', file: 'src/log/logger.ts', add: {}, to: 'src/tracing/spans.ts' },
  // a cycle inside one folder, that no folder rule sees (type-only on one side)
  {
    rule: 'no-circular',
    file: 'src/services/formatter/greeting.ts',
    add: { types: ['./routes.js'] },
    to: 'src/services/formatter/routes.ts',
  },
  // a cycle between the folders that no single module closes: today's log/ <-> tracing/
  {
    rule: 'log-only-to-context',
    file: 'src/log/redact.ts',
    add: { imports: ['../tracing/lessons.js'] },
    to: 'src/tracing/lessons.ts',
  },
  // (b) a service past the entry file, into the adapter; and a type-only import of a core file
  {
    rule: 'services-tracing-only-via-index',
    file: 'src/services/hello/routes.ts',
    add: { imports: ['../../tracing/jaeger/tracer.js'] },
    to: 'src/tracing/jaeger/tracer.ts',
  },
  {
    rule: 'services-tracing-only-via-index',
    file: 'src/services/formatter/routes.ts',
    add: { types: ['../../tracing/tracing.js'] },
    to: 'src/tracing/tracing.ts',
  },
  // (c) the adapter importing the tracing core: an upward arrow
  {
    rule: 'jaeger-adapter-not-to-tracing-core',
    file: 'src/tracing/jaeger/clock.ts',
    add: { types: ['../tracing.js'] },
    to: 'src/tracing/tracing.ts',
  },
  {
    rule: 'jaeger-client-only-in-its-typed-view',
    file: 'src/tracing/jaeger/propagator.ts',
    add: { imports: ['jaeger-client'] },
    to: 'node_modules/jaeger-client/index.js',
  },
  {
    rule: 'jaeger-adapter-only-to-config-context-log-metrics',
    file: 'src/tracing/jaeger/reporting/udp.ts',
    add: { imports: ['../../../http/get-text.js'] },
    to: 'src/http/get-text.ts',
  },
  // (d) the product importing tools and tests
  {
    rule: 'src-not-to-tools',
    file: 'src/main.ts',
    add: { imports: ['../tools/compare/cli.js'] },
    to: 'tools/compare/cli.ts',
  },
  {
    rule: 'src-not-to-tools',
    file: 'src/http/server.ts',
    add: { types: ['../../test/helpers/chain.js'] },
    to: 'test/helpers/chain.ts',
  },
  // one for every other rule
  {
    rule: 'propagation-only-to-codecs-and-config',
    file: 'src/tracing/propagation/w3c.ts',
    add: { imports: ['../jaeger/span-ids.js'] },
    to: 'src/tracing/jaeger/span-ids.ts',
  },
  {
    rule: 'tracing-only-to-lower-layers',
    file: 'src/tracing/lessons.ts',
    add: { imports: ['../services/name.js'] },
    to: 'src/services/name.ts',
  },
  {
    rule: 'http-only-to-context-log-metrics',
    file: 'src/http/text.ts',
    add: { imports: ['../tracing/mesh-headers.js'] },
    to: 'src/tracing/mesh-headers.ts',
  },
  {
    rule: 'metrics-only-to-log',
    file: 'src/metrics/metrics.ts',
    add: { imports: ['../context/request-context.js'] },
    to: 'src/context/request-context.ts',
  },
  {
    rule: 'context-not-to-src',
    file: 'src/context/request-context.ts',
    add: { types: ['../config.js'] },
    to: 'src/config.ts',
  },
  {
    rule: 'config-not-to-src',
    file: 'src/config.ts',
    add: { imports: ['./log/numbers.js'] },
    to: 'src/log/numbers.ts',
  },
  {
    rule: 'services-only-to-http-log-metrics-config',
    file: 'src/services/name.ts',
    add: { imports: ['../context/request-context.js'] },
    to: 'src/context/request-context.ts',
  },
  {
    rule: 'main-only-to-services-config-tracing-index',
    file: 'src/main.ts',
    add: { imports: ['./http/server.js'] },
    to: 'src/http/server.ts',
  },
  {
    rule: 'not-to-unresolvable',
    file: 'src/services/formatter/greeting.ts',
    add: { imports: ['./gretting.js'] },
    to: './gretting.js',
  },
];

/** The rules the config must have: each one broken above. */
const RULES = [...new Set(BREAKS.map((b) => b.rule))].sort();

function writeTree(dir: string, tree: Record<string, Mod>): void {
  for (const [file, mod] of Object.entries(tree)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source(mod));
  }
  copyFileSync(path.join(ROOT, CONFIG), path.join(dir, CONFIG));
  // a stand-in of the jaeger-client package, so that importing it resolves
  const pkg = path.join(dir, 'node_modules/jaeger-client');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{"name":"jaeger-client","main":"index.js"}\n');
  writeFileSync(path.join(pkg, 'index.js'), 'module.exports = {};\n');
}

function broken(): Record<string, Mod> {
  const tree = structuredClone(CLEAN);
  for (const { file, add, closes = {} } of BREAKS) {
    for (const [f, more] of [[file, add], ...Object.entries(closes)] as const) {
      const mod = tree[f] as Mod;
      mod.imports = [...(mod.imports ?? []), ...(more.imports ?? [])];
      mod.types = [...(mod.types ?? []), ...(more.types ?? [])];
    }
  }
  return tree;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function depcruise(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEPCRUISE, ...args],
      { cwd, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `npm run lint:imports` as package.json says it, in the synthetic tree's folder. */
function lintImports(cwd: string): Promise<Run> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [bin, ...args] = (pkg.scripts['lint:imports'] ?? '').split(/\s+/);
  expect(bin).toBe('depcruise');
  return depcruise(cwd, args);
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  /** for no-circular: the way back, from `to` round to `from` */
  cycle?: { name: string }[];
}

/** The modules a violation is about: for a cycle, every module on it. */
const modulesOf = (v: Violation): string[] => [v.from, v.to, ...(v.cycle ?? []).map((s) => s.name)];

let tmp: string;
let clean: Run;
let brokenLint: Run;
let brokenJson: Run;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'hello-app-import-rules-'));
  writeTree(path.join(tmp, 'clean'), CLEAN);
  writeTree(path.join(tmp, 'broken'), broken());
  [clean, brokenLint, brokenJson] = await Promise.all([
    lintImports(path.join(tmp, 'clean')),
    lintImports(path.join(tmp, 'broken')),
    depcruise(path.join(tmp, 'broken'), ['src', '--config', CONFIG, '--output-type', 'json']),
  ]);
}, 60_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the import-rules check', () => {
  test('lint:imports checks src/ only, with the config file', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['lint:imports']).toMatch(
      /^depcruise src --config \.dependency-cruiser\.mjs /,
    );
    expect(pkg.scripts['lint']).toContain('npm run --silent lint:imports');
  });

  test('passes on a clean tree of the target layout, type-only imports and .js specifiers included', () => {
    expect(clean.stdout + clean.stderr).toMatch(/no dependency violations found/);
    expect(clean.code).toBe(0);
    // every module of the tree was cruised (and node:async_hooks, and the stand-in
    // jaeger-client), every import resolved
    const modules = Object.keys(CLEAN).filter((f) => f.startsWith('src/')).length + 2;
    expect(clean.stdout).toMatch(new RegExp(`\\b${modules} modules\\b`));
  });

  test('fails on the broken tree, and says the rule in words', () => {
    expect(brokenLint.code).not.toBe(0);
    expect(brokenLint.stdout).toContain('error services-tracing-only-via-index:');
    expect(brokenLint.stdout.replace(/\s+/g, ' ')).toContain(
      'services may use the tracer module only through tracing/index.ts',
    );
  });

  describe('reports each break under its rule', () => {
    const violations = (): Violation[] =>
      (JSON.parse(brokenJson.stdout) as { summary: { violations: Violation[] } }).summary
        .violations;

    test.each(BREAKS.map((b) => [b.rule, b.file, b.to] as const))(
      '%s: %s -> %s',
      (rule, from, to) => {
        const found = violations().filter((v) => v.rule.name === rule && v.from === from);
        expect(found.map((v) => v.to)).toContain(to);
      },
    );

    test('and nothing else', () => {
      const expected = (v: Violation): boolean =>
        BREAKS.some((b) =>
          b.rule === 'no-circular'
            ? v.rule.name === b.rule && modulesOf(v).includes(b.file) && modulesOf(v).includes(b.to)
            : v.rule.name === b.rule && v.from === b.file && v.to === b.to,
        );
      const unexpected = violations().filter((v) => !expected(v));
      expect(unexpected).toEqual([]);
    });

    test('every rule of the config is broken here at least once', async () => {
      const config = (await import(pathToFileURL(path.join(ROOT, CONFIG)).href)) as {
        default: { forbidden: { name: string }[] };
      };
      const configured = config.default.forbidden.map((r) => r.name).sort();
      expect(configured).toEqual(RULES);
      const reported = [...new Set(violations().map((v) => v.rule.name))].sort();
      expect(reported).toEqual(RULES);
    });
  });
});
