/** JAEGER_SAMPLER_* with JAEGER_SAMPLER_TYPE=remote: jaeger-client's own variable names. */
import { ConfigError, loadConfig } from '../../src/config.js';
import { describeSampling } from '../../src/tracing/jaeger/tracer.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ app_name: 'hello', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('remote sampling configuration', () => {
  it("defaults: Jaeger's sampling port on localhost, a minute between queries, probability 1 until then", () => {
    const { jaeger } = loadConfig({ app_name: 'hello', JAEGER_SAMPLER_TYPE: 'remote' });
    expect(jaeger).toMatchObject({
      samplerType: 'remote',
      samplerParam: 1,
      samplerManager: { host: 'localhost', port: 5778 },
      samplerRefreshIntervalMs: 60_000,
    });
    expect(describeSampling(jaeger)).toBe(
      'remote: strategies from localhost:5778 every 60000 ms, probability 1 until the first arrives',
    );
  });

  it.each([
    ['jaeger-collector.istio-system:5778', 'jaeger-collector.istio-system', 5778],
    ['http://127.0.0.6:5778', '127.0.0.6', 5778],
    ['[::1]:15778', '::1', 15778],
  ])('reads JAEGER_SAMPLER_MANAGER_HOST_PORT=%s', (value, host, port) => {
    const { jaeger } = loadConfig({
      app_name: 'hello',
      JAEGER_SAMPLER_TYPE: 'REMOTE',
      JAEGER_SAMPLER_MANAGER_HOST_PORT: value,
      JAEGER_SAMPLER_REFRESH_INTERVAL: '5000',
      JAEGER_SAMPLER_PARAM: '0.001',
    });
    expect(jaeger).toMatchObject({
      samplerManager: { host, port },
      samplerRefreshIntervalMs: 5000,
      samplerParam: 0.001,
    });
  });

  it('refuses what cannot work, naming the variable and what it takes', () => {
    expect(
      problemsOf({
        JAEGER_SAMPLER_TYPE: 'remote',
        JAEGER_SAMPLER_PARAM: '2',
        JAEGER_SAMPLER_MANAGER_HOST_PORT: 'jaeger-collector',
        JAEGER_SAMPLER_REFRESH_INTERVAL: '10',
      }),
    ).toEqual([
      'JAEGER_SAMPLER_PARAM must be between 0 and 1 for remote (the sampling probability until the first strategy arrives) (got 2)',
      'JAEGER_SAMPLER_MANAGER_HOST_PORT="jaeger-collector" must be host:port, e.g. jaeger-collector:5778',
      'JAEGER_SAMPLER_REFRESH_INTERVAL="10" must be an integer from 100 to 86400000',
    ]);
    expect(problemsOf({ JAEGER_SAMPLER_MANAGER_HOST_PORT: 'jaeger:99999' })).toHaveLength(1);
    expect(problemsOf({ JAEGER_SAMPLER_TYPE: 'adaptive' })).toEqual([
      'JAEGER_SAMPLER_TYPE="adaptive" is not valid; choose one of: const, probabilistic, ratelimiting, remote',
    ]);
  });
});
