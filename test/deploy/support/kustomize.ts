/**
 * Renders a kustomization the way `kubectl apply -k` would: with `kubectl kustomize`
 * (kubectl on PATH or in the project's tool cache), or a standalone `kustomize build`.
 * A missing renderer is an error that says how to install one, never a skipped test.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cacheDir, repoPath } from './paths.js';

export interface Renderer {
  /** What runs, for messages: e.g. "/usr/bin/kubectl kustomize (kustomize v5.5.0)". */
  readonly description: string;
  render(dir: string): string;
}

const INSTALL_HINT =
  'No kustomize renderer found: the deploy tests need kubectl (with kustomize v4 or newer built ' +
  'in) or a standalone kustomize, on PATH or in ' +
  path.join(cacheDir(), 'bin') +
  '. Install one with: bash scripts/install-kubectl.sh';

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
function candidates(name: string): string[] {
  const dirs = [
    ...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean),
    path.join(cacheDir(), 'bin'),
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

let found: Renderer | undefined;

export function findRenderer(): Renderer {
  if (found) return found;
  const rejected: string[] = [];
  const options = [
    ...candidates('kubectl').map(kubectlRenderer),
    ...candidates('kustomize').map(kustomizeRenderer),
  ];
  for (const option of options) {
    if (typeof option !== 'string') return (found = option);
    rejected.push(option);
  }
  throw new Error(
    [INSTALL_HINT, ...rejected.map((reason) => `  (passed over ${reason})`)].join('\n'),
  );
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
