/**
 * Reads a sampling strategy as Jaeger's remote sampling endpoint (port 5778) answers it,
 * into the shape jaeger-client's RemoteControlledSampler accepts.
 *
 * Jaeger v2 writes the api_v2 `SamplingStrategyResponse` with `strategyType` as the
 * enum's *number* (0 probabilistic, 1 rate limiting), where jaeger-client for Node
 * compares it with the names "PROBABILISTIC" and "RATE_LIMITING" and rejects anything
 * else as malformed. Protobuf's JSON also may leave out fields at their zero value (a
 * type of 0, a rate of 0), which jaeger-client would read as undefined. This reads
 * numbers and names alike, fills in the zeros, and refuses what no sampler can use.
 */
import type { PerOperationSamplingStrategies, SamplingStrategyResponse } from './jaeger-client.js';

/** api_v2 SamplingStrategyType, by number and by name. */
const STRATEGY_TYPES: Readonly<Record<string, SamplingStrategyResponse['strategyType']>> = {
  '0': 'PROBABILISTIC',
  '1': 'RATE_LIMITING',
  PROBABILISTIC: 'PROBABILISTIC',
  RATE_LIMITING: 'RATE_LIMITING',
};

export class MalformedStrategyError extends Error {
  override readonly name = 'MalformedStrategyError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function object(parent: Json, key: string, where: string): Json | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new MalformedStrategyError(`${where}${key} is not an object`);
  return value;
}

/** A number field; protobuf's JSON leaves out a 0. */
function number(parent: Json, key: string, where: string, max = Infinity): number {
  const value = parent[key] ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max)
    throw new MalformedStrategyError(
      `${where}${key} is ${JSON.stringify(value)}, not a number from 0 to ${max}`,
    );
  return value;
}

function probability(parent: Json, where: string): { samplingRate: number } {
  const sampling = object(parent, 'probabilisticSampling', where) ?? {};
  return { samplingRate: number(sampling, 'samplingRate', `${where}probabilisticSampling.`, 1) };
}

function operations(sampling: Json): PerOperationSamplingStrategies {
  const where = 'operationSampling.';
  const list = sampling['perOperationStrategies'] ?? [];
  if (!Array.isArray(list))
    throw new MalformedStrategyError(`${where}perOperationStrategies is not a list`);
  const result: PerOperationSamplingStrategies = {
    defaultSamplingProbability: number(sampling, 'defaultSamplingProbability', where, 1),
    defaultLowerBoundTracesPerSecond: number(sampling, 'defaultLowerBoundTracesPerSecond', where),
    perOperationStrategies: list.map((item: unknown, index) => {
      const at = `${where}perOperationStrategies[${index}].`;
      if (!isObject(item) || typeof item['operation'] !== 'string')
        throw new MalformedStrategyError(`${at}operation is not a string`);
      return { operation: item['operation'], probabilisticSampling: probability(item, at) };
    }),
  };
  if (sampling['defaultUpperBoundTracesPerSecond'] !== undefined)
    result.defaultUpperBoundTracesPerSecond = number(
      sampling,
      'defaultUpperBoundTracesPerSecond',
      where,
    );
  return result;
}

function strategyTypeOf(answer: Json): SamplingStrategyResponse['strategyType'] {
  const raw = answer['strategyType'];
  // 0 (probabilistic) is protobuf's default, so a JSON writer may leave the type out
  if (raw === undefined || raw === null)
    return answer['rateLimitingSampling'] != null && answer['probabilisticSampling'] == null
      ? 'RATE_LIMITING'
      : 'PROBABILISTIC';
  const type =
    typeof raw === 'number' || typeof raw === 'string'
      ? STRATEGY_TYPES[String(raw).toUpperCase()]
      : undefined;
  if (!type)
    throw new MalformedStrategyError(
      `strategyType ${JSON.stringify(raw)} is not known (0 or "PROBABILISTIC", 1 or "RATE_LIMITING")`,
    );
  return type;
}

/**
 * The strategy jaeger-client can apply, from an answer of Jaeger v1 or v2 (already
 * parsed from JSON). Throws MalformedStrategyError, saying what is wrong, otherwise: an
 * answer without the strategy its type names (say `{}`) is refused, not read as "0".
 */
export function readStrategy(answer: unknown): SamplingStrategyResponse {
  if (!isObject(answer)) throw new MalformedStrategyError('the answer is not a JSON object');
  const strategyType = strategyTypeOf(answer);
  const strategy: SamplingStrategyResponse = { strategyType };
  const perOperation = object(answer, 'operationSampling', '');
  if (perOperation) strategy.operationSampling = operations(perOperation);
  const field = strategyType === 'PROBABILISTIC' ? 'probabilisticSampling' : 'rateLimitingSampling';
  const own = object(answer, field, '');
  if (!own) {
    // jaeger-client applies operationSampling first; without it, the type's own is needed
    if (perOperation) return strategy;
    throw new MalformedStrategyError(`strategyType ${strategyType} without ${field}`);
  }
  if (strategyType === 'PROBABILISTIC') strategy.probabilisticSampling = probability(answer, '');
  else
    strategy.rateLimitingSampling = {
      maxTracesPerSecond: number(own, 'maxTracesPerSecond', `${field}.`),
    };
  return strategy;
}

/** One line for the log: what the strategy does. */
export function describeStrategy(strategy: SamplingStrategyResponse): string {
  const sampling = strategy.operationSampling;
  if (sampling) {
    const each = sampling.perOperationStrategies
      .map((s) => `"${s.operation}" ${s.probabilisticSampling.samplingRate}`)
      .join(', ');
    return `per operation: ${each || 'none'}; other operations ${sampling.defaultSamplingProbability}, at least ${sampling.defaultLowerBoundTracesPerSecond}/s each`;
  }
  return strategy.strategyType === 'RATE_LIMITING'
    ? `rate limiting: ${strategy.rateLimitingSampling?.maxTracesPerSecond ?? 0} traces/s`
    : `probabilistic: ${strategy.probabilisticSampling?.samplingRate ?? 0}`;
}
