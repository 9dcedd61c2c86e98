/**
 * `npm run compare` against the live Jaeger: an instrumented trace next to a headers-only
 * one, picked both by id and by "latest trace of ...". With RECORD_FIXTURES=1 this file
 * also records the Jaeger answers that test/compare/ replays (test/fixtures/jaeger/).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Comparison } from '../../src/compare/compare.js';
import { JAEGER_QUERY_URL, VIA_AGENT, VIA_COLLECTOR } from './helpers/endpoints.js';
import { jaegerSettled, waitForSpans } from './helpers/jaeger.js';
import { hex, throughIngress } from './helpers/mesh.js';
import type { MeshAnswer } from './helpers/mesh.js';
import { serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

const CLI = fileURLToPath(new URL('../../dist/compare/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/jaeger/', import.meta.url));
const NETSCAPE = 'Mozilla/3.0 (Netscape; I)';
// one name for both instrumented requests, so a search can return exactly these two
const NAME = `Calculon${hex(3)}`;

const services: ServiceProcess[] = [];
let searchFromUs = 0;
let older: MeshAnswer;
let instrumented: MeshAnswer;
let headersOnly: MeshAnswer;

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

/** formatter, then hello in front of it; both recorded for afterAll as soon as they run. */
async function chain(label: string, extra: Record<string, string>): Promise<ServiceProcess> {
  const formatter = await startService({
    label: `formatter${label}`,
    env: serviceEnv('formatter', VIA_COLLECTOR, extra),
  });
  services.push(formatter);
  const hello = await startService({
    label: `hello${label}`,
    env: serviceEnv('hello', VIA_AGENT, {
      ...extra,
      formatter_host: '127.0.0.1',
      formatter_port: String(formatter.port),
    }),
  });
  services.push(hello);
  return hello;
}

beforeAll(async () => {
  const [hello, plainHello] = await Promise.all([
    chain('', {}),
    chain(' (headers-only)', { TRACING_MODE: 'headers-only' }),
  ]);

  searchFromUs = Date.now() * 1000;
  older = await throughIngress(hello.url, `/sayHello/${NAME}`);
  instrumented = await throughIngress(hello.url, `/sayHello/${NAME}`, { userAgent: NETSCAPE });
  headersOnly = await throughIngress(plainHello.url, `/sayHello/${NAME}`);
  await Promise.all([
    waitForSpans(older.ingress.traceId, 5),
    waitForSpans(instrumented.ingress.traceId, 5),
  ]);
  await jaegerSettled();
});

afterAll(async () => {
  try {
    // RECORD_FIXTURES=1 npm run test:e2e -- test/e2e/compare.test.ts
    if (process.env['RECORD_FIXTURES'] === '1') await recordFixtures();
  } finally {
    await stopAll(services);
  }
});

describe('npm run compare against the live Jaeger', () => {
  it('prints the instrumented trace (picked as the latest of a route) next to the headers-only one', async () => {
    const run = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      `service=hello,operation=GET /sayHello/:name,tag.http.url=/sayHello/${NAME}`,
      '--b',
      headersOnly.ingress.traceId,
      '--width',
      '200',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`A: trace ${instrumented.ingress.traceId}`);
    expect(run.stdout).toContain(`B: trace ${headersOnly.ingress.traceId}`);
    expect(run.stdout).toMatch(/└─ formatter: format-greeting/);
    expect(run.stdout).toMatch(/spans +5 \(1 mesh, 4 application\) +1 \(1 mesh, 0 application\)/);
    expect(run.stdout).toMatch(/What A shows that B doesn't:\n {2}4 application spans:/);
    expect(run.stdout).toContain('baggage: user-agent');
  });

  it('prints the same as data with --json', async () => {
    const run = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      instrumented.ingress.traceId,
      '--b',
      headersOnly.ingress.traceId,
      '--json',
    );
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout) as Comparison;
    expect(data.a.summary).toMatchObject({
      spans: 5,
      meshSpans: 1,
      applicationSpans: 4,
      depth: 5,
      baggageKeys: ['user-agent'],
    });
    expect(data.a.summary.services).toEqual(['istio-ingressgateway', 'hello', 'formatter']);
    expect(data.b.summary).toMatchObject({ spans: 1, meshSpans: 1, applicationSpans: 0, depth: 1 });
    expect(data.a.spans[0]?.children[0]?.baggage).toEqual({ 'user-agent': NETSCAPE });
    expect(data.onlyInA.applicationSpans).toHaveLength(4);
    expect(data.onlyInB).toEqual({
      applicationSpans: [],
      services: [],
      baggageKeys: [],
      moreTags: 0,
      moreLogs: 0,
    });
  });

  it('exits 1 with a message for a trace Jaeger does not have, 2 with usage for bad input', async () => {
    const missing = await compare(
      '--jaeger',
      JAEGER_QUERY_URL,
      '--a',
      hex(16),
      '--b',
      headersOnly.ingress.traceId,
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
  await save('instrumented-trace.json', `/api/traces/${instrumented.ingress.traceId}`);
  await save('headers-only-trace.json', `/api/traces/${headersOnly.ingress.traceId}`);
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
    instrumented: instrumented.ingress.traceId,
    headersOnly: headersOnly.ingress.traceId,
    latestOfSearch: instrumented.ingress.traceId,
    olderOfSearch: older.ingress.traceId,
    userAgent: NETSCAPE,
  };
  writeFileSync(`${FIXTURES}ids.json`, `${JSON.stringify(ids, null, 2)}\n`);
}
