/**
 * Starts the real chain in-process on ephemeral ports: formatter, a header-recording
 * hop, hello; jaeger-client reporting over HTTP to a Thrift-decoding test collector.
 */
import fetch from 'node-fetch';
import { loadConfig } from '../../src/config.js';
import type { Env } from '../../src/config.js';
import { startService } from '../../src/services/start.js';
import type { RunningService } from '../../src/services/start.js';
import { HeaderRecordingProxy } from './header-proxy.js';
import { LogCapture } from './logs.js';
import { ThriftCollector } from './thrift-collector.js';

export interface ChainOptions {
  env?: Env;
  helloEnv?: Env;
  formatterEnv?: Env;
}

export interface Answer {
  status: number;
  text: string;
  headers: Record<string, string>;
}

export class Chain {
  constructor(
    readonly collector: ThriftCollector,
    readonly formatter: RunningService,
    readonly proxy: HeaderRecordingProxy,
    readonly hello: RunningService,
    readonly logs: LogCapture,
  ) {}

  async get(
    path: string,
    headers: Record<string, string> = {},
    service = this.hello,
  ): Promise<Answer> {
    const response = await fetch(`${service.url}${path}`, { headers });
    return {
      status: response.status,
      text: await response.text(),
      headers: Object.fromEntries(response.headers.entries()),
    };
  }

  /** Stops hello and formatter (flushing their spans), then the test's own servers. */
  async stop(): Promise<void> {
    await this.hello.stop();
    await this.formatter.stop();
    await this.proxy.stop();
    await this.collector.stop();
  }
}

export function baseEnv(collector: ThriftCollector): Env {
  return {
    PORT: '0',
    JAEGER_ENDPOINT: collector.endpoint,
    JAEGER_REPORTER_FLUSH_INTERVAL: '50',
    LOG_LEVEL: 'debug',
    SHUTDOWN_TIMEOUT_MS: '2000',
  };
}

export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const collector = await new ThriftCollector().start();
  const logs = new LogCapture();
  const common = { ...baseEnv(collector), ...options.env };
  const formatter = await startService(
    'formatter',
    loadConfig({ ...common, app_name: 'formatter', ...options.formatterEnv }),
    { port: 0, host: '127.0.0.1', logStream: logs },
  );
  const proxy = await new HeaderRecordingProxy(() => formatter.port).start();
  const hello = await startService(
    'hello',
    loadConfig({
      ...common,
      app_name: 'hello',
      formatter_host: '127.0.0.1',
      formatter_port: String(proxy.port),
      ...options.helloEnv,
    }),
    { port: 0, host: '127.0.0.1', logStream: logs },
  );
  return new Chain(collector, formatter, proxy, hello, logs);
}

/** Random full-width ids, as Envoy would make them. */
export function randomTraceId(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

export function randomSpanId(): string {
  return Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

export function b3Headers(
  traceId: string,
  spanId: string,
  sampled?: '0' | '1',
): Record<string, string> {
  const headers: Record<string, string> = { 'x-b3-traceid': traceId, 'x-b3-spanid': spanId };
  if (sampled) headers['x-b3-sampled'] = sampled;
  return headers;
}
