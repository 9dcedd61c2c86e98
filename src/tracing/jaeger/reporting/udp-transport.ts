/**
 * Encoded spans to a Jaeger agent over UDP: Agent.emitBatch, Thrift binary (port 6832).
 * A packet is sent when the next span would not fit, and on every flush. Sizes are
 * exact (the spans are already bytes), so unlike jaeger-client's UDPSender no span is
 * lost when a burst overflows a packet.
 */
import { createSocket } from 'node:dgram';
import type { JaegerLogger, SpanTag } from '../jaeger-client.js';
import { agentBatchFraming, batchBytes, frameBatch } from './span-encoding.js';
import type { BatchFraming } from './span-encoding.js';
import type { DeliveryListener, SpanTransport } from './transport.js';

/** jaeger-client's limit: below the 65,507-byte UDP payload, with room to spare. */
export const MAX_PACKET_BYTES = 65_000;

export interface UdpTransportOptions {
  host: string;
  port: number;
  logger: JaegerLogger;
  maxPacketBytes?: number;
}

export class UdpTransport implements SpanTransport {
  /** The agent protocol has no answer: a packet the socket took is all UDP can count. */
  readonly delivered = 'sent';
  private readonly socket = createSocket('udp4');
  private readonly maxPacketBytes: number;
  private framing: BatchFraming | undefined;
  private spans: Buffer[] = [];
  private spanBytes = 0;
  private sending = 0;
  private closed = false;
  private readonly sends = new Set<Promise<void>>();

  constructor(
    private readonly options: UdpTransportOptions,
    private readonly onDelivery: DeliveryListener,
  ) {
    this.maxPacketBytes = options.maxPacketBytes ?? MAX_PACKET_BYTES;
    this.socket.on('error', (error) =>
      options.logger.error(`error sending spans over UDP: ${error.message}`),
    );
  }

  setProcess(serviceName: string, tags: readonly SpanTag[]): void {
    this.framing = agentBatchFraming(serviceName, tags);
  }

  append(span: Buffer): string | undefined {
    if (this.closed) return 'reporter closed';
    if (!this.framing) return 'no process set (the tracer sets it when it starts)';
    if (batchBytes(this.framing, span.length) > this.maxPacketBytes)
      return `span of ${span.length} bytes does not fit a UDP packet (${this.maxPacketBytes} bytes)`;
    if (batchBytes(this.framing, this.spanBytes + span.length) > this.maxPacketBytes)
      this.sendPacket();
    this.spans.push(span);
    this.spanBytes += span.length;
    return undefined;
  }

  flush(): Promise<void> {
    this.sendPacket();
    return Promise.all(this.sends).then(() => undefined);
  }

  unsent(): { queued: number; inFlight: number } {
    return { queued: this.spans.length, inFlight: this.sending };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private sendPacket(): void {
    const count = this.spans.length;
    if (count === 0 || !this.framing || this.closed) return;
    const packet = frameBatch(this.framing, this.spans);
    this.spans = [];
    this.spanBytes = 0;
    this.sending += count;
    const send = new Promise<void>((resolve) => {
      this.socket.send(packet, this.options.port, this.options.host, (error) => {
        this.sending -= count;
        this.onDelivery(
          error
            ? {
                result: 'err',
                spans: count,
                error: `UDP send to ${this.options.host}:${this.options.port}: ${error.message}`,
              }
            : { result: 'sent', spans: count },
        );
        resolve();
      });
    });
    this.sends.add(send);
    void send.finally(() => this.sends.delete(send));
  }
}
