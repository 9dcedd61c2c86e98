import client from 'prom-client';
import type { Counter, Histogram } from 'prom-client';

/**
 * What became of spans, as /metrics counts them (hello_app_jaeger:reporter_spans{result}):
 * `sent` handed to the UDP socket (a Jaeger agent never answers, so that is all UDP can
 * know), `acknowledged` the collector answered the HTTP POST with 2xx, `err` the send
 * failed, `dropped` never sent. The names are documented in README ("Hardening").
 */
export type SpanReportResult = 'sent' | 'acknowledged' | 'err' | 'dropped';

/**
 * What reporter_spans{result} means, label by label. The labels are part of the /metrics
 * contract (README, "Hardening"): keep them stable. UDP and HTTP count success under
 * different labels because they promise different things: a Jaeger agent never answers,
 * so a UDP packet is "sent" (to an agent that may not be there); a collector answers each
 * POST, so an HTTP batch is "acknowledged".
 */
export const REPORTER_RESULTS: Readonly<Record<SpanReportResult, string>> = {
  sent: 'handed to the UDP socket for the agent (UDP has no acknowledgement: sent, not known to be delivered)',
  acknowledged: 'the collector answered the HTTP POST with 2xx',
  err: 'the send failed (UDP send error, HTTP error, non-2xx answer or timeout)',
  dropped:
    'never sent (too big for a UDP packet, HTTP queue full, not encodable, or reporter closed)',
};

export const REPORTER_SPANS_HELP = `Finished sampled spans by what became of them: ${Object.entries(
  REPORTER_RESULTS,
)
  .map(([result, meaning]) => `result="${result}" ${meaning}`)
  .join('; ')}`;

/**
 * jaeger-client's tracer counters, as its metrics facade names them, with what each counts
 * here. jaeger-client's own Prometheus factory uses the name as the HELP text; and some of
 * its metrics cannot move in this project (their code is replaced or not used): those are
 * left off /metrics rather than shown as a reassuring, permanent 0.
 */
type JaegerMetric = { help: string } | { omitted: string };
const JAEGER_METRICS: Readonly<Record<string, JaegerMetric>> = {
  'jaeger:traces': {
    help: 'Traces this service took part in: state="started" began a new trace (no usable inbound context), state="joined" continued an inbound one in a server span; sampled="y" or "n" is the sampling decision',
  },
  'jaeger:started_spans': {
    help: 'Spans started, by sampling decision (sampled="n" spans are never reported)',
  },
  'jaeger:finished_spans': {
    help: 'Sampled spans finished and handed to the reporter (reporter_spans says what became of them)',
  },
  'jaeger:baggage_updates': {
    help: 'setBaggageItem calls: result="ok" set, result="err" refused (key not on BAGGAGE_ALLOWLIST)',
  },
  'jaeger:baggage_truncations': {
    help: 'setBaggageItem values cut to BAGGAGE_MAX_VALUE_BYTES',
  },
  // this project's reporter counts these itself: it tells "sent" and "acknowledged" apart
  'jaeger:reporter_spans': { omitted: 'counted by src/tracing/jaeger/reporting (reporterSpans)' },
  'jaeger:reporter_queue_length': { omitted: "jaeger-client's RemoteReporter is not used" },
  'jaeger:span_context_decoding_errors': {
    omitted: "jaeger-client's codecs are replaced by src/tracing/propagation",
  },
  // only JAEGER_SAMPLER_TYPE=remote moves these; it logs each strategy change and failed query instead
  'jaeger:sampler_queries': { omitted: 'the remote sampler logs its queries' },
  'jaeger:sampler_updates': { omitted: 'the remote sampler logs its strategy changes' },
  'jaeger:throttled_debug_spans': { omitted: 'no remote throttler' },
  'jaeger:throttler_updates': { omitted: 'no remote throttler' },
};

/**
 * The metrics factory jaeger-client's facade (`new Metrics(factory)`) builds its counters
 * with: prom-client metrics in one service's registry, named `<namespace>_<name>`, with a
 * HELP text that says what they count.
 */
export class JaegerMetricsFactory {
  private readonly counters = new Map<string, client.Counter<string>>();

  constructor(
    private readonly registry: client.Registry,
    private readonly namespace: string,
  ) {}

  createCounter(
    name: string,
    labels: Record<string, string> = {},
  ): { increment(delta?: number): void } {
    const metric = JAEGER_METRICS[name];
    // a jaeger-client upgrade that adds a metric must describe it here first
    if (!metric) throw new Error(`jaeger-client metric ${name} has no description in src/metrics`);
    if ('omitted' in metric) return { increment: () => undefined };
    let counter = this.counters.get(name);
    if (!counter) {
      counter = new client.Counter({
        name: `${this.namespace}_${name}`,
        help: metric.help,
        labelNames: Object.keys(labels),
        registers: [this.registry],
      });
      this.counters.set(name, counter);
    }
    const target = counter;
    return { increment: (delta = 1) => target.inc(labels, delta) };
  }

  createGauge(name: string): { update(value: number): void } {
    const metric = JAEGER_METRICS[name];
    if (!metric) throw new Error(`jaeger-client metric ${name} has no description in src/metrics`);
    // jaeger-client's only gauge (reporter_queue_length) belongs to its RemoteReporter
    return { update: () => undefined };
  }
}

/**
 * A service's counters, in a registry of its own (two services share a process with
 * app_name=all, and tests start many): RED metrics per route and status, baggage the
 * policy dropped or truncated, the reporter's spans by result, and jaeger-client's tracer
 * counters.
 */
export interface ServiceMetrics {
  readonly registry: client.Registry;
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route' | 'method' | 'status'>;
  readonly baggageDropped: Counter<'reason'>;
  readonly baggageTruncated: Counter;
  readonly reporterSpans: Counter<'result'>;
  readonly jaegerFactory: JaegerMetricsFactory;
}

export const METRICS_NAMESPACE = 'hello_app';

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
    // the name jaeger-client gives it (dashboards know it); the labels say what "reported" means
    reporterSpans: new client.Counter({
      name: `${METRICS_NAMESPACE}_jaeger:reporter_spans`,
      help: REPORTER_SPANS_HELP,
      labelNames: ['result'],
      registers,
    }),
    jaegerFactory: new JaegerMetricsFactory(registry, METRICS_NAMESPACE),
  };
}

/** The values of a counter's series, by one label (only the series that exist). */
export async function counterByLabel(
  registry: client.Registry,
  name: string,
  label: string,
): Promise<Map<string, number>> {
  const metric = registry.getSingleMetric(name);
  const byLabel = new Map<string, number>();
  if (!metric) return byLabel;
  for (const { labels, value } of (await metric.get()).values) {
    const key = String(labels[label]);
    byLabel.set(key, (byLabel.get(key) ?? 0) + value);
  }
  return byLabel;
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
