/** A small Dockerfile reader: instructions grouped into build stages. */
import { readRepoFile } from './paths.js';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

export function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue; // comment lines inside a continuation are dropped
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const match = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    instructions.push({
      keyword: (match[1] as string).toUpperCase(),
      args: (match[2] as string).trim(),
      line: start + 1,
    });
  }
  return instructions;
}

export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const parts = instruction.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const asAt = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({
        image: parts[0] ?? '',
        name: asAt > 0 ? parts[asAt + 1] : undefined,
        instructions: [],
      });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) {
        if (instruction.keyword === 'ARG') continue;
        throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before FROM`);
      }
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON (exec) form of CMD/ENTRYPOINT, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** ENV in both forms: `ENV A=1 B=2` and the legacy `ENV A 1`. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!/^\S+=/.test(args)) {
      const [name, ...rest] = args.split(/\s+/);
      env[name as string] = rest.join(' ');
      continue;
    }
    for (const match of args.matchAll(/(\S+?)=("([^"]*)"|\S*)/g))
      env[match[1] as string] = match[3] ?? (match[2] as string);
  }
  return env;
}

/** COPY/ADD sources from the build context (not --from another stage). */
export function contextSources(stages: readonly Stage[]): string[] {
  const sources: string[] = [];
  for (const stage of stages) {
    for (const { keyword, args } of stage.instructions) {
      if (keyword !== 'COPY' && keyword !== 'ADD') continue;
      const words = args.split(/\s+/);
      if (words.some((w) => w.startsWith('--from='))) continue;
      const paths = words.filter((w) => !w.startsWith('--'));
      sources.push(...paths.slice(0, -1));
    }
  }
  return sources;
}

/**
 * Whether .dockerignore keeps `file` (a path relative to the context) out of the build
 * context: the last matching pattern wins, `!` re-includes, a pattern that matches a
 * folder matches everything in it.
 */
export function isIgnored(dockerignore: string, file: string): boolean {
  let ignored = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(`^${globToRegex(pattern)}(/.*)?$`);
    if (regex.test(file)) ignored = !negate;
  }
  return ignored;
}

function globToRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      out += pattern[i + 2] === '/' ? '(.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** The environment the repository's image starts its process with (its last stage's ENV). */
export function runtimeEnv(): Record<string, string> {
  const stages = parseStages(readRepoFile('Dockerfile'));
  const runtime = stages[stages.length - 1];
  if (!runtime) throw new Error('the Dockerfile has no stage');
  return envOf(runtime);
}
