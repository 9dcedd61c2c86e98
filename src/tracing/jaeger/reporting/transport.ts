import type { SpanReportResult } from '../../../metrics/metrics.js';
import type { SpanTag } from '../jaeger-client.js';

/** How a transport's successful delivery is counted: what it can actually know. */
export type DeliveredResult = Extract<SpanReportResult, 'sent' | 'acknowledged'>;

/** What became of spans a transport tried to deliver. */
export type Delivery =
  { result: DeliveredResult; spans: number } | { result: 'err'; spans: number; error: string };

/** Where encoded spans go: the agent over UDP, or a collector over HTTP. */
export interface SpanTransport {
  /** What a successful delivery means here: `sent` (UDP) or `acknowledged` (HTTP). */
  readonly delivered: DeliveredResult;
  /** The service name and process tags every batch carries; called before any span. */
  setProcess(serviceName: string, tags: readonly SpanTag[]): void;
  /** Takes one encoded span; returns why it was dropped instead, if it was. */
  append(span: Buffer): string | undefined;
  /** Sends everything taken so far; resolves once those sends have finished. */
  flush(): Promise<void>;
  /** Spans not yet delivered: still queued, or sent and not yet acknowledged. */
  unsent(): { queued: number; inFlight: number };
  close(): void;
}

/** Told of every delivery attempt, so each span is counted exactly once. */
export type DeliveryListener = (delivery: Delivery) => void;
