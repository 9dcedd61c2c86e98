import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function repoPath(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Where the project's scripts cache tools (kubectl, Node 24): the same rule as theirs. */
export function cacheDir(): string {
  const env = process.env;
  return (
    env['HELLO_APP_CACHE'] ??
    path.join(env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'hello-app')
  );
}
