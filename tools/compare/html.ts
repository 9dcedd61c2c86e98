/**
 * `npm run compare -- --html FILE`: the comparison as one self-contained HTML page, to
 * open offline or attach to an issue. Two waterfalls side by side on one time scale (a
 * span's bar is as long in either pane as its duration), each span's tags, logs and
 * baggage a click away, then the summary of the text report.
 *
 * Everything Jaeger answered is text to escape (a tag can hold `<script>`): the `h`
 * template below escapes whatever it interpolates unless it is already `Html`. The page
 * loads nothing: its style is inline, and a click opens a span's details through
 * `<details>`, without any script.
 */
import type { Comparison, ComparedTrace } from './compare.js';
import { STYLE } from './html-style.js';
import { walk } from './span-tree.js';
import type { SpanField, SpanNode } from './span-tree.js';
import { brokenReasons, isEmptyDetail } from './summary.js';
import type { OneSidedDetail, TraceSummary } from './summary.js';

/** Markup that is safe as it is: built by `h`, never straight from data. */
class Html {
  constructor(readonly markup: string) {}
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function markup(part: Part): string {
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map(markup).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

/** A template whose interpolations are escaped, unless they are `Html` (or lists of it). */
function h(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(strings.reduce((out, text, i) => out + markup(parts[i - 1]) + text));
}

/** Long names (`outbound|8080||hello.svc.cluster.local`) may wrap after . / | and :. */
function breakable(text: string): Html {
  return new Html(
    text
      .split(/(?<=[./|:])/)
      .map(escapeHtml)
      .join('<wbr>'),
  );
}

/** To the microsecond, in the text report's units: 851 µs, 11.192 ms, 1.234567 s. */
export function formatDurationUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(3)} ms`;
  return `${(us / 1_000_000).toFixed(6)} s`;
}

/** A tick of the time axis: as short as it can be (2 ms, 500 µs, 1.5 s). */
function formatTick(us: number): string {
  if (us === 0) return '0';
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${+(us / 1000).toFixed(3)} ms`;
  return `${+(us / 1_000_000).toFixed(6)} s`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Jaeger UI's page of one trace, and its diff of two. */
export function jaegerTraceUrl(jaeger: string, traceId: string): string {
  return `${jaeger}/trace/${encodeURIComponent(traceId)}`;
}

export function jaegerDiffUrl(jaeger: string, a: string, b: string): string {
  return `${jaeger}/trace/${encodeURIComponent(a)}...${encodeURIComponent(b)}`;
}

/** The one time scale of both panes: from 0 to the longer trace's duration. */
interface Scale {
  totalUs: number;
  /** Between two ticks of the axis, in microseconds: 1, 2 or 5 times a power of ten. */
  tickUs: number;
}

function scaleFor(a: TraceSummary, b: TraceSummary): Scale {
  const totalUs = Math.max(a.durationUs, b.durationUs, 1);
  const rough = totalUs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const tickUs = [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? rough;
  return { totalUs, tickUs: Math.max(1, Math.round(tickUs)) };
}

const percent = (us: number, scale: Scale) => `${((us / scale.totalUs) * 100).toFixed(4)}%`;

/** A trace is broken when a span's parent is missing, it has several roots, or a call led nowhere. */
function brokenNotice(label: string, trace: ComparedTrace): Html | undefined {
  const reasons = brokenReasons(trace.summary);
  if (!reasons.length) return undefined;
  return h`<div class="broken" role="alert">
    <p><span aria-hidden="true">⚠</span> <strong>Trace ${label} is broken:</strong></p>
    <ul>${reasons.map((reason) => h`<li>${reason}</li>`)}</ul>
  </div>`;
}

function originWords(node: SpanNode): string {
  return node.origin === 'application'
    ? 'application: reported by a Jaeger client'
    : 'mesh: no Jaeger client stamp (e.g. Envoy via Zipkin)';
}

function fieldList(fields: readonly SpanField[]): Html {
  return h`<table class="kv">
    ${fields.map(
      (f) => h`<tr${f.key === 'error' ? h` class="error-tag"` : ''}>
        <th scope="row">${f.key}</th>
        <td>${String(f.value)}</td>
      </tr>`,
    )}
  </table>`;
}

function spanDetails(node: SpanNode, traceStartUs: number): Html {
  const baggage = Object.entries(node.baggage);
  const parent = !node.parentSpanId
    ? 'none (a root)'
    : node.parentMissing
      ? `${node.parentSpanId}, missing from the trace`
      : node.parentSpanId;
  const tags = node.tags;
  const logs = node.logs;
  return h`<div class="details">
    <p class="fullname"><strong>${node.service}</strong>: ${node.operation}</p>
    <dl class="facts">
      <dt>origin</dt>
      <dd>${originWords(node)}</dd>
      <dt>duration</dt>
      <dd>${formatDurationUs(node.durationUs)}</dd>
      <dt>starts</dt>
      <dd>${formatDurationUs(node.offsetUs)} after the trace's start</dd>
      <dt>span id</dt>
      <dd class="mono">${node.spanId}</dd>
      <dt>parent</dt>
      <dd class="mono">${parent}</dd>
      ${
        node.error
          ? h`<dt>error</dt>
              <dd class="error-text">⚠ the span is tagged error</dd>`
          : ''
      }
    </dl>
    <h4>Baggage</h4>
    ${
      baggage.length
        ? h`<table class="kv">
            ${baggage.map(
              ([key, value]) =>
                h`<tr>
                  <th scope="row">${key}</th>
                  <td>${value}</td>
                </tr>`,
            )}
          </table>`
        : h`<p class="none">none</p>`
    }
    <h4>Tags (${node.tagCount})</h4>
    ${tags === undefined ? h`<p class="none">not in the data</p>` : tags.length ? fieldList(tags) : h`<p class="none">none</p>`}
    <h4>Logs (${node.logCount})</h4>
    ${
      logs === undefined
        ? h`<p class="none">not in the data</p>`
        : logs.length
          ? h`<ol class="logs">
              ${logs.map(
                (log) =>
                  h`<li>
                    <span class="at">at ${formatDurationUs(log.timestamp - traceStartUs)}</span>
                    ${fieldList(log.fields)}
                  </li>`,
              )}
            </ol>`
          : h`<p class="none">none</p>`
    }
  </div>`;
}

function spanRow(node: SpanNode, depth: number, scale: Scale, traceStartUs: number): Html {
  const origin = node.origin === 'application' ? 'app' : 'mesh';
  const duration = formatDurationUs(node.durationUs);
  const marks = [
    node.error ? h`<span class="mark error-mark">⚠ error</span>` : '',
    node.parentMissing ? h`<span class="mark orphan-mark">⚠ parent missing</span>` : '',
  ];
  const bar = `left: ${percent(node.offsetUs, scale)}; width: ${percent(node.durationUs, scale)}`;
  const end = `left: ${percent(node.offsetUs + node.durationUs, scale)}`;
  return h`
<details class="span ${origin}${node.error ? ' error' : ''}">
<summary class="row" title="${node.service}: ${node.operation} · ${duration}">
  <span class="label" style="--depth: ${depth}">
    <span class="name"><span class="svc">${breakable(node.service)}</span>: <span class="op">${breakable(node.operation)}</span></span>
    ${marks}
  </span>
  <span class="lane">
    <span class="bar" data-span-id="${node.spanId}" data-origin="${origin}" style="${bar}"></span>
    <span class="duration" style="${end}">${duration}</span>
  </span>
</summary>
${spanDetails(node, traceStartUs)}
</details>`;
}

function axis(scale: Scale): Html {
  const ticks: number[] = [];
  for (let us = 0; us <= scale.totalUs; us += scale.tickUs) ticks.push(us);
  return h`
<div class="row axis" aria-hidden="true">
  <span class="label">service: operation</span>
  <span class="lane">${ticks.map(
    (us) => h`<span class="tick" style="left: ${percent(us, scale)}">${formatTick(us)}</span>`,
  )}</span>
</div>`;
}

function pane(label: 'A' | 'B', trace: ComparedTrace, scale: Scale, jaeger: string): Html {
  const s = trace.summary;
  // offsets count from the trace's earliest span, which need not be a root
  const first = trace.spans[0];
  const traceStartUs = first ? first.startTime - first.offsetUs : 0;
  const started = new Date(Math.floor(traceStartUs / 1000)).toISOString();
  const rows = [...walk(trace.spans)].map(({ node, depth }) =>
    spanRow(node, depth, scale, traceStartUs),
  );
  const errors = s.errorSpans
    ? h` · <span class="error-text">⚠ ${plural(s.errorSpans, 'error span')}</span>`
    : '';
  return h`
<section class="pane" data-pane="${label}" aria-label="Trace ${label}">
  <header class="pane-head">
    <h2><span class="side">${label}</span> ${trace.selected}</h2>
    <p class="trace-id">trace <a class="mono" href="${jaegerTraceUrl(jaeger, trace.traceId)}">${trace.traceId}</a>
      · started ${started.replace('T', ' ').replace('Z', ' UTC')}</p>
    <p class="stats">${plural(s.spans, 'span')}: ${s.meshSpans} mesh, ${s.applicationSpans} application
      · ${formatDurationUs(s.durationUs)}${errors}</p>
    ${brokenNotice(label, trace)}
  </header>
  <div class="waterfall">${axis(scale)}${rows}</div>
</section>`;
}

/** The rows of the text report's summary table, durations to the microsecond. */
function summaryRows(trace: ComparedTrace): [string, string][] {
  const s = trace.summary;
  return [
    ['spans', `${s.spans} (${s.meshSpans} mesh, ${s.applicationSpans} application)`],
    ['roots', String(s.roots)],
    ['services', s.services.join(', ') || '-'],
    ['depth', String(s.depth)],
    ['duration', formatDurationUs(s.durationUs)],
    ['tags / logs', `${s.tags} / ${s.logs}`],
    ['baggage', s.baggageKeys.map((key) => `${key}=${s.baggage[key] ?? ''}`).join(', ') || '-'],
    ['errors', String(s.errorSpans)],
    ['orphans', String(s.orphanSpans)],
  ];
}

function onlyInList(detail: OneSidedDetail): Html {
  if (isEmptyDetail(detail)) return h`<p class="none">nothing</p>`;
  return h`<ul>
    ${
      detail.applicationSpans.length
        ? h`<li>
            ${plural(detail.applicationSpans.length, 'application span')}:
            <ul>
              ${detail.applicationSpans.map((span) => h`<li>${span}</li>`)}
            </ul>
          </li>`
        : ''
    }
    ${detail.services.length ? h`<li>services: ${detail.services.join(', ')}</li>` : ''}
    ${detail.baggageKeys.length ? h`<li>baggage: ${detail.baggageKeys.join(', ')}</li>` : ''}
    ${detail.moreTags || detail.moreLogs ? h`<li>${detail.moreTags} more tags, ${detail.moreLogs} more logs</li>` : ''}
  </ul>`;
}

function summary(comparison: Comparison): Html {
  const rowsA = summaryRows(comparison.a);
  const rowsB = summaryRows(comparison.b);
  return h`<section class="summary" aria-label="Summary">
    <div class="only">
      <div class="card">
        <h3>What A shows that B doesn't</h3>
        ${onlyInList(comparison.onlyInA)}
      </div>
      <div class="card">
        <h3>What B shows that A doesn't</h3>
        ${onlyInList(comparison.onlyInB)}
      </div>
    </div>
    <h3>Summary</h3>
    <table class="numbers">
      <colgroup><col class="what"><col><col></colgroup>
      <thead>
        <tr>
          <th></th>
          <th scope="col">A</th>
          <th scope="col">B</th>
        </tr>
      </thead>
      <tbody>
        ${rowsA.map(
          ([name, value], i) =>
            h`<tr>
              <th scope="row">${name}</th>
              <td>${value}</td>
              <td>${rowsB[i]?.[1] ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="note">
      application: reported by a Jaeger client (its process carries the client's stamp); mesh:
      everything else, e.g. Envoy via Zipkin. Orphans: spans whose parent is missing from the trace.
    </p>
  </section>`;
}

export function renderHtml(comparison: Comparison): string {
  const { a, b, jaeger } = comparison;
  const scale = scaleFor(a.summary, b.summary);
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trace ${a.traceId} vs ${b.traceId}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header class="page-head">
  <h1>Two traces compared</h1>
  <p>From Jaeger at <span class="mono">${jaeger}</span>${comparison.queryApi ? h`, read through <span class="mono">${comparison.queryApi}</span>` : ''}
    · <a href="${jaegerDiffUrl(jaeger, a.traceId, b.traceId)}">open A and B in Jaeger's trace diff</a></p>
  <p class="legend">
    <span class="key mesh"><span class="swatch"></span> mesh (Envoy)</span>
    <span class="key app"><span class="swatch"></span> application</span>
    <span class="key"><span class="mark error-mark">⚠ error</span></span>
    <span class="key"><span class="mark orphan-mark">⚠ parent missing</span></span>
    <span class="hint">Both timelines on one scale, 0 to ${formatDurationUs(scale.totalUs)}.
      Click a span for its tags, logs and baggage.</span>
  </p>
</header>
<main>
<div class="panes" style="--tick: ${percent(scale.tickUs, scale)}">
${pane('A', a, scale, jaeger)}
${pane('B', b, scale, jaeger)}
</div>
${summary(comparison)}
</main>
</body>
</html>
`.markup;
}
