/** One mode's chain: its sink (if it reports spans), formatter, and hello in front. */
import { entryOf } from './modes.js';
import type { Mode } from './modes.js';
import { ServiceProcess, freePort } from './processes.js';
import { startSink } from './sinks/servers.js';
import type { Sink } from './sinks/servers.js';
import type { Target } from './target.js';

export interface ChainOptions {
  /** The project build to run (a dist/ directory). */
  dist: string;
  logLevel: string;
  flushIntervalMs: number;
  /** Extra node flags for the services (e.g. --cpu-prof). */
  nodeFlags: (mode: Mode, service: string) => string[];
  startTimeoutMs: number;
}

export class Chain implements Target {
  readonly requestHeaders = {};
  readonly behindMesh = false;

  private constructor(
    readonly mode: Mode,
    readonly sink: Sink | undefined,
    readonly formatter: ServiceProcess,
    readonly hello: ServiceProcess,
  ) {}

  get url(): string {
    return this.hello.url;
  }

  begin(): void {}

  servicesCpuMs(): number | undefined {
    const hello = this.hello.cpuMs();
    const formatter = this.formatter.cpuMs();
    return hello === undefined || formatter === undefined ? undefined : hello + formatter;
  }

  envoyCpuMs(): undefined {
    return undefined;
  }

  helloRssKb(): number | undefined {
    return this.hello.rssKb();
  }

  formatterRssKb(): number | undefined {
    return this.formatter.rssKb();
  }

  check(): void {}

  static async start(mode: Mode, options: ChainOptions): Promise<Chain> {
    if (mode.sink === 'mesh' || mode.app === 'mesh')
      throw new Error(`${mode.id} runs behind the mesh (mesh-target.ts), not as a chain`);
    const sink = mode.sink ? await startSink(mode.sink, mode.spansPerRequest) : undefined;
    const started: ServiceProcess[] = [];
    try {
      const env: Record<string, string> = {
        ...mode.env,
        ...sink?.env,
        LOG_LEVEL: options.logLevel,
        JAEGER_REPORTER_FLUSH_INTERVAL: String(options.flushIntervalMs),
        OTEL_BSP_SCHEDULE_DELAY: String(options.flushIntervalMs),
        professor: 'false',
      };
      const spawn = async (name: 'hello' | 'formatter', extra: Record<string, string>) => {
        const service = ServiceProcess.spawn({
          name: `${mode.id}/${name}`,
          args: [...options.nodeFlags(mode, name), entryOf(mode, options.dist)],
          env: { ...env, ...extra, app_name: name },
          port: await freePort(),
        });
        started.push(service);
        await service.waitReady(options.startTimeoutMs);
        return service;
      };
      const formatter = await spawn('formatter', {});
      const hello = await spawn('hello', {
        formatter_host: '127.0.0.1',
        formatter_port: String(formatter.spec.port),
      });
      return new Chain(mode, sink, formatter, hello);
    } catch (error) {
      await Promise.all(started.map((s) => s.stop()));
      await sink?.close();
      throw error;
    }
  }

  /** hello first, so its last calls to formatter can finish; each flushes its spans on the way out. */
  async stop(): Promise<void> {
    await this.hello.stop();
    await this.formatter.stop();
    await this.sink?.close();
  }
}
