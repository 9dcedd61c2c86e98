/**
 * The whole command, driven through run() with Jaeger's recorded answers: what it prints,
 * what it asks Jaeger, and its exit codes; through /api/traces (the first recordings, from
 * a Jaeger taken not to serve /api/v3), and through /api/v3.
 */
import { run } from '../../tools/compare/cli.js';
import type { FetchJson } from '../../tools/compare/jaeger-query.js';
import type { Comparison } from '../../tools/compare/compare.js';
import { meshJaeger, meshTrace, SERVICES } from './mesh-traces.js';
import { bodyOf, ids, idsV3, recorded, recordedV3, replaying, twins } from './recorded.js';
import type { Recorded } from './recorded.js';

/** The /api/traces recordings: replayed as a Jaeger that does not serve /api/v3. */
const ALL = [
  recorded.instrumented,
  recorded.headersOnly,
  recorded.search,
  recorded.services,
  recorded.notFound,
];
const ALL_V3 = Object.values(recordedV3);
const LATEST_HELLO = 'service=hello,operation=GET /sayHello/:name,tag.http.url=' + searchedUrl();

function searchedUrl(): string {
  const tags = new URL(recorded.search.request, 'http://x').searchParams.get('tags') ?? '{}';
  return (JSON.parse(tags) as Record<string, string>)['http.url'] ?? '';
}

/** fetchJson: recorded answers by default; null for the real HTTP client. */
async function compare(
  argv: string[],
  options: { env?: Record<string, string>; fetchJson?: FetchJson | null } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const fetchJson = options.fetchJson === null ? undefined : (options.fetchJson ?? replaying(ALL));
  const code = await run({
    argv,
    env: options.env ?? {},
    columns: undefined,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    fetchJson,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('compare (text), from recorded /api/traces answers', () => {
  it('prints both span trees side by side, then the summary and the difference', async () => {
    const { code, stdout, stderr } = await compare([
      '--a',
      ids.instrumented,
      '--b',
      ids.headersOnly,
      '--width',
      '200',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      'Jaeger: http://localhost:16686, read through /api/traces (this Jaeger does not serve /api/v3)',
    );
    expect(lines[2]).toMatch(
      new RegExp(`^A: trace ${ids.instrumented} +│ B: trace ${ids.headersOnly}$`),
    );
    const tree = lines.slice(5, lines.indexOf('', 5));
    const left = tree.map((line) => line.split(/ │(?: |$)/)[0]?.trimEnd() ?? '');
    const spanTitles = left.filter((line) => line.includes(': '));
    expect(spanTitles).toEqual([
      'istio-ingressgateway: hello.default.svc.cluster.local:8080/*  [mesh]',
      '└─ hello: GET /sayHello/:name',
      '   └─ hello: GET /formatGreeting',
      '      └─ formatter: GET /formatGreeting',
      '         └─ formatter: format-greeting',
    ]);
    expect(stdout).toMatch(
      /│ {3}\d+\.\d\dms · 6 tags · 2 logs · baggage user-agent=Mozilla\/3\.0 \(Netscape; I\)/,
    );
    expect(stdout).toMatch(/ {2}spans +5 \(1 mesh, 4 application\) +1 \(1 mesh, 0 application\)\n/);
    expect(stdout).toMatch(
      / {2}services +istio-ingressgateway, hello, formatter +istio-ingressgateway\n/,
    );
    expect(stdout).toMatch(/ {2}depth +5 +1\n/);
    expect(stdout).toMatch(/ {2}baggage +user-agent=Mozilla\/3\.0 \(Netscape; I\) +-\n/);
    expect(stdout).toContain(
      [
        "What A shows that B doesn't:",
        '  4 application spans:',
        '    hello GET /sayHello/:name',
        '    hello GET /formatGreeting',
        '    formatter GET /formatGreeting',
        '    formatter format-greeting',
        '  services: hello, formatter',
        '  baggage: user-agent',
      ].join('\n'),
    );
    expect(stdout).toContain("What B shows that A doesn't:\n  nothing\n");
  });

  it('keeps every line within --width', async () => {
    const { stdout } = await compare([
      '--a',
      ids.instrumented,
      '--b',
      ids.headersOnly,
      '--width',
      '80',
    ]);
    const tree = stdout.split('\n').filter((line) => line.includes(' │ '));
    expect(tree.length).toBeGreaterThan(5);
    for (const line of tree) expect([...line].length).toBeLessThanOrEqual(80);
    expect(stdout).toContain('…');
  });

  it('picks the latest trace of a route by start time, whatever order Jaeger answers in', async () => {
    for (const reverse of [false, true]) {
      const search = structuredClone(recorded.search);
      const body = bodyOf(search) as { data: unknown[] };
      if (reverse) body.data.reverse();
      search.body = body;
      const fetchJson = replaying([search, recorded.headersOnly]);
      const { code, stdout } = await compare(
        ['--a', LATEST_HELLO, '--b', ids.headersOnly, '--json'],
        { fetchJson },
      );
      expect(code).toBe(0);
      expect((JSON.parse(stdout) as Comparison).a.traceId).toBe(ids.latestOfSearch);
      expect(body.data).toHaveLength(2);
    }
  });

  it('asks Jaeger for the service, operation, tags and a time window', async () => {
    const fetchJson = replaying(ALL);
    await compare(['--a', LATEST_HELLO + ',lookback=2h', '--b', ids.headersOnly], { fetchJson });
    const search = new URL(fetchJson.requests.find((r) => r.includes('?')) ?? '');
    expect(search.origin + search.pathname).toBe('http://localhost:16686/api/traces');
    expect(search.searchParams.get('service')).toBe('hello');
    expect(search.searchParams.get('operation')).toBe('GET /sayHello/:name');
    expect(JSON.parse(search.searchParams.get('tags') ?? '')).toEqual({
      'http.url': searchedUrl(),
    });
    const window =
      Number(search.searchParams.get('end')) - Number(search.searchParams.get('start'));
    expect(window).toBe(2 * 3600 * 1_000_000);
  });

  it('uses --jaeger, else JAEGER_QUERY_URL, else localhost:16686', async () => {
    const asked = async (argv: string[], env: Record<string, string>) => {
      const fetchJson = replaying(ALL);
      await compare([...argv, '--a', ids.instrumented, '--b', ids.headersOnly], { env, fetchJson });
      return new URL(fetchJson.requests[0] ?? '').origin;
    };
    expect(await asked([], {})).toBe('http://localhost:16686');
    expect(await asked([], { JAEGER_QUERY_URL: 'http://jaeger:16686' })).toBe(
      'http://jaeger:16686',
    );
    expect(
      await asked(['--jaeger', 'http://other:1/'], { JAEGER_QUERY_URL: 'http://jaeger:16686' }),
    ).toBe('http://other:1');
  });
});

describe("compare with no arguments: the mesh's latest pair", () => {
  const bender = meshTrace({ shape: 'instrumented', path: '/sayHello/Bender', at: 10 });
  const leela = meshTrace({ shape: 'instrumented', path: '/sayHello2/Leela', at: 30 });
  const headersOnlyBender = meshTrace({ shape: 'headers-only', path: '/sayHello/Bender', at: 20 });

  it('compares the latest instrumented and headers-only traces of one route and says so', async () => {
    const fetchJson = meshJaeger({
      [SERVICES.instrumented]: [leela, bender],
      [SERVICES.headersOnly]: [headersOnlyBender],
    });
    const { code, stdout, stderr } = await compare(['--width', '200'], { fetchJson });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[2]).toMatch(
      new RegExp(`^A: trace ${bender.traceID} +│ B: trace ${headersOnlyBender.traceID}$`),
    );
    expect(lines[3]).toMatch(
      /^ {3}latest instrumented trace of GET \/sayHello\/:name +│ {4}latest headers-only trace of GET \/sayHello\/:name$/,
    );
    expect(stdout).toMatch(/ {2}spans +4 \(3 mesh, 1 application\) +3 \(3 mesh, 0 application\)\n/);
    // one search per shape, by its hello sidecar, over the last hour
    const searched = fetchJson.requests
      .map((raw) => new URL(raw))
      .filter((url) => url.pathname === '/api/traces')
      .map((url) => url.searchParams);
    expect(searched.map((p) => p.get('service')).sort()).toEqual([
      SERVICES.headersOnly,
      SERVICES.instrumented,
    ]);
    for (const params of searched) {
      expect(params.get('limit')).toBe('20');
      expect(Number(params.get('end')) - Number(params.get('start'))).toBe(3600 * 1_000_000);
    }
  });

  it('says on stderr when the newest headers-only route has no instrumented pair', async () => {
    const headersOnlyLeela = meshTrace({ shape: 'headers-only', path: '/sayHello2/Leela', at: 5 });
    const fetchJson = meshJaeger({
      [SERVICES.instrumented]: [leela],
      [SERVICES.headersOnly]: [headersOnlyBender, headersOnlyLeela],
    });
    const { code, stdout, stderr } = await compare(['--json'], { fetchJson });
    expect(code).toBe(0);
    expect(stderr).toBe(
      'compare: the latest headers-only trace is of GET /sayHello/:name, which has no instrumented trace yet: comparing GET /sayHello2/:name\n',
    );
    const data = JSON.parse(stdout) as Comparison;
    expect(data.a).toMatchObject({
      traceId: leela.traceID,
      selected: 'latest instrumented trace of GET /sayHello2/:name',
    });
    expect(data.b).toMatchObject({
      traceId: headersOnlyLeela.traceID,
      selected: 'latest headers-only trace of GET /sayHello2/:name',
    });
  });

  it('exits 1 saying exactly what to run when Jaeger has nothing to compare', async () => {
    const headersOnlyMissing = await compare([], {
      fetchJson: meshJaeger({ [SERVICES.instrumented]: [bender] }),
    });
    expect(headersOnlyMissing).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'compare: no headers-only trace in Jaeger at http://localhost:16686 yet. Start the mesh (npm run mesh) and send one: curl http://localhost:8090/sayHello/Bender\n',
    });
    const none = await compare(['--jaeger', 'http://jaeger:16686'], { fetchJson: meshJaeger({}) });
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'compare: no headers-only trace in Jaeger at http://jaeger:16686 yet. Start the mesh (npm run mesh) and send one: curl http://localhost:8090/sayHello/Bender',
        'compare: no instrumented trace in Jaeger at http://jaeger:16686 yet. Start the mesh (npm run mesh) and send one: curl http://localhost:8080/sayHello/Bender',
        '',
      ].join('\n'),
    });
  });

  it('names the gateway ports npm run mesh was moved to (MESH_PORT, MESH_HEADERS_ONLY_PORT)', async () => {
    const none = await compare([], {
      env: { MESH_PORT: '18080', MESH_HEADERS_ONLY_PORT: '18090' },
      fetchJson: meshJaeger({}),
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('curl http://localhost:18090/sayHello/Bender');
    expect(none.stderr).toContain('curl http://localhost:18080/sayHello/Bender');
  });

  it('exits 1 with a hint to start the mesh when Jaeger cannot be reached', async () => {
    const { code, stderr } = await compare(['--jaeger', 'http://127.0.0.1:9'], {
      fetchJson: null,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^compare: cannot reach Jaeger at http:\/\/127\.0\.0\.1:9\/api\/v3\/services: .*\ncompare: is the mesh up\? Start it with npm run mesh/,
    );
  });
});

describe('compare --json, from recorded /api/traces answers', () => {
  it('prints the same comparison as data, and which API it read', async () => {
    const { code, stdout } = await compare([
      '--a',
      ids.instrumented,
      '--b',
      ids.headersOnly,
      '--json',
    ]);
    expect(code).toBe(0);
    const data = JSON.parse(stdout) as Comparison;
    expect(data.jaeger).toBe('http://localhost:16686');
    expect(data.queryApi).toBe('/api/traces (this Jaeger does not serve /api/v3)');
    expect(data.a).toMatchObject({ traceId: ids.instrumented, selected: 'given by id' });
    expect(data.a.summary).toMatchObject({ spans: 5, meshSpans: 1, applicationSpans: 4, depth: 5 });
    expect(data.b.summary).toMatchObject({
      spans: 1,
      meshSpans: 1,
      applicationSpans: 0,
      depth: 1,
      baggageKeys: [],
    });
    const root = data.a.spans[0];
    expect(root).toMatchObject({
      service: 'istio-ingressgateway',
      origin: 'mesh',
      parentSpanId: '',
    });
    expect(root?.children[0]).toMatchObject({
      service: 'hello',
      operation: 'GET /sayHello/:name',
      origin: 'application',
    });
    expect(data.onlyInA.services).toEqual(['hello', 'formatter']);
  });
});

describe('compare through /api/v3, from recorded answers', () => {
  async function asJson(argv: string[], recordings: Recorded[]): Promise<Comparison> {
    const { code, stdout, stderr } = await compare([...argv, '--json'], {
      fetchJson: replaying(recordings),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    return JSON.parse(stdout) as Comparison;
  }

  it("with no arguments, pairs the mesh's latest instrumented and headers-only traces of one route", async () => {
    const fetchJson = replaying(ALL_V3);
    const { code, stdout, stderr } = await compare(['--width', '200'], { fetchJson });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Leela's trace (/sayHello2) is the newest instrumented one; the headers-only one is of /sayHello
    expect(stdout).toMatch(
      new RegExp(`^A: trace ${idsV3.instrumented} +│ B: trace ${idsV3.headersOnly}$`, 'm'),
    );
    expect(stdout).toMatch(/ {2}spans +9 \(5 mesh, 4 application\) +5 \(5 mesh, 0 application\)\n/);
    expect(stdout).toMatch(/ {2}baggage +user-agent=Mozilla\/3\.0 \(Netscape; I\) +-\n/);
    expect(fetchJson.requests.map((r) => new URL(r).pathname)).toEqual([
      '/api/v3/services',
      '/api/v3/traces',
      '/api/v3/traces',
    ]);
  });

  it('compares two traces by id exactly as it does through /api/traces, and says which API', async () => {
    const argv = ['--a', idsV3.instrumented, '--b', idsV3.headersOnly];
    const { queryApi, ...viaV3 } = await asJson(argv, ALL_V3);
    const { queryApi: uiApi, ...viaUi } = await asJson(argv, [
      twins.instrumented,
      twins.headersOnly,
    ]);
    expect(queryApi).toBe('/api/v3');
    expect(uiApi).toBe('/api/traces (this Jaeger does not serve /api/v3)');
    expect(viaV3).toEqual(viaUi);
    expect(viaV3.a.summary).toMatchObject({ spans: 9, meshSpans: 5, applicationSpans: 4 });
  });

  it('finds the latest trace by tag through /api/traces when /api/v3 ignores the filter', async () => {
    const data = await asJson(
      [
        '--a',
        'service=hello,operation=GET /sayHello/:name,tag.http.url=/sayHello/Bender',
        '--b',
        idsV3.headersOnly,
      ],
      [...ALL_V3, twins.searchByTag],
    );
    // by /api/v3's answer alone it would be Fry's trace: the newer of the two it returned
    expect(data.a.traceId).toBe(idsV3.olderInstrumented);
    expect(data.queryApi).toMatch(/^\/api\/v3, and \/api\/traces to search by tag/);
  });

  it('exits 1 for a trace /api/v3 does not have', async () => {
    const missing = recordedV3.notFound.request.split('/').pop() ?? '';
    const { code, stderr } = await compare(['--a', missing, '--b', idsV3.headersOnly], {
      fetchJson: replaying(ALL_V3),
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `compare: trace ${missing} was not found in Jaeger at http://localhost:16686\n`,
    );
  });
});

describe('failures', () => {
  it('exits 1 with a message when a trace is not in Jaeger', async () => {
    const missing = new URL(recorded.notFound.request, 'http://x').pathname.split('/').pop() ?? '';
    const { code, stdout, stderr } = await compare(['--a', missing, '--b', ids.headersOnly]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `compare: trace ${missing} was not found in Jaeger at http://localhost:16686\n`,
    );
  });

  it('exits 1 when no trace matches a "latest" selector', async () => {
    const empty = {
      ...recorded.search,
      body: { data: [], total: 0, limit: 0, offset: 0, errors: null },
    };
    const { code, stderr } = await compare(['--a', LATEST_HELLO, '--b', ids.headersOnly], {
      fetchJson: replaying([empty, recorded.headersOnly]),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /no trace found for latest trace of service=hello, operation="GET \/sayHello\/:name"/,
    );
  });

  it('exits 1 when Jaeger cannot be reached', async () => {
    const { code, stderr } = await compare(
      ['--a', ids.instrumented, '--b', ids.headersOnly, '--jaeger', 'http://127.0.0.1:9'],
      {
        fetchJson: null,
      },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach Jaeger at http:\/\/127\.0\.0\.1:9\/api\/v3\/services/);
    expect(stderr).not.toMatch(/npm run mesh/); // given traces need not be the mesh's
  });

  it.each([
    [
      ['--a', ids.instrumented],
      /give both --a and --b, or neither: with no arguments compare picks both/,
    ],
    [['--b', ids.headersOnly, '--json'], /with no arguments compare picks both/],
    [['--a', '', '--b', ''], /neither a trace id/],
    [['--a', 'x=1', '--b', ids.headersOnly], /unknown key "x"/],
    [['--a', ids.instrumented, '--b', 'hello'], /neither a trace id/],
    [['--a', ids.instrumented, '--b', ids.headersOnly, '--colour'], /Unknown option '--colour'/],
    [
      ['--a', ids.instrumented, '--b', ids.headersOnly, 'extra'],
      /Unexpected argument 'extra'|positional/,
    ],
    [
      ['--a', ids.instrumented, '--b', ids.headersOnly, '--jaeger', 'ftp://x'],
      /not an http\(s\) URL/,
    ],
    [['--a', ids.instrumented, '--b', ids.headersOnly, '--width', '10'], /--width "10"/],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    const fetchJson = replaying(ALL);
    const { code, stdout, stderr } = await compare(argv, { fetchJson });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: npm run compare [-- [--a TRACE --b TRACE]');
    expect(fetchJson.requests).toEqual([]);
  });

  it('prints the usage on --help and exits 0', async () => {
    const { code, stdout } = await compare(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run compare/);
  });
});
