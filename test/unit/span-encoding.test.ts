/**
 * The span encoder writes Thrift by hand (for speed), so every byte is checked here
 * against the reference: thriftrw, with the jaeger.thrift and agent.thrift IDLs that ship
 * in jaeger-client, decoding what we wrote and what jaeger-client's own conversion writes.
 */
import { createRequire } from 'node:module';
import { ConstSampler, Tracer } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerSpan, Reporter, SpanTag } from '../../src/tracing/jaeger/jaeger-client.js';
import {
  agentBatchFraming,
  batchBytes,
  collectorBatchFraming,
  encodeSpan,
  frameBatch,
} from '../../src/tracing/jaeger/reporting/span-encoding.js';
import { ThriftWriter } from '../../src/tracing/jaeger/reporting/thrift-writer.js';
import type { ThriftBatch, ThriftSpan, ThriftTag } from '../helpers/thrift-collector.js';

const require = createRequire(import.meta.url);

interface StructType<T> {
  new (value: unknown): object;
  fromBuffer(buffer: Buffer): T;
  rw: { toBuffer(value: object): { err: Error | null; value: Buffer } };
}
interface JaegerModel {
  Span: StructType<ThriftSpan>;
  Batch: StructType<ThriftBatch>;
}
interface AgentModel {
  Agent: {
    emitBatch: {
      argumentsMessageRW: {
        readFrom(
          buffer: Buffer,
          offset: number,
        ): { err: Error | null; offset: number; value: { body: { batch: ThriftBatch } } };
      };
    };
  };
}

const { Thrift } = require('thriftrw') as { Thrift: new (options: object) => unknown };
const thriftUtils = (
  require('jaeger-client/dist/src/thrift.js') as {
    default: {
      loadJaegerThriftDefinition(): string;
      buildAgentThriftPath(): string;
      spanToThrift(span: JaegerSpan): object;
    };
  }
).default;
const jaegerModel = new Thrift({
  source: thriftUtils.loadJaegerThriftDefinition(),
  allowOptionalArguments: true,
}) as JaegerModel;
const agentModel = new Thrift({
  entryPoint: thriftUtils.buildAgentThriftPath(),
  allowFilesystemAccess: true,
  allowOptionalArguments: true,
}) as AgentModel;

/** A tag as Jaeger reads it: the field its vType names, nothing else. */
function tagValue(tag: ThriftTag): unknown {
  switch (tag.vType) {
    case 'DOUBLE':
      return tag.vDouble;
    case 'BOOL':
      return tag.vBool;
    case 'BINARY':
      return Buffer.from(tag.vBinary ?? []).toString('hex');
    default:
      return tag.vStr;
  }
}
const tags = (list: ThriftTag[] | null) =>
  (list ?? []).map((tag) => [tag.key, tag.vType, tagValue(tag)]);
const hex = (buffer: Buffer) => Buffer.from(buffer).toString('hex');

/** What Jaeger takes from a decoded span, in comparable form. */
function meaning(span: ThriftSpan) {
  return {
    traceIdLow: hex(span.traceIdLow),
    traceIdHigh: hex(span.traceIdHigh),
    spanId: hex(span.spanId),
    parentSpanId: hex(span.parentSpanId),
    operationName: span.operationName,
    references: (span.references ?? []).map((ref) => ({
      refType: ref.refType,
      traceIdLow: hex(ref.traceIdLow),
      traceIdHigh: hex(ref.traceIdHigh),
      spanId: hex(ref.spanId),
    })),
    flags: span.flags,
    startTime: hex(span.startTime),
    duration: hex(span.duration),
    tags: tags(span.tags),
    logs: (span.logs ?? []).map((log) => ({
      timestamp: hex(log.timestamp),
      fields: tags(log.fields),
    })),
  };
}

/** jaeger-client's own path: spanToThrift, then thriftrw. */
function referenceEncoding(span: JaegerSpan): Buffer {
  const encoded = jaegerModel.Span.rw.toBuffer(
    new jaegerModel.Span(thriftUtils.spanToThrift(span)),
  );
  if (encoded.err) throw encoded.err;
  return encoded.value;
}

function recordingTracer(options: { traceId128bit: boolean; sampled?: boolean }) {
  const finished: JaegerSpan[] = [];
  const process: { serviceName?: string; tags?: SpanTag[] } = {};
  const reporter: Reporter = {
    report: (span) => finished.push(span),
    close: (callback) => callback?.(),
    setProcess: (serviceName, processTags) =>
      Object.assign(process, { serviceName, tags: processTags }),
  };
  const tracer = new Tracer('encoder-test', reporter, new ConstSampler(options.sampled ?? true), {
    traceId128bit: options.traceId128bit,
    tags: { 'deploy.zone': 'zone-ü', 'shard.count': 3 },
  });
  return { tracer, finished, process };
}

function spansOfEveryShape(traceId128bit: boolean): JaegerSpan[] {
  const { tracer, finished } = recordingTracer({ traceId128bit });
  const root = tracer.startSpan('GET /sayHello/:name', {
    tags: { 'span.kind': 'server', 'http.method': 'GET', 'http.url': '/sayHello/Bender' },
  });
  root.setTag('http.status_code', 200);
  root.setTag('error', false);
  root.setTag('ratio', -1.25);
  root.setTag('big', 2 ** 53 - 1);
  root.setTag('object', { nested: ['a', 1] });
  root.setTag('nothing', undefined);
  root.setTag('null', null);
  root.setTag('bytes', Buffer.from([0, 1, 254, 255]));
  root.setTag('unicode 🚀', 'ünïcødé ✓ 日本');
  root.setTag('empty', '');
  root.setTag('k'.repeat(64), 'v'.repeat(65)); // either side of the writer's ASCII fast path
  root.setTag('ascii then ü', `${'a'.repeat(40)}ü`);
  root.log({ event: 'greeting received', value: 'Hello, Bender!', attempt: 2 });
  root.log({ event: 'long', text: 'x'.repeat(10_000) }, Date.now() + 0.999);
  const child = tracer.startSpan('formatter.format 📝', { childOf: root });
  child.finish();
  const follower = tracer.startSpan('async follow-up', {
    references: [{ type: () => 'follows_from', referencedContext: () => root.context() } as never],
  });
  follower.finish(Date.now() + 1.5);
  root.finish();
  return finished;
}

describe.each([true, false])('encodeSpan (128-bit trace ids: %s)', (traceId128bit) => {
  const spans = spansOfEveryShape(traceId128bit);

  it('means exactly what jaeger-client would have sent, field by field', () => {
    expect(spans).toHaveLength(3);
    const writer = new ThriftWriter();
    for (const span of spans) {
      const ours = jaegerModel.Span.fromBuffer(encodeSpan(writer, span));
      const theirs = jaegerModel.Span.fromBuffer(referenceEncoding(span));
      expect(meaning(ours)).toEqual(meaning(theirs));
    }
  });

  it('keeps the ids, the parent and the references a trace view is built from', () => {
    const [child, follower, root] = spans.map((span) =>
      meaning(jaegerModel.Span.fromBuffer(encodeSpan(new ThriftWriter(), span))),
    );
    const rootContext = (spans[2] as JaegerSpan).context();
    expect(root?.traceIdHigh + (root?.traceIdLow ?? '')).toBe(
      (traceId128bit ? '' : '0000000000000000') + hex(rootContext.traceId as Buffer),
    );
    expect(root?.parentSpanId).toBe('0000000000000000');
    expect(child?.parentSpanId).toBe(root?.spanId);
    expect(child?.references).toEqual([]); // jaeger-client: childOf is the parent id alone
    expect(follower?.references).toEqual([
      expect.objectContaining({ refType: 'FOLLOWS_FROM', spanId: root?.spanId }),
    ]);
    expect(root?.flags).toBe(1);
  });

  it('reuses its buffer without one span leaking into the next', () => {
    const writer = new ThriftWriter();
    const long = encodeSpan(writer, spans[2] as JaegerSpan); // the root: a 10 kB log field
    const short = encodeSpan(writer, spans[0] as JaegerSpan);
    expect(short.length).toBeLessThan(long.length);
    expect(meaning(jaegerModel.Span.fromBuffer(short)).operationName).toBe('formatter.format 📝');
  });
});

describe('batch framing', () => {
  const { tracer, finished, process } = recordingTracer({ traceId128bit: true });
  for (let i = 0; i < 5; i++) tracer.startSpan(`op-${i}`).finish();
  const writer = new ThriftWriter();
  const encoded = finished.map((span) => encodeSpan(writer, span));
  const serviceName = process.serviceName as string;
  const processTags = process.tags as SpanTag[];

  it('a collector body is one Batch: the process, its tags, and every span', () => {
    const framing = collectorBatchFraming(serviceName, processTags);
    const body = frameBatch(framing, encoded);
    expect(body.length).toBe(
      batchBytes(
        framing,
        encoded.reduce((n, s) => n + s.length, 0),
      ),
    );
    const batch = jaegerModel.Batch.fromBuffer(body);
    expect(batch.process.serviceName).toBe('encoder-test');
    expect(Object.fromEntries(tags(batch.process.tags).map(([k, , v]) => [k, v]))).toMatchObject({
      'deploy.zone': 'zone-ü',
      'shard.count': 3,
      'jaeger.version': expect.stringMatching(/^Node-/),
    });
    expect(batch.spans.map((span) => span.operationName)).toEqual([
      'op-0',
      'op-1',
      'op-2',
      'op-3',
      'op-4',
    ]);
  });

  it('an agent packet is an Agent.emitBatch message the agent can read to its last byte', () => {
    const framing = agentBatchFraming(serviceName, processTags);
    const packet = frameBatch(framing, encoded);
    const read = agentModel.Agent.emitBatch.argumentsMessageRW.readFrom(packet, 0);
    expect(read.err).toBeNull();
    expect(read.offset).toBe(packet.length);
    expect(read.value.body.batch.process.serviceName).toBe('encoder-test');
    expect(read.value.body.batch.spans).toHaveLength(5);
  });

  it('an empty batch is still well formed', () => {
    const batch = jaegerModel.Batch.fromBuffer(
      frameBatch(collectorBatchFraming(serviceName, []), []),
    );
    expect(batch.spans).toEqual([]);
  });
});
