import {
  DEFAULT_LOOKBACK_MS,
  describeSelector,
  parseSelector,
  SelectorError,
} from '../../tools/compare/selector.js';

describe('parseSelector', () => {
  it('takes a hex trace id of up to 32 digits, lower-cased', () => {
    expect(parseSelector('4BF92F3577B34DA6A3CE929D0E0E4736')).toEqual({
      kind: 'id',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(parseSelector('  00f067aa0ba902b7 ')).toEqual({
      kind: 'id',
      traceId: '00f067aa0ba902b7',
    });
  });

  it('takes "latest trace of" a service, operation, tags and lookback', () => {
    expect(parseSelector('service=hello,operation=GET /sayHello/:name')).toEqual({
      kind: 'latest',
      service: 'hello',
      operation: 'GET /sayHello/:name',
      tags: {},
      lookbackMs: DEFAULT_LOOKBACK_MS,
    });
    expect(
      parseSelector('service=istio-ingressgateway,tag.guid:x-request-id=req-1,lookback=30m'),
    ).toEqual({
      kind: 'latest',
      service: 'istio-ingressgateway',
      tags: { 'guid:x-request-id': 'req-1' },
      lookbackMs: 30 * 60_000,
    });
  });

  it('keeps commas and equals signs inside double quotes, and removes the quotes', () => {
    const selector = parseSelector('service=hello,tag.http.url="/a,b=c",operation="x, y"');
    expect(selector).toMatchObject({ tags: { 'http.url': '/a,b=c' }, operation: 'x, y' });
  });

  it.each([
    ['hello', /neither a trace id/],
    ['operation=GET /x', /names no service=/],
    ['service=hello,colour=red', /unknown key "colour"/],
    ['service=hello,lookback=soon', /not a duration/],
    ['service=hello,tag.=x', /unknown key "tag."/],
    ['service="hello', /unbalanced double quote/],
    ['service=hello,=x', /is not key=value/],
    ['0123456789abcdef0123456789abcdef0', /neither a trace id/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseSelector(raw)).toThrow(SelectorError);
    expect(() => parseSelector(raw)).toThrow(message);
  });

  it('describes a selector for the output header', () => {
    expect(describeSelector(parseSelector('service=hello,operation=GET /sayHello/:name'))).toBe(
      'latest trace of service=hello, operation="GET /sayHello/:name"',
    );
    expect(describeSelector(parseSelector('abc123'))).toBe('given by id');
  });
});
