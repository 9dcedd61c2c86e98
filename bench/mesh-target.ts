/**
 * The mesh modes: the project's services behind the local Envoy mesh (mesh/mesh.ts, as
 * `npm run mesh` runs it: an ingress gateway, a sidecar per workload, Istio's Zipkin
 * provider at 100 % sampling), started once for all of them and driven through the
 * gateway. Jaeger is the bench's stand-in (MeshCollector) on a loopback address of its
 * own, so spans are counted as for the other modes and no Jaeger competes for the CPU.
 *
 * CPU is read per process: the two services on the request's path (hello and formatter
 * v1 of the shape under load) and, apart, the three Envoys on it (the gateway, hello's
 * sidecar, formatter v1's sidecar). The other shape's processes idle meanwhile.
 */
import { startMesh } from '../mesh/mesh.js';
import type { Mesh, MeshComponent } from '../mesh/mesh.js';
import { readSettings } from '../mesh/settings.js';
import { HEADERS_ONLY, INSTRUMENTED, findWorkload, workloadName } from '../mesh/topology.js';
import type { Shape } from '../mesh/topology.js';
import type { Mode } from './modes.js';
import { cpuMsOf, rssKbOf } from './processes.js';
import { MeshCollector } from './sinks/servers.js';
import type { Sink } from './sinks/servers.js';
import type { Target } from './target.js';

export interface MeshBenchOptions {
  /** The instrumented shape's gateway port; the headers-only one is the next, then 18 internal ports. */
  port: number;
  /** Loopback address of the stand-in Jaeger (its fixed ports 9411, 14268, 13133, 16686). */
  collectorHost: string;
  logLevel: string;
  say: (line: string) => void;
}

/** Ports the mesh takes from --mesh-port on: two gateways, then 6 workloads × 3. */
export const MESH_PORT_SPAN = 20;

function sum(values: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

export class MeshBench {
  private deathReason: string | undefined;

  private constructor(
    readonly mesh: Mesh,
    readonly collector: MeshCollector,
  ) {
    void mesh.died.then((reason) => (this.deathReason = reason));
  }

  static async start(options: MeshBenchOptions): Promise<MeshBench> {
    const collector = await MeshCollector.start(options.collectorHost);
    const settings = readSettings({
      ...process.env,
      MESH_TRACING: 'zipkin',
      MESH_PORT: String(options.port),
      MESH_HEADERS_ONLY_PORT: String(options.port + 1),
      MESH_INTERNAL_PORT_BASE: String(options.port + 2),
      JAEGER_LISTEN_HOST: options.collectorHost,
      BREAK_PROPAGATION: '',
    });
    // the mesh gives its services the runner's LOG_LEVEL
    const level = process.env['LOG_LEVEL'];
    process.env['LOG_LEVEL'] = options.logLevel;
    try {
      const mesh = await startMesh(settings, { say: (line) => options.say(`mesh: ${line}`) });
      return new MeshBench(mesh, collector);
    } catch (error) {
      await collector.close();
      throw error;
    } finally {
      if (level === undefined) delete process.env['LOG_LEVEL'];
      else process.env['LOG_LEVEL'] = level;
    }
  }

  private component(key: string, role: MeshComponent['role']): MeshComponent {
    const found = this.mesh.components.find((c) => c.key === key && c.role === role);
    if (!found) throw new Error(`the mesh has no ${role} ${key}`);
    return found;
  }

  target(mode: Mode): Target {
    if (!mode.mesh) throw new Error(`${mode.id} is not a mesh mode`);
    const shape: Shape = mode.mesh.shape === 'instrumented' ? INSTRUMENTED : HEADERS_ONLY;
    const key = (app: 'hello' | 'formatter') => workloadName(findWorkload(shape, app, 'v1'));
    const pid = (c: MeshComponent) => c.process.pid;
    const hello = pid(this.component(key('hello'), 'app'));
    const formatter = pid(this.component(key('formatter'), 'app'));
    const envoys = [
      this.component('gateway', 'gateway'),
      this.component(key('hello'), 'sidecar'),
      this.component(key('formatter'), 'sidecar'),
    ].map(pid);
    const cpu = (pids: (number | undefined)[]) =>
      sum(pids.map((p) => (p === undefined ? undefined : cpuMsOf(p))));
    const rss = (p: number | undefined) => (p === undefined ? undefined : rssKbOf(p));
    const sink: Sink | undefined = mode.sink
      ? this.collector.sinkFor(mode.spansPerRequest)
      : undefined;
    const url =
      mode.mesh.shape === 'instrumented' ? this.mesh.instrumentedUrl : this.mesh.headersOnlyUrl;
    return {
      mode,
      // the gateway listens on every interface; loopback by address, not by name
      url: url.replace('//localhost:', '//127.0.0.1:'),
      sink,
      requestHeaders: mode.mesh.headers,
      behindMesh: true,
      begin: () => this.collector.activate(sink),
      servicesCpuMs: () => cpu([hello, formatter]),
      envoyCpuMs: () => cpu(envoys),
      helloRssKb: () => rss(hello),
      formatterRssKb: () => rss(formatter),
      check: () => {
        if (this.deathReason) throw new Error(`the mesh broke: ${this.deathReason}`);
      },
    };
  }

  async stop(): Promise<void> {
    await this.mesh.stop();
    await this.collector.close();
  }
}
