/**
 * Remote sampling strategies as Jaeger answers them, read into what jaeger-client's
 * RemoteControlledSampler applies. The answers below are what the Jaeger v2 of
 * scripts/jaeger.sh (scripts/jaeger-config.yaml with a strategies file) served on 5778.
 */
import { RemoteControlledSampler, Tracer } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerLogger, Reporter, Sampler } from '../../src/tracing/jaeger/jaeger-client.js';
import { RemoteSampler } from '../../src/tracing/jaeger/remote-sampler.js';
import {
  MalformedStrategyError,
  describeStrategy,
  readStrategy,
} from '../../src/tracing/jaeger/sampling-strategy.js';

/** Jaeger v2's answers, verbatim. */
const V2 = {
  probabilistic: '{"strategyType":0,"probabilisticSampling":{"samplingRate":0.5}}',
  rateLimiting: '{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":3}}',
  perOperation:
    '{"strategyType":0,"probabilisticSampling":{"samplingRate":0},"operationSampling":{"defaultSamplingProbability":0,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"GET /sayHello/:name","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}',
};

class RecordingLogger implements JaegerLogger {
  readonly errors: string[] = [];
  info(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

const noReporter: Reporter = {
  report: () => undefined,
  close: (callback) => callback?.(),
  setProcess: () => undefined,
};

/** A RemoteSampler that never queries by itself: the test hands it the answers. */
function idleSampler(logger = new RecordingLogger(), changes: string[] = []): RemoteSampler {
  return new RemoteSampler({
    serviceName: 'hello',
    host: '127.0.0.1',
    port: 1,
    refreshIntervalMs: 3_600_000,
    initialProbability: 1,
    logger,
    onStrategyChange: (description) => changes.push(description),
  });
}

/** Which of the operations a fresh trace of each would sample, with this sampler. */
function sampledOperations(sampler: Sampler, operations: string[], times = 20): string[] {
  const tracer = new Tracer('hello', noReporter, sampler, {});
  return operations.filter((operation) =>
    Array.from({ length: times }, () => tracer.startSpan(operation)).every((span) => {
      const sampled = (span.context() as unknown as { isSampled(): boolean }).isSampled();
      span.finish();
      return sampled;
    }),
  );
}

describe('readStrategy', () => {
  it("reads Jaeger v2's numeric strategyType: 0 probabilistic, 1 rate limiting", () => {
    expect(readStrategy(JSON.parse(V2.probabilistic))).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.5 },
    });
    expect(readStrategy(JSON.parse(V2.rateLimiting))).toEqual({
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 3 },
    });
  });

  it('reads the names jaeger-client expects (Jaeger v1 agents) as they are', () => {
    for (const strategyType of ['PROBABILISTIC', 'probabilistic']) {
      expect(readStrategy({ strategyType, probabilisticSampling: { samplingRate: 0.25 } })).toEqual(
        { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.25 } },
      );
    }
    expect(
      readStrategy({
        strategyType: 'RATE_LIMITING',
        rateLimitingSampling: { maxTracesPerSecond: 7 },
      }),
    ).toEqual({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 7 } });
  });

  it('reads a per-operation strategy, with its default for other operations', () => {
    const strategy = readStrategy(JSON.parse(V2.perOperation));
    expect(strategy.operationSampling).toEqual({
      defaultSamplingProbability: 0,
      defaultLowerBoundTracesPerSecond: 0,
      defaultUpperBoundTracesPerSecond: 0,
      perOperationStrategies: [
        { operation: 'GET /sayHello/:name', probabilisticSampling: { samplingRate: 1 } },
      ],
    });
    expect(describeStrategy(strategy)).toBe(
      'per operation: "GET /sayHello/:name" 1; other operations 0, at least 0/s each',
    );
  });

  it("fills in the zeros protobuf's JSON may leave out (type 0, rate 0, lower bound 0)", () => {
    expect(readStrategy({ probabilisticSampling: {} })).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0 },
    });
    expect(readStrategy({ rateLimitingSampling: { maxTracesPerSecond: 2 } }).strategyType).toBe(
      'RATE_LIMITING',
    );
    expect(
      readStrategy({
        operationSampling: {
          perOperationStrategies: [{ operation: 'a', probabilisticSampling: {} }],
        },
      }).operationSampling,
    ).toEqual({
      defaultSamplingProbability: 0,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [{ operation: 'a', probabilisticSampling: { samplingRate: 0 } }],
    });
  });

  it.each([
    ['not an object', [1, 2]],
    ['an unknown type', { strategyType: 7, probabilisticSampling: { samplingRate: 1 } }],
    ['a type without its strategy (say {})', {}],
    ['a probability over 1', { strategyType: 0, probabilisticSampling: { samplingRate: 1.5 } }],
    ['a negative rate', { strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: -1 } }],
    ['a rate that is a string', { strategyType: 0, probabilisticSampling: { samplingRate: '1' } }],
    [
      'an operation without a name',
      { operationSampling: { perOperationStrategies: [{ probabilisticSampling: {} }] } },
    ],
  ])('refuses %s, saying what is wrong', (_what, answer) => {
    expect(() => readStrategy(answer)).toThrow(MalformedStrategyError);
  });
});

describe("jaeger-client's RemoteControlledSampler with these answers", () => {
  it("on its own, rejects Jaeger v2's plain answer as malformed (why readStrategy exists)", () => {
    const logger = new RecordingLogger();
    // refreshInterval 0: it never queries by itself
    const stock = new RemoteControlledSampler('hello', { refreshInterval: 0, logger });
    stock._handleSamplingServerResponse(V2.probabilistic);
    expect(logger.errors).toEqual([expect.stringMatching(/^Error in updating sampler: Malformed/)]);
    stock.close();
  });

  it.each([
    [V2.probabilistic, 'ProbabilisticSampler(samplingRate=0.5)', 'probabilistic: 0.5'],
    [V2.rateLimiting, 'RateLimitingSampler(maxTracesPerSecond=3)', 'rate limiting: 3 traces/s'],
  ])('applies %s', (body, sampler, description) => {
    const logger = new RecordingLogger();
    const changes: string[] = [];
    const remote = idleSampler(logger, changes);
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=1)'); // JAEGER_SAMPLER_PARAM
    remote._handleSamplingServerResponse(body);
    expect(remote.current).toBe(sampler);
    expect(changes).toEqual([description]);
    // the same answer again changes nothing and says nothing
    remote._handleSamplingServerResponse(body);
    expect(changes).toHaveLength(1);
    expect(logger.errors).toEqual([]);
    remote.close();
  });

  it('samples per operation: one traced, the others by the default (0: not at all)', () => {
    const remote = idleSampler();
    remote._handleSamplingServerResponse(V2.perOperation);
    expect(remote.current).toBe('PerOperationSampler(maxOperations=2000)');
    expect(
      sampledOperations(remote, ['GET /sayHello/:name', 'GET /sayHello2/:name', 'other']),
    ).toEqual(['GET /sayHello/:name']);
    remote.close();
  });

  it('keeps the strategy it has when an answer is malformed, and says why', () => {
    const logger = new RecordingLogger();
    const remote = idleSampler(logger);
    remote._handleSamplingServerResponse(V2.probabilistic);
    remote._handleSamplingServerResponse('{"strategyType":9}');
    remote._handleSamplingServerResponse('<html>not json</html>');
    expect(remote.current).toBe('ProbabilisticSampler(samplingRate=0.5)');
    expect(logger.errors).toEqual([
      expect.stringMatching(/^Error in updating sampler: MalformedStrategyError: strategyType 9/),
      expect.stringMatching(/^Error in parsing sampling strategy/),
    ]);
    remote.close();
  });
});
