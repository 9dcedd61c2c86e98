/** Files of the repository, found from wherever this module runs (its source or its build). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'deploy', 'base')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the hello-app repository root');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
