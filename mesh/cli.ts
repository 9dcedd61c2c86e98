#!/usr/bin/env node
/**
 * `npm run mesh`: Jaeger, an ingress gateway, a sidecar per workload and both shapes of
 * the chain on this machine. Prints what runs where and a curl per lesson; Ctrl+C stops
 * it all, edge first, so that no span is lost.
 */
import { getText } from './http-probe.js';
import { startMesh } from './mesh.js';
import type { Mesh } from './mesh.js';
import { readSettings, SettingsError, propagationFor } from './settings.js';
import type { MeshSettings } from './settings.js';
import { TRACE_ID_HEADER } from './envoy/gateway.js';
import { WORKLOADS, workloadName } from './topology.js';
import { addressesOf } from './addresses.js';

const say = (line: string) => process.stderr.write(`mesh: ${line}\n`);

function banner(mesh: Mesh, settings: MeshSettings, startedMs: number, hasUi: boolean): string {
  const { instrumentedUrl: ot, headersOnlyUrl: ho } = mesh;
  const row = (name: string, where: string) => `  ${name.padEnd(34)} ${where}`;
  const lines = [
    '',
    `The mesh is up (${((Date.now() - startedMs) / 1000).toFixed(1)} s), tracing with Istio's ${settings.tracing === 'zipkin' ? 'Zipkin (B3, and W3C traceparent too)' : 'OpenTelemetry (W3C traceparent)'} provider:`,
    '',
    row('instrumented shape (opentracing)', `${ot}   via the ingress gateway`),
    row('headers-only shape', `${ho}   via the same gateway`),
    row(
      hasUi ? 'Jaeger (query API / UI)' : 'Jaeger (query API)',
      hasUi
        ? mesh.jaegerUrl
        : `${mesh.jaegerUrl}   (built from source: no UI pages; npm run compare -- --html draws the traces)`,
    ),
    '',
    '  workload                   app    sidecar in' + '   (namespace)',
  ];
  for (const workload of WORKLOADS) {
    const own = addressesOf(mesh.plan, workload);
    const out = workload.app === 'hello' ? `  out ${own.outbound.port}` : '';
    lines.push(
      `  ${workloadName(workload).padEnd(26)} ${String(own.app.port).padEnd(6)} ${String(own.inbound.port).padEnd(6)}${out.padEnd(10)} (${workload.shape.namespace})`,
    );
  }
  lines.push(
    `  services propagate with JAEGER_PROPAGATION=${propagationFor(settings.tracing)}; logs and Envoy configs: ${mesh.runDir}`,
    '',
    "Try (each answer carries the gateway's trace id in " +
      TRACE_ID_HEADER +
      '; curl -i shows it):',
    `  curl ${ot}/sayHello/Bender               # v1, and one trace: gateway, sidecars and the app's own spans`,
    `  curl -A Netscape ${ot}/sayHello/Fry      # v2: the baggage-user-agent header steers hello's sidecar`,
    `  curl ${ot}/sayHello2/Leela               # hello forwards headers only: no hello app span`,
    `  curl ${ho}/sayHello/Bender               # headers-only shape: a trace of Envoy spans alone`,
    '',
    "Then compare the two shapes' latest traces of the same route:",
    '  npm run compare',
    `  (or look: ${mesh.jaegerUrl}/search; curl ${mesh.jaegerUrl}/api/traces/<trace id>)`,
    '',
    'Stop with Ctrl+C.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  let settings: MeshSettings;
  try {
    settings = readSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      say(error.message);
      return 2;
    }
    throw error;
  }
  const startedMs = Date.now();
  let mesh: Mesh;
  try {
    mesh = await startMesh(settings, { say });
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }
  // a Jaeger built from Go sources serves a placeholder page instead of its UI
  const home = await getText(mesh.jaegerUrl);
  const hasUi = home !== undefined && !home.includes('not the Jaeger UI');
  process.stdout.write(banner(mesh, settings, startedMs, hasUi));

  let signals = 0;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        say(`second ${signal}: killing everything now`);
        for (const c of mesh.components) c.process.killNow();
        resolve(130);
        return;
      }
      say(
        `${signal}: stopping the gateway, then the services (they flush their spans), then the sidecars, then Jaeger`,
      );
      mesh.stop().then(() => {
        say('stopped; nothing left running');
        resolve(0);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal); // the terminal closed
    void mesh.died.then(async (reason) => {
      if (signals > 0) return;
      say(`${reason}\nmesh: stopping everything else`);
      await mesh.stop();
      say('stopped; nothing left running');
      resolve(1);
    });
  });
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
