/**
 * BREAK_PROPAGATION: each lesson makes one mistake real services make, on the headers
 * of an instrumented outbound call, after the tracer has written them correctly. The
 * trace then shows what that mistake costs (docs/lessons.md). Off unless configured.
 */
import type { Lesson } from '../config.js';
import { MESH_BAGGAGE_PREFIX } from './propagation/baggage-headers.js';
import type { OutgoingHeaders } from './propagation/headers.js';

/** jaeger-client's own default prefix for baggage headers. */
const JAEGER_CLIENT_BAGGAGE_PREFIX = 'uberctx-';
const B3_IDS = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid'];

/** jaeger-client writes ids as numbers: hex without its leading zeros. */
const unpadded = (id: string) => id.replace(/^0+(?=.)/, '');

const BREAKS: Record<Lesson, (headers: OutgoingHeaders) => void> = {
  // a service that calls onward without injecting anything: the callee starts a new trace
  'drop-headers'(headers) {
    for (const name of Object.keys(headers)) if (name !== 'x-request-id') delete headers[name];
  },
  // ids shortened as jaeger-client prints them: Envoy rejects a 31-digit id (1 trace in 16)
  'short-ids'(headers) {
    for (const name of B3_IDS) {
      const id = headers[name];
      if (id) headers[name] = unpadded(id);
    }
    const traceparent = headers['traceparent'];
    if (traceparent) {
      const [version, traceId, spanId, flags] = traceparent.split('-');
      headers['traceparent'] = [
        version,
        unpadded(traceId ?? ''),
        unpadded(spanId ?? ''),
        flags,
      ].join('-');
    }
  },
  // jaeger-client's default prefix: the mesh routes on baggage-user-agent, which never comes
  'uberctx-baggage'(headers) {
    for (const name of Object.keys(headers)) {
      if (!name.startsWith(MESH_BAGGAGE_PREFIX)) continue;
      headers[`${JAEGER_CLIENT_BAGGAGE_PREFIX}${name.slice(MESH_BAGGAGE_PREFIX.length)}`] =
        headers[name] ?? '';
      delete headers[name];
    }
  },
  // the request id stops here: the next sidecar makes a new one, and the logs no longer line up
  'no-request-id'(headers) {
    delete headers['x-request-id'];
  },
};

export function breakOutbound(lesson: Lesson | undefined, headers: OutgoingHeaders): void {
  if (lesson) BREAKS[lesson](headers);
}

/** What each lesson does to a trace, for the warning a service logs at start. */
export const LESSON_EFFECTS: Record<Lesson, string> = {
  'drop-headers': 'outbound calls carry no tracing headers: each trace splits in two at hello',
  'short-ids': 'ids go out without leading zeros: about 1 trace in 16 splits',
  'uberctx-baggage': 'baggage goes out as uberctx-*: the mesh no longer routes on it',
  'no-request-id': "x-request-id is not forwarded: the callee's logs get another request id",
};
