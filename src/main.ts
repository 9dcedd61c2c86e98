#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import { startServices, stopServices } from './services/start.js';
import type { RunningService } from './services/start.js';

/** Commands to try, with their comments lined up after the longest. */
function tryLines(tries: ReadonlyArray<readonly [string, string?]>): string[] {
  const width = Math.max(...tries.map(([command]) => command.length)) + 2;
  return tries.map(([command, comment]) =>
    comment ? `  ${command.padEnd(width)}# ${comment}` : `  ${command}`,
  );
}

/** What `npm start` prints: where each service listens, and a curl per route saying what it shows. */
function printLocalBanner(config: Config, services: readonly RunningService[]): void {
  const hello = services.find((s) => s.name === 'hello');
  const formatter = services.find((s) => s.name === 'formatter');
  // both services of one process share the configuration, and so the tracing's shape
  const tracing = services[0]?.tracing;
  const instrumented = tracing?.shape === 'instrumented';
  const lines = ['', 'hello-app is running:'];
  for (const s of services) lines.push(`  ${s.name.padEnd(9)} ${s.url}`);
  const tries: [string, string?][] = [];
  if (hello && instrumented) {
    tries.push(
      [`curl ${hello.url}/sayHello/Bender`, 'instrumented: app spans + baggage'],
      [`curl -A Netscape ${hello.url}/sayHello/Fry`, 'user-agent travels as baggage-user-agent'],
      [
        `curl ${hello.url}/sayHello2/Leela`,
        formatter
          ? 'hello forwards headers only: no hello span; formatter still makes its 2'
          : 'hello forwards headers only: no hello span',
      ],
    );
  } else if (hello) {
    // both routes are the headers-only path here, and nothing makes a span or carries baggage
    tries.push(
      [`curl ${hello.url}/sayHello/Bender`, "hello forwards the mesh's tracing headers: no spans"],
      [`curl -A Netscape ${hello.url}/sayHello/Fry`, 'no baggage: the user-agent stops at hello'],
      [`curl ${hello.url}/sayHello2/Leela`, 'the same: headers forwarded, no spans'],
    );
  }
  if (formatter) tries.push([`curl '${formatter.url}/formatGreeting?name=Amy'`]);
  if (tries.length) lines.push('', 'Try:', ...tryLines(tries));
  if (!instrumented) {
    lines.push(
      '',
      `Tracing: ${tracing?.description}: hello forwards the mesh's tracing headers to formatter; no application spans, no baggage.`,
    );
  } else {
    lines.push(
      '',
      `Tracing: ${tracing.description} (Jaeger UI: http://localhost:16686 if Jaeger runs).`,
    );
    if (config.jaeger.logSpans)
      lines.push(
        'Each finished span is also logged as a "span finished" line (JAEGER_REPORTER_LOG_SPANS=false to silence).',
      );
  }
  lines.push(
    'No mesh here: nothing routes on the baggage (Netscape gets v1 too). For Envoy sidecars,',
    'the routing to v2 and both shapes in one picture: npm run mesh',
    'Stop with Ctrl+C.',
    '',
  );
  process.stderr.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    // `node dist/main.js all` (what npm start runs) names a default; app_name in the env wins
    const defaultApp = process.argv[2];
    config = loadConfig(defaultApp ? { app_name: defaultApp, ...process.env } : process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `hello-app: ${error.message}\n\nFor a local run of the whole chain: npm start (node dist/main.js all)\n`,
    );
    process.exit(2);
  }

  const services = await startServices(config);
  for (const s of services)
    s.logger.info('listening', {
      url: s.url,
      port: s.port,
      tracing: s.tracing.shape,
    });
  if (config.appName === 'all') printLocalBanner(config, services);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const s of services) s.logger.info('shutting down', { signal });
    stopServices(services).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`hello-app: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // a taken port says whose it is and what moves it (ListenError, src/services/start.ts)
  process.stderr.write(
    `hello-app: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
