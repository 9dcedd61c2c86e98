import { copyMeshHeaders, ISTIO_TRACE_HEADERS } from '../../src/tracing/mesh-headers.js';

describe("Istio's header list", () => {
  it("is exactly the list from Istio's documentation", () => {
    expect([...ISTIO_TRACE_HEADERS].sort()).toEqual(
      [
        'x-request-id',
        'x-b3-traceid',
        'x-b3-spanid',
        'x-b3-parentspanid',
        'x-b3-sampled',
        'x-b3-flags',
        'b3',
        'x-ot-span-context',
        'traceparent',
        'tracestate',
        'x-cloud-trace-context',
        'grpc-trace-bin',
        'sw8',
      ].sort(),
    );
  });

  it('copies present, non-empty mesh headers only, and sets this request id', () => {
    const out = copyMeshHeaders(
      {
        'x-b3-traceid': 'abc',
        'x-b3-parentspanid': '',
        'user-agent': 'curl',
        authorization: 'secret',
        'x-request-id': 'in',
      },
      'generated',
    );
    expect(out).toEqual({ 'x-b3-traceid': 'abc', 'x-request-id': 'generated' });
  });
});
