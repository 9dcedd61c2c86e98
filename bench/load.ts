/** Drives a chain with autocannon (closed loop: each connection sends its next request on the answer). */
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { formatGreeting } from '../src/services/formatter/greeting.js';

export const NAME = 'Bender';
/** Every mode must answer exactly this; anything else counts as an error. */
export const EXPECTED_BODY = formatGreeting('v1', NAME);
/** A browser-like User-Agent, so the instrumented path carries it as baggage (the mesh routes it to v1). */
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) hello-app-bench';

export interface LoadOptions {
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationS: number;
  /** A fixed number of requests (the soak) instead of a duration. */
  amount?: number;
  /** Send what the mesh's sidecar adds to each request (see meshHeaders). */
  mesh: boolean;
  /** More headers, the same on every request (x-b3-sampled: 0 for the unsampled mesh mode). */
  headers?: Record<string, string>;
}

/**
 * What Envoy adds in front of hello: a fresh x-request-id and B3 trace and span ids for
 * each request. So the headers-only floor copies real headers, as it does in a mesh, and
 * the instrumented modes continue the mesh's trace (extract) instead of starting one.
 * x-b3-sampled is left out, which defers the decision to the service's own sampler, so
 * each mode's JAEGER_SAMPLER_* setting is what decides.
 */
function meshHeaders(): Record<string, string> {
  const ids = randomBytes(24).toString('hex');
  return {
    'x-request-id': randomUUID(),
    'x-b3-traceid': ids.slice(0, 32),
    'x-b3-spanid': ids.slice(32),
  };
}

export interface LoadResult {
  /** Completed requests per second over the run. */
  rps: number;
  /** Latency percentiles of successful requests, ms (measured per request, µs resolution). */
  p50: number;
  p99: number;
  /** Answers that completed (any status). */
  completed: number;
  /** Completed with 200 and the expected body. */
  ok: number;
  /** Socket errors, timeouts, non-2xx answers and wrong bodies. */
  errors: number;
  durationS: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

/**
 * autocannon's own latency histogram counts whole milliseconds, too coarse for loopback
 * latencies of a few ms; every successful response's time is kept here instead.
 */
class Latencies {
  private values = new Float64Array(1 << 16);
  private length = 0;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

export async function drive(url: string, options: LoadOptions): Promise<LoadResult> {
  const latencies = new Latencies();
  // every answer's body is checked: a mode that answers something else has not done the work
  let wrongBodies = 0;
  const request: autocannon.Request = {
    onResponse: (status: number, body: string) => {
      if (status === 200 && body !== EXPECTED_BODY) wrongBodies++;
    },
  };
  if (options.mesh)
    request.setupRequest = (built: autocannon.Request) => ({
      ...built,
      headers: { ...built.headers, ...meshHeaders() },
    });
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/sayHello/${NAME}`,
        connections: options.connections,
        duration: options.durationS,
        ...(options.amount ? { amount: options.amount } : {}),
        headers: { 'user-agent': USER_AGENT, ...options.headers },
        requests: [request],
        timeout: 10,
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.add(responseTime);
    });
  });
  const sorted = latencies.sorted();
  const completed = result.requests.total;
  const errors = result.errors + result.non2xx + wrongBodies;
  return {
    rps: completed / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    completed,
    ok: Math.max(0, result['2xx'] - wrongBodies),
    errors,
    durationS: result.duration,
  };
}
