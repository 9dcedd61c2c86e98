import type { Writable } from 'node:stream';
import type { Router } from 'express';
import type { Config } from '../config.js';
import { createApp } from '../http/app.js';
import type { Lifecycle } from '../http/app.js';
import { listen } from '../http/server.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { createTracing, meshTraceIdOf } from '../tracing/index.js';
import type { Tracing } from '../tracing/index.js';
import { createServiceMetrics } from '../metrics/metrics.js';
import { startStatsLog } from '../metrics/stats-log.js';
import { FormatterClient } from './formatter/client.js';
import { helloRoutes } from './hello/routes.js';
import { formatterRoutes } from './formatter/routes.js';

export type ServiceName = 'hello' | 'formatter';

export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  readonly tracing: Tracing;
  readonly logger: Logger;
  /** Readiness goes 503, in-flight requests finish (bounded), buffered spans are flushed. */
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  host?: string;
  /** Where the JSON log lines go (stdout by default). */
  logStream?: Writable;
  /** What moves this service to another port, for the message when its port is taken. */
  portSetting?: string;
}

/** A service could not take its port: the message says whose port it is and what moves it. */
export class ListenError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly port: number,
    readonly code: string | undefined,
    portSetting: string,
    cause: unknown,
  ) {
    const why =
      code === 'EADDRINUSE'
        ? `it is in use (EADDRINUSE); stop what holds it, or set ${portSetting}`
        : code === 'EACCES'
          ? `permission denied (EACCES; ports below 1024 need privileges); set ${portSetting}`
          : cause instanceof Error
            ? cause.message
            : String(cause);
    super(`${service} could not listen on port ${port}: ${why}`, { cause });
    this.name = 'ListenError';
  }
}

function routesFor(name: ServiceName, config: Config, tracing: Tracing): Router {
  if (name === 'formatter') return formatterRoutes(tracing, config.professor ? 'v2' : 'v1');
  const baseUrl = `http://${config.formatterHost}:${config.formatterPort}`;
  return helloRoutes(tracing, new FormatterClient(baseUrl, tracing, config.formatterTimeoutMs));
}

export async function startService(
  name: ServiceName,
  config: Config,
  options: StartOptions,
): Promise<RunningService> {
  const logger = createLogger({ service: name, level: config.logLevel, stream: options.logStream });
  const metrics = createServiceMetrics(name);
  const tracing = createTracing(config, { serviceName: name, logger, metrics });
  const stopStatsLog = startStatsLog(metrics, logger, config.statsLogIntervalMs);
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp(
    { logger, lifecycle, metrics, meshTraceIdOf },
    routesFor(name, config, tracing),
  );
  const server = await listen(app, {
    port: options.port,
    host: options.host,
    maxHeaderBytes: config.maxHeaderBytes,
  }).catch(async (error: unknown) => {
    stopStatsLog();
    await tracing.close();
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw new ListenError(name, options.port, code, options.portSetting ?? 'PORT', error);
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    port: server.port,
    url: `http://${options.host ?? 'localhost'}:${server.port}`,
    tracing,
    logger,
    stop() {
      stopping ??= (async () => {
        lifecycle.draining = true;
        stopStatsLog();
        await server.drain(config.shutdownTimeoutMs);
        await tracing.close();
      })();
      return stopping;
    },
  };
}

/**
 * Starts what app_name asks for. `all` is the local run without Docker: formatter v1 on
 * PORT+1 (unless formatter_host/formatter_port point elsewhere), then hello on PORT.
 */
export async function startServices(
  config: Config,
  options: Omit<StartOptions, 'port'> = {},
): Promise<RunningService[]> {
  if (config.appName !== 'all')
    return [await startService(config.appName, config, { ...options, port: config.port })];
  const ownFormatter = ['127.0.0.1', 'localhost'].includes(config.formatterHost);
  if (!ownFormatter)
    return [await startService('hello', config, { ...options, port: config.port })];
  const formatter = await startService('formatter', config, {
    ...options,
    port: config.formatterPort,
    portSetting:
      config.formatterPort === config.port + 1
        ? 'PORT (with app_name=all formatter takes PORT+1)'
        : 'formatter_port',
  });
  try {
    const hello = await startService(
      'hello',
      { ...config, formatterPort: formatter.port },
      { ...options, port: config.port },
    );
    return [hello, formatter];
  } catch (error) {
    await formatter.stop();
    throw error;
  }
}

/** Stops in call order: hello first, so its in-flight calls to formatter can still finish. */
export async function stopServices(services: readonly RunningService[]): Promise<void> {
  for (const service of services) await service.stop();
}
