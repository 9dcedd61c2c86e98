/**
 * The hop hello -> formatter is routed by the rule in deploy/base/formatter-routing.yaml
 * (a VirtualService and its DestinationRule). The local mesh reads that file rather than
 * restating the rule, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { repoPath } from '../paths.js';
import type { Json } from './parts.js';

export const ROUTING_FILE = repoPath('deploy', 'base', 'formatter-routing.yaml');

/** One `http` entry of the VirtualService: header matches (any of) and the subset it goes to. */
export interface SubsetRoute {
  name: string;
  /** Envoy header matchers; empty means "every request". */
  headers: Json[];
  subset: string;
}

interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

interface VirtualServiceHttp {
  name?: string;
  match?: { headers?: Record<string, StringMatch> }[];
  route?: { destination?: { host?: string; subset?: string } }[];
}

/** Istio's StringMatch as Envoy's: Istio's `regex` is RE2 and must match the whole value. */
function headerMatcher(name: string, match: StringMatch): Json {
  if (match.regex !== undefined)
    return { name, string_match: { safe_regex: { regex: match.regex } } };
  if (match.exact !== undefined) return { name, string_match: { exact: match.exact } };
  if (match.prefix !== undefined) return { name, string_match: { prefix: match.prefix } };
  throw new Error(`${ROUTING_FILE}: header ${name} has no exact, prefix or regex match`);
}

export function formatterRoutes(text = readFileSync(ROUTING_FILE, 'utf8')): SubsetRoute[] {
  const docs = parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>);
  const virtualService = docs.find((doc) => doc['kind'] === 'VirtualService');
  const spec = virtualService?.['spec'] as { http?: VirtualServiceHttp[] } | undefined;
  if (!spec?.http?.length) throw new Error(`${ROUTING_FILE}: no VirtualService with http routes`);
  return spec.http.map((entry, index) => {
    const subset = entry.route?.[0]?.destination?.subset;
    if (!subset || entry.route?.length !== 1)
      throw new Error(`${ROUTING_FILE}: http[${index}] must route to exactly one subset`);
    const matches = entry.match ?? [];
    if (matches.length > 1)
      throw new Error(`${ROUTING_FILE}: http[${index}]: the local mesh supports one match block`);
    const headers = Object.entries(matches[0]?.headers ?? {}).map(([name, match]) =>
      headerMatcher(name, match),
    );
    return { name: entry.name ?? `route-${index}`, headers, subset };
  });
}
