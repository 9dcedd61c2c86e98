/**
 * JAEGER_SAMPLER_TYPE=remote: jaeger-client's RemoteControlledSampler, which asks Jaeger's
 * sampling endpoint (port 5778) for this service's strategy and applies it, per service
 * or per operation, with three things changed and nothing else:
 *
 * - **The answer is read by `readStrategy`** (sampling-strategy.ts) before jaeger-client
 *   applies it: Jaeger v2 names the strategy type by number, which the stock client
 *   rejects as malformed.
 * - **The query has a deadline and a status check, one at a time.** jaeger-client's own
 *   GET has neither: a Jaeger that accepts and never answers would collect a socket per
 *   refresh, and an error page would be parsed as a strategy. A failure is logged (through
 *   the rate-limited logger) and the current strategy stays; requests never wait for it.
 * - **Nothing it runs keeps the process alive**, and close() stops all of it: the timers
 *   are unref'd, the query in flight is aborted, its socket closed.
 *
 * Also, a context whose sampling was deferred to this service (B3 without x-b3-sampled)
 * is sampled per operation like a new trace: jaeger-client's PerOperationSampler decides
 * only for the first span of a trace in the process, and it takes the extracted context
 * for that first span, so it would never sample one.
 */
import { Agent, get } from 'node:http';
import { ProbabilisticSampler, RemoteControlledSampler } from './jaeger-client.js';
import type {
  JaegerLogger,
  JaegerSpan,
  JaegerSpanContext,
  SamplingDecision,
  SamplingState,
  SamplingStrategyResponse,
} from './jaeger-client.js';
import { describeStrategy, readStrategy } from './sampling-strategy.js';

/** jaeger-client's path on the agent and on Jaeger v2's remote_sampling extension. */
export const SAMPLING_PATH = '/sampling';
const DEFAULT_QUERY_TIMEOUT_MS = 5000;
/** A strategy is a few hundred bytes; a page of megabytes is not one. */
const MAX_ANSWER_CHARS = 1 << 20;

export interface RemoteSamplerOptions {
  serviceName: string;
  /** Jaeger's sampling endpoint (JAEGER_SAMPLER_MANAGER_HOST_PORT). */
  host: string;
  port: number;
  /** ms between queries (JAEGER_SAMPLER_REFRESH_INTERVAL). */
  refreshIntervalMs: number;
  /** The probability used until the first strategy arrives (JAEGER_SAMPLER_PARAM). */
  initialProbability: number;
  /** Where failures go: rate-limited, it lets one complaint through per interval. */
  logger: JaegerLogger;
  /** jaeger-client's Metrics facade. */
  metrics?: object;
  /** Called with a one-line description whenever the strategy in use changes. */
  onStrategyChange?: (description: string) => void;
  /** The longest one query may take (default 5 s). */
  queryTimeoutMs?: number;
}

/** GET url: the body of a 200 answer; anything else, or no answer in time, rejects. */
function getText(url: string, agent: Agent, timeoutMs: number, signal: AbortSignal) {
  return new Promise<string>((resolve, reject) => {
    const request = get(url, { agent, signal, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_ANSWER_CHARS)
          request.destroy(new Error(`an answer over ${MAX_ANSWER_CHARS} characters`));
      });
      response.once('end', () =>
        response.statusCode === 200
          ? resolve(body)
          : reject(new Error(`HTTP ${response.statusCode}: ${body.slice(0, 200)}`)),
      );
      response.once('error', reject);
      response.once('close', () => {
        if (!response.complete) reject(new Error('the answer was cut short'));
      });
    });
    // a query must not keep the process alive (close() also ends it)
    request.once('socket', (socket) => socket.unref());
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.once('error', reject);
  });
}

export class RemoteSampler extends RemoteControlledSampler {
  /** Where the strategy is asked for, for messages. */
  readonly url: string;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly closing = new AbortController();
  private readonly queryTimeoutMs: number;
  private readonly onStrategyChange: ((description: string) => void) | undefined;
  private querying = false;
  /** Sampling states of contexts that defer to this service (see deferToLocalSampler). */
  private readonly deferred = new WeakSet<SamplingState>();

  constructor(options: RemoteSamplerOptions) {
    super(options.serviceName, {
      sampler: new ProbabilisticSampler(options.initialProbability),
      host: options.host,
      port: options.port,
      samplingPath: SAMPLING_PATH,
      refreshInterval: options.refreshIntervalMs,
      logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    // jaeger-client has just scheduled its random initial delay
    this._initialDelayTimeoutHandle?.unref();
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    this.url = `http://${host}:${options.port}${SAMPLING_PATH}?service=${encodeURIComponent(options.serviceName)}`;
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.onStrategyChange = options.onStrategyChange;
  }

  /** The sampler that decides now (the initial one, or what the last strategy made). */
  get current(): string {
    return this._sampler.toString();
  }

  /**
   * After jaeger-client's random initial delay (which spreads a fleet's queries): its
   * refresh interval, unref'd, and the first query now rather than one interval later.
   */
  override _afterInitialDelay(): void {
    super._afterInitialDelay();
    this._refreshIntervalHandle?.unref();
    this._refreshSamplingStrategy();
  }

  override _refreshSamplingStrategy(): void {
    if (this.querying || this.closing.signal.aborted) return;
    this.querying = true;
    getText(this.url, this.agent, this.queryTimeoutMs, this.closing.signal)
      .then(
        (body) => this._handleSamplingServerResponse(body),
        (error: unknown) => {
          if (this.closing.signal.aborted) return;
          const message = (error as { message?: unknown } | undefined)?.message;
          const why = typeof message === 'string' ? message : String(error);
          this._logger.error(
            `remote sampling: cannot fetch the strategy from ${this.url} (${why}); the current one stays: ${this.current}`,
          );
          this._metrics.samplerQueryFailure.increment(1);
        },
      )
      .finally(() => (this.querying = false));
  }

  /** Reads the answer (numeric or named strategyType) first; jaeger-client applies it. */
  override _updateSampler(response: SamplingStrategyResponse): boolean {
    const strategy = readStrategy(response);
    const changed = super._updateSampler(strategy);
    if (changed) this.onStrategyChange?.(describeStrategy(strategy));
    return changed;
  }

  /**
   * The server span of a deferred context is this trace's first span in this process:
   * make it the local root, so that a per-operation strategy decides for it.
   */
  override onCreateSpan(span: JaegerSpan): SamplingDecision {
    const context = span.context();
    const state = context._samplingState;
    if (this.deferred.delete(state)) state._localRootSpanIdStr = context.spanIdStr;
    return super.onCreateSpan(span);
  }

  /** An inbound context left the decision to this service (B3 without x-b3-sampled). */
  deferToLocalSampler(context: JaegerSpanContext): void {
    this.deferred.add(context._samplingState);
  }

  override close(callback?: () => void): void {
    this.closing.abort();
    this.agent.destroy();
    super.close(callback);
  }
}
