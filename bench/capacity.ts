#!/usr/bin/env node
/**
 * `npm run capacity`: what tracing costs in bytes, from a fresh measurement. Starts a
 * Jaeger (or uses the one at --jaeger-host), the local mesh reporting to it through a
 * recording front, sends N requests per shape, reads every trace back, and prints the
 * capacity note's tables: bytes per span by kind as sent and as stored, spans and bytes
 * per request per shape, and the collector's intake and storage per day for a mesh of
 * many pods at each sampling rate. --update-doc FILE rewrites the tables in FILE
 * between its `<!-- capacity:begin -->` and `<!-- capacity:end -->` markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MeshTracing } from '../mesh/topology.js';
import { measure } from './capacity/measure.js';
import type { CapacityOptions } from './capacity/measure.js';
import { DEFAULT_SCALE, figuresOf, scale } from './capacity/model.js';
import type { ScaleOptions } from './capacity/model.js';
import {
  envelopeTable,
  runLine,
  scaleAssumptions,
  scaleTable,
  shapeTable,
  spanTable,
} from './capacity/report.js';
import { describeBuild, describeMachine } from './machine.js';
import { PROJECT_DIST } from './modes.js';

const USAGE = `npm run capacity -- [options]

Measures bytes per span and spans per request through the local mesh and a real Jaeger,
then projects a mesh of many pods. Takes about a minute (two mesh starts, 3 × N requests each).

  --requests N          requests per shape and provider (default 200)
  --concurrency N       requests in flight (default 4)
  --providers a,b       the mesh's tracing providers to measure: zipkin, otel (default both)
  --jaeger-host A       loopback address of the Jaeger (started here unless one answers there;
                        default 127.0.0.8)
  --tap-host A          loopback address of the recording front (default 127.0.0.9)
  --mesh-port N         the mesh's gateway port; it uses N to N+19 (default 30520)
  --rps N               requests per second entering the modelled mesh (default ${DEFAULT_SCALE.rps})
  --pods N              workload pods of the modelled mesh (default ${DEFAULT_SCALE.pods})
  --gateways N          its ingress gateway pods (default ${DEFAULT_SCALE.gateways})
  --json FILE           every figure, as JSON
  --update-doc FILE     rewrite FILE's tables between <!-- capacity:begin --> and <!-- capacity:end -->
  --help`;

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function loopback(name: string, raw: string | undefined, fallback: string): string {
  const value = raw ?? fallback;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(value))
    throw new Error(`--${name} must be a loopback address, 127.x.y.z`);
  return value;
}

function parse(
  argv: string[],
): { measure: CapacityOptions; scale: ScaleOptions; json?: string; doc?: string } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      providers: { type: 'string' },
      'jaeger-host': { type: 'string' },
      'tap-host': { type: 'string' },
      'mesh-port': { type: 'string' },
      rps: { type: 'string' },
      pods: { type: 'string' },
      gateways: { type: 'string' },
      json: { type: 'string' },
      'update-doc': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const providers = (values.providers ?? 'zipkin,otel').split(',').map((p) => p.trim());
  for (const p of providers)
    if (p !== 'zipkin' && p !== 'otel')
      throw new Error(`--providers: "${p}" is not zipkin or otel`);
  if (!providers.includes('zipkin'))
    throw new Error('--providers must include zipkin: the tables are built on its run');
  const jaegerHost = loopback('jaeger-host', values['jaeger-host'], '127.0.0.8');
  const tapHost = loopback('tap-host', values['tap-host'], '127.0.0.9');
  if (jaegerHost === tapHost) throw new Error('--jaeger-host and --tap-host must differ');
  return {
    measure: {
      requests: Math.floor(number('requests', values.requests, 200)),
      concurrency: Math.floor(number('concurrency', values.concurrency, 4)),
      providers: providers as MeshTracing[],
      jaegerHost,
      tapHost,
      meshPort: Math.floor(number('mesh-port', values['mesh-port'], 30520)),
      say: (line) => process.stderr.write(`  ${line}\n`),
    },
    scale: {
      ...DEFAULT_SCALE,
      rps: number('rps', values.rps, DEFAULT_SCALE.rps),
      pods: Math.floor(number('pods', values.pods, DEFAULT_SCALE.pods)),
      gateways: Math.floor(number('gateways', values.gateways, DEFAULT_SCALE.gateways)),
    },
    ...(values.json ? { json: values.json } : {}),
    ...(values['update-doc'] ? { doc: values['update-doc'] } : {}),
  };
}

async function main(): Promise<number> {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  const measurement = await measure(options.measure);
  const figures = measurement.runs.map(figuresOf);
  const zipkin = figures.find((f) => f.provider === 'zipkin');
  if (!zipkin) throw new Error('no zipkin run');
  const otel = figures.find((f) => f.provider === 'otel');
  const rows = scale(zipkin, otel, options.scale);
  const machine = describeMachine();
  const build = describeBuild(PROJECT_DIST);
  const problems = figures.flatMap((f) => [
    ...(f.failures ? [`${f.provider}: ${f.failures} requests failed`] : []),
    ...(f.mismatched
      ? [`${f.provider}: ${f.mismatched} traces stored with a different span count than sent`]
      : []),
  ]);
  const out = [
    `Measured ${new Date().toISOString().slice(0, 10)} at commit ${build.commit ?? 'unknown'}${build.srcChanged ? ' + uncommitted changes in src/' : ''}, Node ${machine.node}, Envoy 1.40.0, in ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    runLine(options.measure),
    ...(problems.length ? ['', `Problems: ${problems.join('; ')}.`] : []),
    '',
    '### Bytes per span (mean), MESH_TRACING=zipkin',
    '',
    spanTable(zipkin),
    ...(otel ? ['', '### Bytes per span (mean), MESH_TRACING=otel', '', spanTable(otel)] : []),
    '',
    '### What each report carries besides its spans',
    '',
    envelopeTable(zipkin),
    ...(otel
      ? [
          '',
          envelopeTable({ ...otel, envelopes: otel.envelopes.filter((e) => e.format === 'otlp') }),
        ]
      : []),
    '',
    '### Spans and bytes per request, by shape (MESH_TRACING=zipkin)',
    '',
    shapeTable(zipkin),
    '',
    '### A mesh of many pods',
    '',
    scaleAssumptions(options.scale),
    '',
    scaleTable(rows),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  if (options.json)
    writeFileSync(
      options.json,
      `${JSON.stringify({ options: { ...options.measure, say: undefined }, scale: options.scale, figures, rows }, null, 2)}\n`,
    );
  if (options.doc) {
    const text = readFileSync(options.doc, 'utf8');
    const begin = '<!-- capacity:begin -->';
    const end = '<!-- capacity:end -->';
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${options.doc} has no ${begin} … ${end} markers`);
    const updated = `${text.slice(0, a + begin.length)}\n\n${out}\n\n${text.slice(b)}`;
    // formatted as the repository's prettier formats Markdown, so npm run lint stays clean
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(options.doc)) ?? {};
    writeFileSync(
      options.doc,
      await prettier.format(updated, { ...config, filepath: options.doc }),
    );
    process.stderr.write(`  tables written into ${options.doc}\n`);
  }
  return problems.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `capacity failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
