import type { RequestHandler } from 'express';
import type { Span, SpanOptions } from 'opentracing';
import type { Lesson } from '../config.js';
import type { SpanLogger } from '../log/span-logger.js';
import type { OutgoingHeaders } from './propagation/headers.js';

/** The two shapes of the same services: they make spans, or they only forward the mesh's. */
export type TracingShape = 'instrumented' | 'headers-only';

/** A call to another service: what its client span is named and tagged, and its deadline. */
export interface CallOptions {
  operation: string;
  peerService: string;
  timeoutMs: number;
}

/**
 * What a service uses to trace, whichever shape it runs in. The instrumented
 * implementation makes jaeger-client spans and injects their context; the headers-only
 * one makes no-op spans and copies the mesh's tracing headers of the current request.
 * A service's code is the same in both.
 */
export interface Tracing {
  readonly shape: TracingShape;
  /** For the start banner: where spans go, or why there are none. */
  readonly description: string;
  /** BREAK_PROPAGATION: the mistake outbound calls make on purpose (a lesson), if any. */
  readonly lesson: Lesson | undefined;
  /** Express middleware for a route: its server span, continued from the inbound context. */
  serverSpan(): RequestHandler;
  /** GET another service's text answer in a client span, the context carried in its headers. */
  getText(url: string, options: CallOptions): Promise<string>;
  /** Writes what an outbound call must carry for `span` to join this trace. */
  inject(span: Span, headers: OutgoingHeaders): void;
  /** Runs fn in a child span of the active span, which is active inside fn. */
  inSpan<T>(
    name: string,
    fn: (span: Span) => Promise<T> | T,
    options?: Omit<SpanOptions, 'childOf' | 'references'>,
  ): Promise<T>;
  /** Writes an event to the log and to the active span. */
  readonly log: SpanLogger;
  /** This service's headers-only view: calls through it only forward the mesh's headers. */
  readonly forwardingOnly: Tracing;
  /** Flushes buffered spans; resolves by the deadline even if the collector never answers. */
  close(): Promise<void>;
}
