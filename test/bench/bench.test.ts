/**
 * The benchmark's smoke test: its span counters agree with a real Thrift decoder and
 * with protobuf's wire format, and `npm run bench` runs end to end in a tiny
 * configuration, printing every column for every mode. The figures themselves are never
 * asserted: they depend on the machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spanProto } from '../../bench/capacity/stored.js';
import { otlpSpans, thriftBatchSpans, zipkinSpans } from '../../bench/capacity/wire.js';
import { profileTable } from '../../bench/profile.js';
import { summarise } from '../../bench/results.js';
import type { RunRecord } from '../../bench/results.js';
import { spansInOtlpExport } from '../../bench/sinks/otlp.js';
import { SpanTally } from '../../bench/sinks/tally.js';
import { spansInBatch, spansInEmitBatch } from '../../bench/sinks/thrift.js';
import { spansInZipkinJson } from '../../bench/sinks/zipkin.js';
import { ENVOY_VERSION } from '../../mesh/envoy/binary.js';
import { cacheDirOf } from '../../mesh/settings.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

interface ThriftType<T> {
  new (value: T): T;
  rw: { toBuffer(value: T): { err: Error | null; value: Buffer } };
  fromBuffer(buffer: Buffer): T;
}
interface BatchValue {
  process: object;
  spans: object[];
}
interface AgentModel {
  Agent: {
    emitBatch: {
      ArgumentsMessage: new (value: object) => object;
      argumentsMessageRW: { toBuffer(value: object): { err: Error | null; value: Buffer } };
    };
  };
}
const { Thrift } = require('thriftrw') as { Thrift: new (options: object) => object };
const jaegerThrift = (
  require('jaeger-client/dist/src/thrift.js') as {
    default: { loadJaegerThriftDefinition(): string; buildAgentThriftPath(): string };
  }
).default;
const model = new Thrift({
  source: jaegerThrift.loadJaegerThriftDefinition(),
  allowOptionalArguments: true,
}) as { Batch: ThriftType<BatchValue> };
const agent = new Thrift({
  entryPoint: jaegerThrift.buildAgentThriftPath(),
  allowOptionalArguments: true,
  allowFilesystemAccess: true,
}) as AgentModel;

const int64 = (n: number) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(n));
  return buffer;
};

/** A span with every kind of field the reader must skip: strings, lists of structs, doubles, bools. */
function span(traceLow: number, traceHigh: number, id: number) {
  const tag = (key: string, extra: object) => ({ key, ...extra });
  return {
    traceIdLow: int64(traceLow),
    traceIdHigh: int64(traceHigh),
    spanId: int64(id),
    parentSpanId: int64(0),
    operationName: `GET /op/${id}`,
    references: [
      { refType: 'CHILD_OF', traceIdLow: int64(1), traceIdHigh: int64(0), spanId: int64(2) },
    ],
    flags: 1,
    startTime: int64(1_700_000_000_000_000),
    duration: int64(1234),
    tags: [
      tag('http.url', { vType: 'STRING', vStr: 'http://x/y?name=Bender' }),
      tag('ratio', { vType: 'DOUBLE', vDouble: 0.5 }),
      tag('error', { vType: 'BOOL', vBool: true }),
      tag('status', { vType: 'LONG', vLong: int64(200) }),
    ],
    logs: [{ timestamp: int64(1), fields: [tag('event', { vType: 'STRING', vStr: 'greeting' })] }],
  };
}

function batchOf(spans: object[]): BatchValue {
  return {
    process: {
      serviceName: 'hello',
      tags: [{ key: 'hostname', vType: 'STRING', vStr: 'bench' }],
    },
    spans,
  };
}

/** Minimal protobuf writer for the OTLP cross-check. */
function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 127) {
    bytes.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
const len = (id: number, body: Buffer) =>
  Buffer.concat([varint(id * 8 + 2), varint(body.length), body]);
const num = (id: number, n: number) => Buffer.concat([varint(id * 8), varint(n)]);
const fixed64 = (id: number) => Buffer.concat([varint(id * 8 + 1), Buffer.alloc(8, 7)]);

function otlpSpan(traceId: string): Buffer {
  return Buffer.concat([
    len(1, Buffer.from(traceId, 'hex')),
    len(2, Buffer.alloc(8, 1)),
    len(5, Buffer.from('GET /sayHello/:name')),
    num(6, 2),
    fixed64(7),
    fixed64(8),
    len(9, len(1, Buffer.from('http.route'))),
  ]);
}

describe('span counters', () => {
  const traces = [
    [0x1111, 0xaaaa],
    [0x2222, 0],
  ] as const;
  const spans = [span(0x1111, 0xaaaa, 1), span(0x1111, 0xaaaa, 2), span(0x2222, 0, 3)];
  const expectedKeys = [
    int64(traces[0][1]).toString('hex') + int64(traces[0][0]).toString('hex'),
    int64(traces[0][1]).toString('hex') + int64(traces[0][0]).toString('hex'),
    int64(0).toString('hex') + int64(traces[1][0]).toString('hex'),
  ];

  test('an HTTP collector Batch: the same spans thriftrw decodes', () => {
    const encoded = model.Batch.rw.toBuffer(new model.Batch(batchOf(spans)));
    expect(encoded.err).toBeNull();
    expect(model.Batch.fromBuffer(encoded.value).spans).toHaveLength(3);
    expect(spansInBatch(encoded.value)).toEqual(expectedKeys);
  });

  test('a UDP emitBatch message: the same spans, through the agent IDL envelope', () => {
    const message = new agent.Agent.emitBatch.ArgumentsMessage({
      version: 1,
      id: 0,
      body: { batch: new model.Batch(batchOf(spans)) },
    });
    const encoded = agent.Agent.emitBatch.argumentsMessageRW.toBuffer(message);
    expect(encoded.err).toBeNull();
    expect(spansInEmitBatch(encoded.value)).toEqual(expectedKeys);
    expect(() => spansInEmitBatch(encoded.value.subarray(0, 40))).toThrow(/truncated/);
  });

  test('an OTLP ExportTraceServiceRequest: spans of every resource and scope', () => {
    const traceA = 'aa'.repeat(16);
    const traceB = 'bb'.repeat(16);
    const scope = (...spanIds: string[]) =>
      len(
        2,
        Buffer.concat([
          len(1, len(1, Buffer.from('scope'))),
          ...spanIds.map((t) => len(2, otlpSpan(t))),
        ]),
      );
    const resource = (...scopes: Buffer[]) =>
      len(1, Buffer.concat([len(1, len(1, Buffer.from('service.name'))), ...scopes]));
    const request = Buffer.concat([
      resource(scope(traceA, traceA), scope(traceB)),
      resource(scope(traceB)),
    ]);
    expect(spansInOtlpExport(request)).toEqual([traceA, traceA, traceB, traceB]);
  });

  test("Envoy's Zipkin JSON: 128- and 64-bit trace ids keyed as jaeger.thrift's", () => {
    const body = Buffer.from(
      JSON.stringify([
        { traceId: 'AB'.repeat(16), id: '01'.repeat(8), kind: 'SERVER' },
        { traceId: 'cd'.repeat(8), id: '02'.repeat(8) },
      ]),
    );
    expect(spansInZipkinJson(body)).toEqual(['ab'.repeat(16), '0'.repeat(16) + 'cd'.repeat(8)]);
    expect(() => spansInZipkinJson(Buffer.from('{}'))).toThrow(/array/);
  });

  test('the tally finds partial traces and traces missing altogether', () => {
    const tally = new SpanTally(4);
    tally.add(['a', 'a', 'a', 'a', 'b', 'b', 'b']);
    expect(tally.settled(2)).toBe(false);
    // b lost one span; a third completed request never showed up: 4 more
    expect(tally.count(3)).toEqual({ expected: 12, received: 7, lost: 5, completeTraces: 1 });
  });
});

describe('the summary', () => {
  test('every × floor is the ratio of the medians shown; the paired per-round ratios are apart', () => {
    const run = (mode: string, round: number, rps: number, cpu: number) =>
      ({
        mode,
        round,
        load: { rps, p99: 10, p50: 5, errors: 0 },
        malformed: 0,
        cpuUsPerRequest: cpu,
        spans: undefined,
      }) as unknown as RunRecord;
    // the floor drifts between rounds; the mode's paired ratios stay 0.5 while its medians do not
    const runs = [
      run('headers-only', 1, 1000, 100),
      run('jaeger-udp', 1, 500, 150),
      run('headers-only', 2, 600, 200),
      run('jaeger-udp', 2, 300, 300),
      run('headers-only', 3, 800, 120),
      run('jaeger-udp', 3, 400, 180),
    ];
    const modes = ['headers-only', 'jaeger-udp'].map((id) => ({
      id: id as 'headers-only',
      title: id,
      floor: 'headers-only' as const,
    }));
    const [floor, mode] = summarise(runs, modes);
    expect(mode?.rps).toEqual({ median: 400, min: 300, max: 500 });
    expect(mode?.rpsX).toBeCloseTo((mode?.rps?.median ?? 0) / (floor?.rps?.median ?? 1));
    expect(mode?.cpuX).toBeCloseTo(180 / 120);
    expect(mode?.paired.rps).toEqual({ median: 0.5, min: 0.5, max: 0.5 });
  });
});

describe('capacity: span sizes on the wire', () => {
  test('an OTLP span encoded from its JSON is the size the protobuf reader finds', () => {
    const json = {
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      parentSpanId: 'ef'.repeat(8),
      name: 'hello.hello-opentracing.svc.cluster.local:8080/*',
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000001000000',
      attributes: [
        { key: 'http.status_code', value: { intValue: '200' } },
        { key: 'istio.mesh_id', value: { stringValue: 'cluster.local' } },
        { key: 'error', value: { boolValue: false } },
      ],
      events: [{ timeUnixNano: '1700000000000500000', name: 'greeting' }],
      status: { code: 2, message: 'boom' },
    };
    const span = spanProto(json);
    const request = len(1, Buffer.concat([len(1, Buffer.alloc(0)), len(2, len(2, span))]));
    const { spans, envelopeBytes } = otlpSpans(request);
    expect(spans).toEqual([
      expect.objectContaining({
        traceId: json.traceId,
        spanId: json.spanId,
        kind: 'SERVER',
        name: json.name,
        bytes: len(2, span).length,
      }),
    ]);
    expect(envelopeBytes).toBe(request.length - len(2, span).length);
  });

  test('a jaeger.thrift Batch: each span with its bytes, kind and service', () => {
    const value = batchOf([span(0x1111, 0xaaaa, 1), span(0x1111, 0xaaaa, 2)]);
    const encoded = model.Batch.rw.toBuffer(new model.Batch(value));
    const { spans, envelopeBytes, bodyBytes } = thriftBatchSpans(encoded.value);
    expect(spans.map((s) => [s.service, s.spanId, s.name])).toEqual([
      ['hello', int64(1).toString('hex'), 'GET /op/1'],
      ['hello', int64(2).toString('hex'), 'GET /op/2'],
    ]);
    // the two spans are identical but for their ids and names' last digit
    expect(spans[0]?.bytes).toBe(spans[1]?.bytes);
    expect(envelopeBytes + 2 * (spans[0]?.bytes ?? 0)).toBe(bodyBytes);
    const zipkin = zipkinSpans(
      Buffer.from(JSON.stringify([{ traceId: 'ab'.repeat(8), kind: 'CLIENT' }])),
    );
    expect(zipkin.envelopeBytes).toBe(2);
    expect(zipkin.spans[0]?.kind).toBe('CLIENT');
  });
});

describe('--profile', () => {
  test("CPU per request by component, from the services' profiles", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hello-app-profile-'));
    try {
      const frame = (functionName: string, url: string) => ({ functionName, url });
      for (const service of ['hello', 'formatter']) {
        mkdirSync(join(dir, `jaeger-udp-${service}`));
        const profile = {
          nodes: [
            { id: 1, callFrame: frame('(idle)', '') },
            {
              id: 2,
              callFrame: frame('encodeSpan', 'file:///x/dist/tracing/reporting/span-encoding.js'),
            },
            { id: 3, callFrame: frame('log', 'file:///x/node_modules/winston/lib/logger.js') },
          ],
          samples: [1, 2, 3, 2],
          timeDeltas: [5000, 300, 200, 100],
        };
        writeFileSync(join(dir, `jaeger-udp-${service}`, 'a.cpuprofile'), JSON.stringify(profile));
      }
      const run = { mode: 'jaeger-udp', round: 1, load: { completed: 4 } } as unknown as RunRecord;
      const table = profileTable(dir, [run], ['headers-only', 'jaeger-udp']);
      // (300 + 100) µs × 2 services / 4 requests; idle time is not CPU
      expect(table).toMatch(/\| span reporting \(Thrift encoding, sending\) +\| +200 \|/);
      expect(table).toMatch(/\| logging \(winston\) +\| +100 \|/);
      expect(table).toMatch(/\| total +\| +300 \|/);
      expect(table).not.toContain('headers-only'); // no profiles for it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hello-app-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // the mesh modes need Envoy (npm run mesh:install, which CI runs first); Jaeger is the bench's stand-in
  const envoyInstalled =
    !!process.env['ENVOY_BIN'] ||
    existsSync(join(cacheDirOf(process.env), `envoy-${ENVOY_VERSION}`, 'envoy-path'));

  test('runs every mode end to end in a tiny configuration and prints every column', async () => {
    const { MESH_MODE_IDS, MODE_IDS } = await import('../../bench/modes.js');
    if (!envoyInstalled && process.env['CI'] === 'true')
      throw new Error('CI must run the mesh modes: npm run mesh:install first');
    if (!envoyInstalled)
      console.warn(
        'bench smoke test: no Envoy installed, the mesh modes are left out (npm run mesh:install)',
      );
    const modes = envoyInstalled ? MODE_IDS : MODE_IDS.filter((id) => !MESH_MODE_IDS.includes(id));
    // what `npm run bench` does after `npm run build` (jest's global setup built dist/)
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'bench/tsconfig.json']);
    const json = join(dir, 'bench.json');
    const { stdout } = await run(
      process.execPath,
      [
        'node_modules/.cache/hello-app-bench/bench/run.js',
        ...['--duration', '1', '--warmup', '0.5', '--rounds', '1', '--connections', '2'],
        ...['--soak', '100', '--soak-modes', 'jaeger-udp', '--flush-interval', '200'],
        ...['--flush-wait', '5000', '--json', json, '--modes', modes.join(',')],
        // ports and a stand-in Jaeger address of this run's own: apart from a bench run by
        // hand and from another checkout's npm test on the same machine (CI's)
        ...['--mesh-port', String(29000 + 20 * Math.floor(Math.random() * 70))],
        ...[
          '--mesh-collector-host',
          `127.0.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
        ],
      ],
      { timeout: 150_000, maxBuffer: 1 << 20 },
    );

    const { SUMMARY_COLUMNS, SOAK_COLUMNS, MESH_COLUMNS } = await import('../../bench/table.js');
    expect(stdout).toMatch(/CPU: .*\(\d+ cores\)/);
    expect(stdout).toMatch(/Node: +v\d+/);
    for (const column of [...SUMMARY_COLUMNS, ...SOAK_COLUMNS]) expect(stdout).toContain(column);
    if (envoyInstalled) for (const column of MESH_COLUMNS) expect(stdout).toContain(column);
    for (const mode of modes) expect(stdout).toMatch(new RegExp(`^\\| ${mode} +\\|`, 'm'));

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      machine: { cpu: string; cores: number; node: string };
      summary: {
        mode: string;
        rps: { median: number };
        p99: { median: number };
        envoyCpu?: { median: number };
        errors: number;
        spans?: { received: number; expected: number; lost: number };
      }[];
      runs: { round: number }[];
      soak: { mode: string; helloRssStartKb: number; helloRssEndKb: number }[];
    };
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.summary.map((s) => s.mode)).toEqual([...modes]);
    expect(report.runs.some((r) => r.round === 0)).toBe(true); // the uncounted warm-up
    for (const s of report.summary) {
      expect(typeof s.rps.median).toBe('number');
      expect(typeof s.p99.median).toBe('number');
      expect(typeof s.errors).toBe('number');
    }
    // the sinks see what each mode reports (functional, not a figure): spans, or none
    const spansOf = (mode: string) => report.summary.find((s) => s.mode === mode)?.spans;
    for (const mode of ['jaeger-udp', 'jaeger-http', 'otel'])
      expect(spansOf(mode)?.received).toBeGreaterThan(0);
    expect(spansOf('jaeger-unsampled')?.received).toBe(0);
    expect(spansOf('headers-only')).toBeUndefined();
    if (envoyInstalled) {
      // behind the mesh: Envoy's spans (and the services'), none when the request says unsampled
      for (const mode of ['mesh-headers-only', 'mesh-jaeger-http'])
        expect(spansOf(mode)?.received).toBeGreaterThan(0);
      for (const mode of ['mesh-headers-only-unsampled', 'mesh-unsampled'])
        expect(spansOf(mode)?.received).toBe(0);
      const envoy = report.summary.find((s) => s.mode === 'mesh-jaeger-http')?.envoyCpu;
      expect(envoy?.median).toBeGreaterThan(0);
    }
    expect(report.soak).toHaveLength(1);
    expect(report.soak[0]?.helloRssEndKb).toBeGreaterThan(0);
  }, 200_000);
});
