#!/usr/bin/env node
/** `npm run mesh:configs`: rewrites deploy/mesh/ from the templates. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { COMPOSE_CONFIG_DIR, composeConfigFiles } from './compose-configs.js';
import { repoPath } from './paths.js';

const files = composeConfigFiles();
for (const provider of readdirSync(repoPath(COMPOSE_CONFIG_DIR), { withFileTypes: true }).filter(
  (d) => d.isDirectory(),
))
  rmSync(repoPath(COMPOSE_CONFIG_DIR, provider.name), { recursive: true, force: true });
for (const [path, text] of files) {
  mkdirSync(dirname(repoPath(path)), { recursive: true });
  writeFileSync(repoPath(path), text);
}
process.stdout.write(`wrote ${files.size} files under ${COMPOSE_CONFIG_DIR}/\n`);
