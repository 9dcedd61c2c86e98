/**
 * `npm run compare` against the live Jaeger, fed by the real mesh: with no arguments it
 * must pick the latest instrumented and headers-only traces of one route; by id and by
 * "latest trace of ..." it picks what it is told. With RECORD_FIXTURES=1 this file also
 * records the Jaeger answers that test/compare/ replays (test/fixtures/jaeger/).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Comparison } from '../../tools/compare/compare.js';
import { JAEGER_QUERY_URL } from './helpers/endpoints.js';
import { waitForSpans } from './helpers/jaeger.js';
import { NETSCAPE, startTestMesh, viaGateway } from './helpers/mesh.js';
import type { GatewayAnswer, Mesh } from './helpers/mesh.js';

const CLI = fileURLToPath(
  new URL('../../node_modules/.cache/hello-app-tools/tools/compare/cli.js', import.meta.url),
);
const FIXTURES = fileURLToPath(new URL('../fixtures/jaeger/', import.meta.url));
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
// one name for both instrumented requests, so a search can return exactly these two
const NAME = `Calculon${hex(3)}`;
const INSTRUMENTED_SPANS = 9;
const HEADERS_ONLY_SPANS = 5;

let mesh: Mesh;
let searchFromUs = 0;
let older: GatewayAnswer;
let instrumented: GatewayAnswer;
let headersOnly: GatewayAnswer;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function compare(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env['PATH'] ?? '' } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

beforeAll(async () => {
  mesh = await startTestMesh('zipkin');
  searchFromUs = Date.now() * 1000;
  older = await viaGateway(mesh.instrumentedUrl, `/sayHello/${NAME}`);
  instrumented = await viaGateway(mesh.instrumentedUrl, `/sayHello/${NAME}`, {
    userAgent: NETSCAPE,
  });
  headersOnly = await viaGateway(mesh.headersOnlyUrl, `/sayHello/${NAME}`);
  await Promise.all([
    waitForSpans(older.traceId, INSTRUMENTED_SPANS),
    waitForSpans(instrumented.traceId, INSTRUMENTED_SPANS),
    waitForSpans(headersOnly.traceId, HEADERS_ONLY_SPANS),
  ]);
}, 120_000);

afterAll(async () => {
  try {
    // RECORD_FIXTURES=1 npm run test:e2e -- test/e2e/compare.test.ts
    if (process.env['RECORD_FIXTURES'] === '1') await recordFixtures();
  } finally {
    await mesh?.stop();
  }
}, 60_000);

describe('npm run compare against the live Jaeger', () => {
  it('with no arguments, puts the latest instrumented trace next to the latest headers-only one of the same route', async () => {
    const run = await compare('--jaeger', JAEGER_QUERY_URL, '--width', '200');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`A: trace ${instrumented.traceId}`);
    expect(run.stdout).toContain(`B: trace ${headersOnly.traceId}`);
    expect(run.stdout).toContain('latest instrumented trace of GET /sayHello/:name');
    expect(run.stdout).toMatch(/└─ formatter: format-greeting/);
    expect(run.stdout).toMatch(/spans +9 \(5 mesh, 4 application\) +5 \(5 mesh, 0 application\)/);
    expect(run.stdout).toMatch(/What A shows that B doesn't:\n {2}4 application spans:/);
    expect(run.stdout).toContain('baggage: user-agent');
  });

  it('picks the latest trace of a selector, and a trace by id', async () => {
    const run = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      `service=hello,operation=GET /sayHello/:name,tag.http.url=/sayHello/${NAME}`,
      '--b',
      headersOnly.traceId,
      '--width',
      '200',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`A: trace ${instrumented.traceId}`);
    expect(run.stdout).toContain(`B: trace ${headersOnly.traceId}`);
  });

  it('prints the same as data with --json', async () => {
    const run = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      instrumented.traceId,
      '--b',
      headersOnly.traceId,
      '--json',
    );
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout) as Comparison;
    expect(data.a.summary).toMatchObject({
      spans: INSTRUMENTED_SPANS,
      meshSpans: 5,
      applicationSpans: 4,
      depth: INSTRUMENTED_SPANS,
      baggageKeys: ['user-agent'],
    });
    expect(data.b.summary).toMatchObject({
      spans: HEADERS_ONLY_SPANS,
      meshSpans: HEADERS_ONLY_SPANS,
      applicationSpans: 0,
      depth: HEADERS_ONLY_SPANS,
    });
    expect(data.onlyInA.applicationSpans).toHaveLength(4);
    expect(data.onlyInB.applicationSpans).toEqual([]);
  });

  it('exits 1 with a message for a trace Jaeger does not have, 2 with usage for bad input', async () => {
    const missing = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      hex(16),
      '--b',
      headersOnly.traceId,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/was not found in Jaeger/);
    const bad = await compare('--jaeger', JAEGER_QUERY_URL, '--a', 'hello');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage: npm run compare/);
  });
});

/** Saves the Jaeger answers test/compare replays (a step, not a test: nothing to skip). */
async function recordFixtures(): Promise<void> {
  const save = async (file: string, path: string) => {
    const response = await fetch(`${JAEGER_QUERY_URL}${path}`);
    const body = (await response.json()) as unknown;
    writeFileSync(
      `${FIXTURES}${file}`,
      `${JSON.stringify({ request: path, status: response.status, body }, null, 2)}\n`,
    );
  };
  mkdirSync(FIXTURES, { recursive: true });
  await save('instrumented-trace.json', `/api/traces/${instrumented.traceId}`);
  await save('headers-only-trace.json', `/api/traces/${headersOnly.traceId}`);
  const search = new URLSearchParams({
    service: 'hello',
    operation: 'GET /sayHello/:name',
    tags: JSON.stringify({ 'http.url': `/sayHello/${NAME}` }),
    start: String(searchFromUs),
    end: String(Date.now() * 1000),
    limit: '20',
  });
  await save('search-hello.json', `/api/traces?${search.toString()}`);
  await save('services.json', '/api/services');
  await save('not-found.json', `/api/traces/${'0'.repeat(16)}${hex(8)}`);
  const ids = {
    instrumented: instrumented.traceId,
    headersOnly: headersOnly.traceId,
    latestOfSearch: instrumented.traceId,
    olderOfSearch: older.traceId,
    userAgent: NETSCAPE,
  };
  writeFileSync(`${FIXTURES}ids.json`, `${JSON.stringify(ids, null, 2)}\n`);
}
