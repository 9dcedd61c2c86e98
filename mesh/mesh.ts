/**
 * The whole mesh on one machine: Jaeger, an ingress gateway, a sidecar per workload and
 * both shapes of the chain. `startMesh` brings it up in dependency order and answers
 * once every part is ready; `stop` takes it down from the edge inwards so that no span
 * is lost on the way.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressesOf, localPlan } from './addresses.js';
import type { Address, MeshAddresses } from './addresses.js';
import { GATEWAY_FILE, meshConfigs, renderYaml, sidecarFile } from './envoy/configs.js';
import { ensureEnvoy } from './envoy/binary.js';
import { FLUSH_INTERVAL_MS } from './envoy/parts.js';
import { getText, portFree, waitFor } from './http-probe.js';
import { ensureJaeger } from './jaeger.js';
import type { MeshJaeger } from './jaeger.js';
import { repoPath } from './paths.js';
import { describeExit, ProcessGroup, stopLeftovers } from './processes.js';
import type { Exit, ManagedProcess } from './processes.js';
import { propagationFor } from './settings.js';
import type { MeshSettings } from './settings.js';
import { HEADERS_ONLY, WORKLOADS, workloadName } from './topology.js';
import type { Workload } from './topology.js';

export class MeshError extends Error {
  override readonly name = 'MeshError';
}

export interface MeshComponent {
  /** A workload name (`hello`, `headers-only-formatter-v2`), `gateway` or `jaeger`. */
  key: string;
  role: 'app' | 'sidecar' | 'gateway' | 'jaeger';
  process: ManagedProcess;
}

export interface Mesh {
  settings: MeshSettings;
  plan: MeshAddresses;
  /** The instrumented shape, through the gateway. */
  instrumentedUrl: string;
  headersOnlyUrl: string;
  jaegerUrl: string;
  /** Where every process writes its output, and the generated Envoy configs. */
  runDir: string;
  components: readonly MeshComponent[];
  /** Resolves when a component died on its own; the mesh is then stopped. */
  died: Promise<string>;
  /** Stops one component on purpose (a test stopping formatter); the rest keeps running. */
  stopComponent(key: string, role: MeshComponent['role']): Promise<Exit>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Progress lines ("starting Envoy..."). */
  say?: (line: string) => void;
}

const APP_STOP_GRACE_MS = 15_000;
const ENVOY_STOP_GRACE_MS = 5_000;

function describeWorkload(workload: Workload): string {
  const label = workload.app === 'hello' ? 'hello' : `formatter ${workload.version}`;
  return workload.shape === HEADERS_ONLY ? `${label} (headers-only)` : label;
}

/** Every port the mesh will listen on, what it is for, and the variable that moves it. */
function portsToCheck(
  settings: MeshSettings,
  plan: MeshAddresses,
): { address: Address; what: string }[] {
  const list = [
    { address: plan.gateway.instrumented, what: "the instrumented shape's gateway; set MESH_PORT" },
    {
      address: plan.gateway.headersOnly,
      what: "the headers-only shape's gateway; set MESH_HEADERS_ONLY_PORT",
    },
  ];
  for (const workload of WORKLOADS) {
    const own = addressesOf(plan, workload);
    const name = describeWorkload(workload);
    const internal = `an internal port; set MESH_INTERNAL_PORT_BASE (now ${settings.internalPortBase})`;
    list.push({ address: own.app, what: `${name}'s app, ${internal}` });
    list.push({ address: own.inboundListen, what: `${name}'s sidecar, ${internal}` });
    if (workload.app === 'hello')
      list.push({ address: own.outbound, what: `${name}'s sidecar, ${internal}` });
  }
  return list;
}

/** The environment of one workload's app process (exported for its tests). */
export function serviceEnv(
  workload: Workload,
  plan: MeshAddresses,
  settings: MeshSettings,
): Record<string, string> {
  const own = addressesOf(plan, workload);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    app_name: workload.app,
    PORT: String(own.appPort),
    TRACING_MODE: workload.shape.tracingMode,
    professor: String(workload.version === 'v2'),
    // locally the services report straight to Jaeger, not through their sidecar
    JAEGER_ENDPOINT: plan.jaeger.collectorUrl,
    JAEGER_PROPAGATION: propagationFor(settings.tracing),
    JAEGER_TAGS: `version=${workload.version}`,
    JAEGER_REPORTER_FLUSH_INTERVAL: '500',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
  };
  if (settings.breakPropagation && workload.shape.tracingMode === 'instrumented')
    env['BREAK_PROPAGATION'] = settings.breakPropagation;
  // JAEGER_SAMPLER_*: only for traces that start in a service or defer to it (a request
  // through the gateway carries Envoy's decision, which wins)
  if (workload.shape.tracingMode === 'instrumented') Object.assign(env, settings.sampler);
  if (workload.app === 'hello') {
    // hello calls formatter through its own sidecar, which routes to v1 or v2
    env['formatter_host'] = own.outbound.host;
    env['formatter_port'] = String(own.outbound.port);
  }
  return env;
}

export async function startMesh(settings: MeshSettings, options: StartOptions = {}): Promise<Mesh> {
  const say = options.say ?? (() => undefined);
  const plan = localPlan({
    gateway: settings.port,
    headersOnlyGateway: settings.headersOnlyPort,
    internalBase: settings.internalPortBase,
    jaegerHost: settings.jaegerHost,
  });
  const runDir = join(settings.cacheDir, 'mesh', `port-${settings.port}`);
  const pidFile = join(runDir, 'pids');
  const leftovers = stopLeftovers(pidFile);
  if (leftovers) {
    say(`stopped ${leftovers} processes an earlier run left behind`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the kernel release their ports
  }
  for (const { address, what } of portsToCheck(settings, plan)) {
    if (!(await portFree(address.port, address.host)))
      throw new MeshError(
        `port ${address.port} is in use (${what}): stop what holds it, or move the mesh`,
      );
  }

  rmSync(runDir, { recursive: true, force: true });
  for (const dir of ['envoy', 'logs', 'admin']) mkdirSync(join(runDir, dir), { recursive: true });

  let resolveDied: (reason: string) => void = () => undefined;
  const died = new Promise<string>((resolve) => (resolveDied = resolve));
  let stopping: Promise<void> | undefined;
  const components: MeshComponent[] = [];
  let jaeger: MeshJaeger;
  const group = new ProcessGroup((member, exit) => {
    const last = member.lastLines(3).join('\n    ');
    resolveDied(
      `${member.name} ${describeExit(exit)}${last ? `; its last words:\n    ${last}` : ''}\n  (log: ${member.logFile})`,
    );
  }, pidFile);

  try {
    let envoyBin: string;
    [envoyBin, jaeger] = await Promise.all([
      ensureEnvoy(settings, say),
      ensureJaeger(settings, group, join(runDir, 'logs'), say),
    ]);
    if (jaeger.process) components.push({ key: 'jaeger', role: 'jaeger', process: jaeger.process });

    const configs = meshConfigs(plan, settings.tracing);
    for (const [file, config] of configs)
      writeFileSync(
        join(runDir, 'envoy', file),
        renderYaml(
          config,
          `generated by npm run mesh for this run (MESH_TRACING=${settings.tracing})`,
        ),
      );

    say(`starting 6 services, 6 sidecars and the gateway (MESH_TRACING=${settings.tracing})`);
    const startApp = (workload: Workload) =>
      group.start({
        name: describeWorkload(workload),
        command: process.execPath,
        args: [repoPath('dist', 'main.js')],
        env: serviceEnv(workload, plan, settings),
        logFile: join(runDir, 'logs', `${workloadName(workload)}.log`),
      });
    const startEnvoy = (name: string, file: string, logName: string) =>
      group.start({
        name,
        command: envoyBin,
        args: [
          '-c',
          join(runDir, 'envoy', file),
          '--concurrency',
          '1', // 7 Envoys on 2 cores
          '--disable-hot-restart', // they would share one shared-memory region otherwise
          '--log-level',
          'warn', // stdout then holds the JSON access log and real trouble
          '--admin-address-path',
          join(runDir, 'admin', `${logName}.address`),
        ],
        env: { PATH: process.env['PATH'] ?? '' },
        logFile: join(runDir, 'logs', `${logName}.log`),
      });

    for (const workload of WORKLOADS) {
      components.push({ key: workloadName(workload), role: 'app', process: startApp(workload) });
      components.push({
        key: workloadName(workload),
        role: 'sidecar',
        process: startEnvoy(
          `${describeWorkload(workload)} sidecar`,
          sidecarFile(workload),
          `${workloadName(workload)}-sidecar`,
        ),
      });
    }
    components.push({
      key: 'gateway',
      role: 'gateway',
      process: startEnvoy('ingress gateway', GATEWAY_FILE, 'gateway'),
    });

    const ready = (component: MeshComponent): Promise<unknown> => {
      const deathNote = () =>
        component.process.alive
          ? undefined
          : `${component.process.name} would not start: ${component.process.lastLines(4).join(' | ') || 'no output'} (log: ${component.process.logFile})`;
      if (component.role === 'app') {
        const workload = WORKLOADS.find((w) => workloadName(w) === component.key) as Workload;
        const { app } = addressesOf(plan, workload);
        return waitFor(
          component.process.name,
          () => getText(`http://${app.host}:${app.port}/ready`, 500),
          {
            deadlineMs: 30_000,
            stillAlive: deathNote,
          },
        );
      }
      if (component.role === 'jaeger') return Promise.resolve();
      const logName = component.role === 'gateway' ? 'gateway' : `${component.key}-sidecar`;
      return waitFor(
        component.process.name,
        async () => {
          let admin: string;
          try {
            admin = readFileSync(join(runDir, 'admin', `${logName}.address`), 'utf8').trim();
          } catch {
            return undefined;
          }
          const state = await getText(`http://${admin}/ready`, 500);
          return state?.trim() === 'LIVE' ? true : undefined;
        },
        { deadlineMs: 30_000, stillAlive: deathNote },
      );
    };
    await Promise.all(components.map(ready));
  } catch (error) {
    group.killAll();
    await Promise.allSettled(group.all.map((member) => member.exited));
    group.dispose();
    throw error;
  }

  const byRole = (role: MeshComponent['role']) => components.filter((c) => c.role === role);
  const stop = async () => {
    stopping ??= (async () => {
      const adminOf = (logName: string) =>
        readFileSync(join(runDir, 'admin', `${logName}.address`), 'utf8').trim();
      // 1. the edge stops taking requests, and lets the ones it has finish
      const gateway = byRole('gateway')[0];
      if (gateway?.process.alive) {
        const admin = adminOf('gateway');
        await fetch(`http://${admin}/drain_listeners`, {
          method: 'POST',
          signal: AbortSignal.timeout(2000),
        }).catch(() => undefined);
        await waitFor(
          'the gateway to finish its requests',
          async () => {
            const stats = await getText(
              `http://${admin}/stats?filter=${encodeURIComponent('^http\\.outbound_.*downstream_rq_active$')}`,
              500,
            );
            const active = [...(stats ?? '').matchAll(/downstream_rq_active: (\d+)/g)].reduce(
              (sum, m) => sum + Number(m[1]),
              0,
            );
            return stats !== undefined && active === 0 ? true : undefined;
          },
          { deadlineMs: 10_000, stillAlive: () => undefined },
        ).catch(() => undefined);
      }
      say('gateway drained');
      // 2. the apps drain and flush their spans to Jaeger (SIGTERM is their shutdown)
      await Promise.all(byRole('app').map((c) => c.process.stop(APP_STOP_GRACE_MS)));
      say('services stopped');
      // 3. every Envoy has sent its last spans after one flush interval; then they go
      await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS + 500));
      await Promise.all(
        [...byRole('gateway'), ...byRole('sidecar')].map((c) =>
          c.process.stop(ENVOY_STOP_GRACE_MS),
        ),
      );
      // 4. Jaeger last, once nothing reports to it any more
      await Promise.all(byRole('jaeger').map((c) => c.process.stop(ENVOY_STOP_GRACE_MS)));
      group.dispose();
    })();
    return stopping;
  };

  const url = (address: Address) => `http://localhost:${address.port}`;
  return {
    settings,
    plan,
    instrumentedUrl: url(plan.gateway.instrumented),
    headersOnlyUrl: url(plan.gateway.headersOnly),
    jaegerUrl: jaeger.queryUrl,
    runDir,
    components,
    died,
    stopComponent(key, role) {
      const component = components.find((c) => c.key === key && c.role === role);
      if (!component) throw new MeshError(`no ${role} ${key} in the mesh`);
      return component.process.stop(role === 'app' ? APP_STOP_GRACE_MS : ENVOY_STOP_GRACE_MS);
    },
    stop,
  };
}
