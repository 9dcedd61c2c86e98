/**
 * The UDP path end to end in one process: jaeger-client's Tracer, the encoding reporter
 * and the UDP transport, sending to a socket that reads packets as the agent does.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { ConstSampler, Tracer } from '../../src/tracing/jaeger/jaeger-client.js';
import type { JaegerLogger } from '../../src/tracing/jaeger/jaeger-client.js';
import { EncodingReporter } from '../../src/tracing/jaeger/reporting/reporter.js';
import type { SpanReportCounter } from '../../src/tracing/jaeger/reporting/reporter.js';
import type { SpanReportResult } from '../../src/metrics/metrics.js';
import {
  MAX_PACKET_BYTES,
  UdpTransport,
} from '../../src/tracing/jaeger/reporting/udp-transport.js';

const require = createRequire(import.meta.url);

interface EmitBatchRW {
  readFrom(
    buffer: Buffer,
    offset: number,
  ): {
    err: Error | null;
    value: {
      body: { batch: { process: { serviceName: string }; spans: { operationName: string }[] } };
    };
  };
}
const { Thrift } = require('thriftrw') as { Thrift: new (options: object) => unknown };
const thriftUtils = (
  require('jaeger-client/dist/src/thrift.js') as { default: { buildAgentThriftPath(): string } }
).default;
const agent = new Thrift({
  entryPoint: thriftUtils.buildAgentThriftPath(),
  allowFilesystemAccess: true,
  allowOptionalArguments: true,
}) as { Agent: { emitBatch: { argumentsMessageRW: EmitBatchRW } } };

/** An agent: reads every packet as Agent.emitBatch and keeps the operation names. */
class AgentSocket {
  readonly operations: string[] = [];
  readonly packetSizes: number[] = [];
  readonly unreadable: string[] = [];
  private readonly socket: Socket = createSocket('udp4');

  async start(): Promise<number> {
    this.socket.on('message', (packet) => {
      this.packetSizes.push(packet.length);
      const read = agent.Agent.emitBatch.argumentsMessageRW.readFrom(packet, 0);
      if (read.err) this.unreadable.push(read.err.message);
      else for (const span of read.value.body.batch.spans) this.operations.push(span.operationName);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.socket.setRecvBufferSize(8 * 1024 * 1024);
    return (this.socket.address() as AddressInfo).port;
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.operations.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  close(): void {
    this.socket.close();
  }
}

/** reporter_spans{result} as the reporter counts it (UDP can only ever say "sent"). */
function countingMetrics() {
  const counts: Record<SpanReportResult, number> = { sent: 0, acknowledged: 0, err: 0, dropped: 0 };
  const count: SpanReportCounter = (result, spans) => {
    counts[result] += spans;
  };
  return { counts, count };
}

function tracerTo(port: number, host = '127.0.0.1') {
  const errors: string[] = [];
  const logger: JaegerLogger = { info: () => undefined, error: (m) => errors.push(m) };
  const { counts, count } = countingMetrics();
  const reporter = new EncodingReporter(
    (onDelivery) => new UdpTransport({ host, port, logger }, onDelivery),
    // only full packets and close() send
    {
      flushIntervalMs: 60_000,
      logger,
      count,
      closeTimeoutMs: 5000,
      onCloseDeadline: () => undefined,
    },
  );
  const tracer = new Tracer('udp-test', reporter, new ConstSampler(true), { traceId128bit: true });
  const close = () => new Promise<void>((resolve) => tracer.close(() => resolve()));
  return { tracer, counts, errors, close };
}

describe('UDP reporting', () => {
  let agentSocket: AgentSocket;
  let port: number;
  beforeEach(async () => {
    agentSocket = new AgentSocket();
    port = await agentSocket.start();
  });
  afterEach(() => agentSocket.close());

  it('a burst fills packet after packet and loses no span (jaeger-client UDPSender lost the overflowing one)', async () => {
    const { tracer, counts, close } = tracerTo(port);
    const burst = 800;
    for (let i = 0; i < burst; i++) {
      const span = tracer.startSpan(`op-${i}`, {
        tags: { 'http.url': `/sayHello/${'n'.repeat(200)}` },
      });
      span.log({ event: 'greeting received', value: `Hello ${i}` });
      span.finish();
    }
    await close();
    await agentSocket.waitFor(burst);
    expect(agentSocket.unreadable).toEqual([]);
    expect(agentSocket.operations).toEqual(Array.from({ length: burst }, (_, i) => `op-${i}`));
    expect(agentSocket.packetSizes.length).toBeGreaterThan(1); // it really did overflow packets
    expect(Math.max(...agentSocket.packetSizes)).toBeLessThanOrEqual(MAX_PACKET_BYTES);
    expect(counts).toEqual({ sent: burst, acknowledged: 0, err: 0, dropped: 0 });
  });

  it('a span too big for any packet is dropped and counted; the rest still go', async () => {
    const { tracer, counts, errors, close } = tracerTo(port);
    tracer.startSpan('small-before').finish();
    const huge = tracer.startSpan('huge');
    huge.log({ event: 'dump', payload: 'x'.repeat(70_000) });
    huge.finish();
    tracer.startSpan('small-after').finish();
    await close();
    await agentSocket.waitFor(2);
    expect(agentSocket.operations).toEqual(['small-before', 'small-after']);
    expect(counts).toEqual({ sent: 2, acknowledged: 0, err: 0, dropped: 1 });
    expect(errors.join('\n')).toMatch(/does not fit a UDP packet/);
  });

  it('an agent host that does not resolve fails the send, is counted, and never throws', async () => {
    const { tracer, counts, errors, close } = tracerTo(port, 'jaeger.does-not-exist.invalid');
    tracer.startSpan('lost').finish();
    await close();
    expect(counts).toEqual({ sent: 0, acknowledged: 0, err: 1, dropped: 0 });
    expect(errors.join('\n')).toMatch(/jaeger\.does-not-exist\.invalid/);
  });

  it('a tag JSON cannot encode drops that span only', async () => {
    const { tracer, counts, close } = tracerTo(port);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    tracer.startSpan('bad', { tags: { circular } }).finish();
    tracer.startSpan('good').finish();
    await close();
    await agentSocket.waitFor(1);
    expect(agentSocket.operations).toEqual(['good']);
    expect(counts).toEqual({ sent: 1, acknowledged: 0, err: 0, dropped: 1 });
  });
});
