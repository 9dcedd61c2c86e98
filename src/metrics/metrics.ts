import { createRequire } from 'node:module';
import client from 'prom-client';
import type { Counter, Histogram } from 'prom-client';

const require = createRequire(import.meta.url);

/** jaeger-client's own Prometheus adapter (counters for spans started/finished/reported/dropped). */
type JaegerMetricsFactory = object;
const { PrometheusMetricsFactory } = require('jaeger-client') as {
  PrometheusMetricsFactory: new (promClient: object, namespace: string) => JaegerMetricsFactory;
};

/**
 * A service's counters, in a registry of its own (two services share a process with
 * app_name=all, and tests start many): RED metrics per route and status, baggage the
 * policy dropped or truncated, and jaeger-client's tracer and reporter counters.
 */
export interface ServiceMetrics {
  readonly registry: client.Registry;
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route' | 'method' | 'status'>;
  readonly baggageDropped: Counter<'reason'>;
  readonly baggageTruncated: Counter;
  readonly jaegerFactory: JaegerMetricsFactory;
}

/** prom-client's classes, bound to one registry, for jaeger-client's factory to construct. */
function boundTo(registry: client.Registry): object {
  class Counter extends client.Counter {
    constructor(config: client.CounterConfiguration<string>) {
      super({ ...config, registers: [registry] });
    }
  }
  class Gauge extends client.Gauge {
    constructor(config: client.GaugeConfiguration<string>) {
      super({ ...config, registers: [registry] });
    }
  }
  return { Counter, Gauge };
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  const registers = [registry];
  return {
    registry,
    requests: new client.Counter({
      name: 'http_server_requests_total',
      help: 'Requests answered, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    duration: new client.Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Time to answer, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    baggageDropped: new client.Counter({
      name: 'baggage_items_dropped_total',
      help: 'Inbound or outbound baggage items dropped (not on BAGGAGE_ALLOWLIST, or past the per-request total)',
      labelNames: ['reason'],
      registers,
    }),
    baggageTruncated: new client.Counter({
      name: 'baggage_items_truncated_total',
      help: 'Baggage values cut to BAGGAGE_MAX_VALUE_BYTES',
      registers,
    }),
    jaegerFactory: new PrometheusMetricsFactory(boundTo(registry), 'hello_app'),
  };
}

/** Sum of a counter's values, optionally of the series whose labels match. */
export async function counterTotal(
  registry: client.Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
