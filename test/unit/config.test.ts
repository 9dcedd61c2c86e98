import { ConfigError, loadConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { tracingShapeOf } from '../../src/tracing/index.js';

const isInstrumented = (config: Config) => tracingShapeOf(config) === 'instrumented';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('has the defaults of the original image and the demo', () => {
    const config = loadConfig({ app_name: 'hello' });
    expect(config).toMatchObject({
      appName: 'hello',
      port: 8080,
      formatterHost: 'formatter',
      formatterPort: 8080,
      professor: false,
      formatterTimeoutMs: 2000,
      tracingMode: 'instrumented',
    });
    expect(config.jaeger).toMatchObject({
      agentHost: 'localhost',
      agentPort: 6832,
      samplerType: 'const',
      samplerParam: 1,
      propagation: ['b3'],
      disabled: false,
      logSpans: false,
    });
    expect(isInstrumented(config)).toBe(true);
  });

  it('accepts upper-case aliases of the original lower-case names', () => {
    const config = loadConfig({
      APP_NAME: 'formatter',
      PROFESSOR: 'true',
      FORMATTER_HOST: 'fmt',
      FORMATTER_PORT: '9000',
    });
    expect(config).toMatchObject({
      appName: 'formatter',
      professor: true,
      formatterHost: 'fmt',
      formatterPort: 9000,
    });
  });

  it('app_name=all calls its own formatter on PORT+1 and logs spans to the console', () => {
    const config = loadConfig({ app_name: 'all', PORT: '3000' });
    expect(config).toMatchObject({ formatterHost: '127.0.0.1', formatterPort: 3001 });
    expect(config.jaeger.logSpans).toBe(true);
  });

  it('an unset or unknown app_name is an error listing the choices', () => {
    expect(problemsOf({})).toEqual(['app_name is required; choose one of: hello, formatter, all']);
    expect(problemsOf({ app_name: 'greeter' })).toEqual([
      'app_name="greeter" is not valid; choose one of: hello, formatter, all',
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      app_name: 'hello',
      PORT: 'eighty',
      professor: 'maybe',
      TRACING_MODE: 'zipkin',
      JAEGER_PROPAGATION: 'b3,xray',
      JAEGER_SAMPLER_TYPE: 'const',
      JAEGER_SAMPLER_PARAM: '0.5',
      JAEGER_ENDPOINT: 'not a url',
      FORMATTER_TIMEOUT_MS: '-1',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/PORT="eighty"/);
    expect(problems.join('\n')).toMatch(
      /JAEGER_PROPAGATION "xray" is not known; use a comma list of: b3, w3c, jaeger/,
    );
    expect(problems.join('\n')).toMatch(/must be 0 or 1 for const/);
  });

  it("refuses the agent's compact port 6831 (jaeger-client speaks Thrift binary: 6832)", () => {
    expect(problemsOf({ app_name: 'hello', JAEGER_AGENT_PORT: '6831' })[0]).toMatch(/6832/);
  });

  it('parses JAEGER_PROPAGATION, JAEGER_TAGS (with ${ENV:default}) and the headers-only switches', () => {
    const config = loadConfig({
      app_name: 'hello',
      JAEGER_PROPAGATION: ' W3C , b3,w3c',
      JAEGER_TAGS: 'cluster=dev,pod=${POD_NAME:unknown},zone=${ZONE}',
      ZONE: 'eu-1',
    });
    expect(config.jaeger.propagation).toEqual(['w3c', 'b3']);
    expect(config.jaeger.tags).toEqual({ cluster: 'dev', pod: 'unknown', zone: 'eu-1' });
    expect(isInstrumented(loadConfig({ app_name: 'hello', TRACING_MODE: 'headers-only' }))).toBe(
      false,
    );
    expect(isInstrumented(loadConfig({ app_name: 'hello', JAEGER_DISABLED: 'true' }))).toBe(false);
    // the old name of the instrumented shape is still accepted
    expect(loadConfig({ app_name: 'hello', TRACING_MODE: 'opentracing' }).tracingMode).toBe(
      'instrumented',
    );
  });
});
