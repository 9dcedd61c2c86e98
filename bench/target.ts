/**
 * What the bench drives and measures in one mode: a chain of its own (chain.ts) or a
 * shape of the shared mesh (mesh-target.ts).
 */
import type { Mode } from './modes.js';
import type { Sink } from './sinks/servers.js';

export interface Target {
  readonly mode: Mode;
  /** Where the load goes: hello, or the mesh's gateway. */
  readonly url: string;
  /** Where its spans are counted; undefined when it reports none anywhere. */
  readonly sink: Sink | undefined;
  /** Headers each request carries on top of the User-Agent (and the sidecar's, see --inbound). */
  readonly requestHeaders: Record<string, string>;
  /** Whether it sits behind the mesh's gateway (then --inbound does not apply: Envoy adds the ids). */
  readonly behindMesh: boolean;
  /** Called as a run starts: the shared mesh collector counts for this mode from now on. */
  begin(): void;
  /** CPU ms hello and formatter have used so far. */
  servicesCpuMs(): number | undefined;
  /** CPU ms the Envoys on the request's path have used so far (undefined without a mesh). */
  envoyCpuMs(): number | undefined;
  helloRssKb(): number | undefined;
  formatterRssKb(): number | undefined;
  /** Throws when a part it needs has died (a mesh component). */
  check(): void;
}
