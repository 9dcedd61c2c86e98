/** The tracer's counters on /metrics: each says what it counts, and none can only ever read 0. */
import { JaegerMetrics } from '../../src/tracing/jaeger/jaeger-client.js';
import { createServiceMetrics, REPORTER_RESULTS } from '../../src/metrics/metrics.js';

describe("jaeger-client's metrics, described", () => {
  it('every metric jaeger-client creates has a HELP text that is more than its name, or is left out', async () => {
    const metrics = createServiceMetrics('unit');
    // jaeger-client's facade creates all of its counters and its gauge up front
    expect(() => new JaegerMetrics(metrics.jaegerFactory)).not.toThrow();
    const text = await metrics.registry.metrics();
    const help = [...text.matchAll(/^# HELP (hello_app_jaeger:\S+) (.*)$/gm)].map(
      ([, name, says]) => [String(name), String(says)] as const,
    );
    expect(help.map(([name]) => name).sort()).toEqual([
      'hello_app_jaeger:baggage_truncations',
      'hello_app_jaeger:baggage_updates',
      'hello_app_jaeger:finished_spans',
      'hello_app_jaeger:reporter_spans',
      'hello_app_jaeger:started_spans',
      'hello_app_jaeger:traces',
    ]);
    for (const [name, text] of help) {
      expect(text).not.toBe(name.replace('hello_app_', ''));
      expect(text).toMatch(/ /);
    }
    // what this project never moves (remote sampler and throttler, jaeger-client's codecs
    // and queue) is not shown as a permanent 0
    expect(text).not.toMatch(/sampler_|throttle|decoding_errors|queue_length/);
  });

  it('reporter_spans HELP names every result label and what it promises', async () => {
    const metrics = createServiceMetrics('unit');
    const text = await metrics.registry.metrics();
    const help = /^# HELP hello_app_jaeger:reporter_spans (.*)$/m.exec(text)?.[1];
    expect(Object.keys(REPORTER_RESULTS)).toEqual(['sent', 'acknowledged', 'err', 'dropped']);
    for (const result of Object.keys(REPORTER_RESULTS))
      expect(help).toContain(`result="${result}"`);
    expect(help).toContain('UDP has no acknowledgement');
  });
});
