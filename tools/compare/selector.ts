/**
 * How a trace is named on the command line: by its id, or as "the latest trace of this
 * service (and operation, and tags)". Parsing is strict so a typo is a usage error
 * rather than an empty search.
 */

export type TraceSelector =
  | { kind: 'id'; traceId: string }
  | {
      kind: 'latest';
      service: string;
      operation?: string;
      tags: Record<string, string>;
      lookbackMs: number;
    };

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

export const DEFAULT_LOOKBACK_MS = 60 * 60 * 1000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(raw: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  if (!match) throw new SelectorError(`lookback "${raw}" is not a duration like 30m, 2h or 1d`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** Splits `a=1,b="x, y"` into pairs; double quotes protect commas and are removed. */
function pairs(raw: string): [string, string][] {
  const result: [string, string][] = [];
  let current = '';
  let quoted = false;
  const flush = () => {
    const item = current.trim();
    current = '';
    if (!item) return;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new SelectorError(`"${item}" is not key=value`);
    result.push([item.slice(0, eq).trim(), item.slice(eq + 1).trim()]);
  };
  for (const char of raw) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) flush();
    else current += char;
  }
  if (quoted) throw new SelectorError(`unbalanced double quote in "${raw}"`);
  flush();
  return result;
}

/**
 * `4bf92f3577b34da6a3ce929d0e0e4736` (16 or 32 hex digits) or
 * `service=hello[,operation=GET /sayHello/:name][,tag.KEY=VALUE...][,lookback=1h]`.
 */
export function parseSelector(raw: string): TraceSelector {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{1,32}$/.test(value)) return { kind: 'id', traceId: value.toLowerCase() };
  if (!value.includes('=')) {
    throw new SelectorError(
      `"${raw}" is neither a trace id (hex) nor service=NAME[,operation=NAME]`,
    );
  }
  let service: string | undefined;
  let operation: string | undefined;
  let lookbackMs = DEFAULT_LOOKBACK_MS;
  const tags: Record<string, string> = {};
  for (const [key, item] of pairs(value)) {
    if (key === 'service') service = item;
    else if (key === 'operation') operation = item;
    else if (key === 'lookback') lookbackMs = parseDuration(item);
    else if (key.startsWith('tag.') && key.length > 4) tags[key.slice(4)] = item;
    else
      throw new SelectorError(`unknown key "${key}"; use service, operation, tag.KEY or lookback`);
  }
  if (!service) throw new SelectorError(`"${raw}" names no service=`);
  return operation
    ? { kind: 'latest', service, operation, tags, lookbackMs }
    : { kind: 'latest', service, tags, lookbackMs };
}

/** How the selector reads in the output header. */
export function describeSelector(selector: TraceSelector): string {
  if (selector.kind === 'id') return 'given by id';
  const parts = [`service=${selector.service}`];
  if (selector.operation) parts.push(`operation="${selector.operation}"`);
  for (const [key, value] of Object.entries(selector.tags)) parts.push(`tag.${key}="${value}"`);
  return `latest trace of ${parts.join(', ')}`;
}
