/**
 * The real mesh for the end-to-end suite: `npm run mesh`'s own startMesh, with its ports
 * moved out of the way (a developer's mesh may be running on the defaults) and the
 * Jaeger that the suite's global setup found. Requests go in through the gateway; the
 * gateway's trace id comes back in its x-trace-id header.
 */
import { INTERNAL_PORT_COUNT } from '../../../mesh/addresses.js';
import { TRACE_ID_HEADER } from '../../../mesh/envoy/gateway.js';
import { portFree } from '../../../mesh/http-probe.js';
import { startMesh } from '../../../mesh/mesh.js';
import type { Mesh } from '../../../mesh/mesh.js';
import { readSettings } from '../../../mesh/settings.js';
import type { MeshTracing } from '../../../mesh/topology.js';

export type { Mesh } from '../../../mesh/mesh.js';

export const NETSCAPE = 'Mozilla/3.0 (Netscape; I)';
export const V1 = (name: string): string =>
  `Hello, puny human ${name}! Morbo asks: how do you like running on Kubernetes?`;
export const V2 = (name: string): string =>
  `Good news, ${name}! If anyone needs me I'll be in the Angry Dome!`;

/** `count` consecutive free ports on 127.0.0.1 and 0.0.0.0, from a random start. */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000); // below the ephemeral range (32768+)
    let free = true;
    for (let port = base; port < base + count && free; port++)
      free = (await portFree(port, '0.0.0.0')) && (await portFree(port, '127.0.0.1'));
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export async function startTestMesh(
  tracing: MeshTracing,
  env: Record<string, string> = {},
): Promise<Mesh> {
  const base = await freeRange(INTERNAL_PORT_COUNT + 2);
  const settings = readSettings({
    ...process.env,
    ...env,
    MESH_TRACING: tracing,
    MESH_PORT: String(base),
    MESH_HEADERS_ONLY_PORT: String(base + 1),
    MESH_INTERNAL_PORT_BASE: String(base + 2),
  });
  return startMesh(settings);
}

export interface GatewayAnswer {
  status: number;
  text: string;
  /** The trace the gateway started (its x-trace-id answer header). */
  traceId: string;
}

/** GET `path` through the gateway at `baseUrl`, as a browser or curl would. */
export async function viaGateway(
  baseUrl: string,
  path: string,
  { userAgent = 'curl/8.5.0' }: { userAgent?: string } = {},
): Promise<GatewayAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { 'user-agent': userAgent },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const traceId = response.headers.get(TRACE_ID_HEADER) ?? '';
  if (!/^[0-9a-f]{32}$/.test(traceId))
    throw new Error(
      `the gateway answered ${path} without a 128-bit ${TRACE_ID_HEADER}: "${traceId}"`,
    );
  return { status: response.status, text, traceId };
}
