/**
 * The HTML report as markup: one bar per span with its id and origin, one time scale,
 * the links to Jaeger, nothing loaded from anywhere, and everything from Jaeger escaped.
 * (That it reads right in a browser: html.browser.ts, `npm run test:browser`.)
 */
import type { Comparison } from '../../tools/compare/compare.js';
import { escapeHtml, formatDurationUs, renderHtml } from '../../tools/compare/html.js';
import { STYLE } from '../../tools/compare/html-style.js';
import type { JaegerTrace } from '../../tools/compare/jaeger-api.js';
import { walk } from '../../tools/compare/span-tree.js';
import {
  brokenTrace,
  comparisonOf,
  JAEGER,
  recordedTraces,
  spanNamed,
  traceOf,
} from './html-fixtures.js';
import { ids, recorded } from './recorded.js';

interface Bar {
  spanId: string;
  origin: string;
  left: number;
  width: number;
}

/** The markup of one pane: its section, which holds no other section. */
function paneOf(html: string, side: 'A' | 'B'): string {
  const pane = new RegExp(`<section class="pane" data-pane="${side}"[\\s\\S]*?</section>`).exec(
    html,
  );
  if (!pane) throw new Error(`no pane ${side}`);
  return pane[0];
}

function barsOf(pane: string): Bar[] {
  const bar =
    /<span class="bar" data-span-id="([^"]*)" data-origin="([^"]*)" style="left: ([\d.]+)%; width: ([\d.]+)%"><\/span>/g;
  return [...pane.matchAll(bar)].map(([, spanId = '', origin = '', left = '', width = '']) => ({
    spanId,
    origin,
    left: Number(left),
    width: Number(width),
  }));
}

interface Tag {
  name: string;
  attributes: Map<string, string>;
}

/**
 * Every tag of the page, read strictly: a `<` that does not open a well-formed tag whose
 * attribute values hold no quote or angle bracket fails the test. So text from Jaeger
 * that was not escaped shows up here, as a stray tag or attribute.
 */
function tagsOf(html: string): Tag[] {
  const body = html.replace(/<style>[^<]*<\/style>/, '<style></style>');
  const tags: Tag[] = [];
  for (const [raw] of body.matchAll(/<[^>]*>?/g)) {
    if (raw === '<!doctype html>') continue;
    const tag = /^<\/?([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>$/.exec(raw);
    if (!tag) throw new Error(`not a well-formed tag: ${raw}`);
    const attributes = new Map<string, string>();
    for (const [, name = '', value = ''] of (tag[2] ?? '').matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      attributes.set(name, value);
    }
    tags.push({ name: tag[1] ?? '', attributes });
  }
  return tags;
}

/** What a reader sees, roughly: the text without tags, entities decoded, spaces collapsed. */
function textOf(html: string): string {
  const entities: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
  };
  return html
    .replace(/<style>[^<]*<\/style>/, '')
    .replace(/<\/?(?:span|a|strong|wbr)\b[^>]*>/g, '') // inline: no space
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .replace(/\s+/g, ' ');
}

function nodesOf(comparison: Comparison, side: 'a' | 'b') {
  return [...walk(comparison[side].spans)].map(({ node }) => node);
}

describe('the HTML report of the recorded traces', () => {
  const { a, b } = recordedTraces();
  const comparison = comparisonOf(a, b);
  const html = renderHtml(comparison);

  it('draws one bar per span in each pane, with the span id and where it came from', () => {
    for (const [side, trace] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const bars = barsOf(paneOf(html, side));
      expect(bars.map((bar) => bar.spanId).sort()).toEqual(trace.spans.map((s) => s.spanID).sort());
      for (const bar of bars) expect(bar.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    const origins = barsOf(paneOf(html, 'A')).map((bar) => bar.origin);
    expect(origins).toEqual(['mesh', 'app', 'app', 'app', 'app']); // depth first, as the tree
    expect(barsOf(paneOf(html, 'B')).map((bar) => bar.origin)).toEqual(['mesh']);
  });

  it('puts both panes on one scale: the longer trace spans the whole lane', () => {
    const scaleUs = Math.max(comparison.a.summary.durationUs, comparison.b.summary.durationUs);
    expect(scaleUs).toBe(comparison.b.summary.durationUs); // B (248 ms) is the longer
    for (const side of ['a', 'b'] as const) {
      const bars = barsOf(paneOf(html, side === 'a' ? 'A' : 'B'));
      for (const node of nodesOf(comparison, side)) {
        const bar = bars.find((x) => x.spanId === node.spanId);
        expect(bar?.width).toBeCloseTo((node.durationUs / scaleUs) * 100, 3);
        expect(bar?.left).toBeCloseTo((node.offsetUs / scaleUs) * 100, 3);
      }
    }
    expect(barsOf(paneOf(html, 'B'))[0]?.width).toBe(100);
  });

  it('labels each span service: operation with its duration to the microsecond', () => {
    const text = textOf(paneOf(html, 'A'));
    expect(text).toContain(
      'istio-ingressgateway: hello.default.svc.cluster.local:8080/* 119.061 ms',
    );
    expect(text).toContain('hello: GET /sayHello/:name 151.000 ms');
    expect(text).toContain('formatter: format-greeting 31.000 ms');
  });

  it("shows each span's tags, logs and baggage in its details", () => {
    const server = paneOf(html, 'A')
      .split('<details')
      .find((part) => part.includes('21033a639c9b49e4'));
    const details = textOf(server ?? '');
    expect(details).toContain(`Baggage user-agent ${ids.userAgent}`);
    expect(details).toContain('Tags (6)');
    expect(details).toMatch(/http\.url \/sayHello\/\w+ span\.kind server/);
    expect(details).toContain('Logs (2)');
    // log times count from the trace's start, as the span's own start does
    expect(details).toContain('starts 26.163 ms after the trace');
    expect(details).toContain(`at 26.163 ms event baggage key user-agent value ${ids.userAgent}`);
    expect(details).toContain('origin application: reported by a Jaeger client');
  });

  it('links each trace and the pair to Jaeger UI', () => {
    const hrefs = tagsOf(html).flatMap((tag) => tag.attributes.get('href') ?? []);
    expect(hrefs.sort()).toEqual(
      [
        `${JAEGER}/trace/${ids.instrumented}`,
        `${JAEGER}/trace/${ids.headersOnly}`,
        `${JAEGER}/trace/${ids.instrumented}...${ids.headersOnly}`,
      ].sort(),
    );
  });

  it('loads nothing: no script, no stylesheet link, no src, no URL but the Jaeger links', () => {
    const tags = tagsOf(html);
    const names = new Set(tags.map((tag) => tag.name));
    expect(names).not.toContain('script');
    expect(names).not.toContain('link');
    expect(names).not.toContain('img');
    expect(names).not.toContain('iframe');
    for (const tag of tags) {
      expect(tag.attributes.has('src')).toBe(false);
      for (const [name, value] of tag.attributes) {
        if (/^(?:[a-z]+:)?\/\//i.test(value)) {
          expect(name).toBe('href');
          expect(value.startsWith(`${JAEGER}/trace/`)).toBe(true);
        }
      }
    }
    expect(STYLE).not.toMatch(/url\(|@import|@font-face|https?:/);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('carries the summary of the text report and what each trace shows that the other does not', () => {
    const text = textOf(html);
    expect(text).toContain(
      "What A shows that B doesn't 4 application spans: hello GET /sayHello/:name hello GET /formatGreeting formatter GET /formatGreeting formatter format-greeting services: hello, formatter baggage: user-agent",
    );
    expect(text).toContain("What B shows that A doesn't nothing");
    expect(text).toContain('spans 5 (1 mesh, 4 application) 1 (1 mesh, 0 application)');
    expect(text).toContain('roots 1 1');
    expect(text).toContain('orphans 0 0');
    expect(text).not.toContain('is broken');
  });
});

describe('the HTML report of a broken trace', () => {
  it('says in words how many orphan spans and roots it has, and marks the orphan', () => {
    const { trace, orphanId } = brokenTrace();
    const html = renderHtml(comparisonOf(trace, traceOf(recorded.headersOnly)));
    const paneA = textOf(paneOf(html, 'A'));
    expect(paneA).toContain(
      'Trace A is broken: 1 orphan span (a parent that is not in the trace) and 1 root (a whole trace has one)',
    );
    expect(textOf(paneOf(html, 'B'))).not.toContain('broken');
    const orphanRow = paneOf(html, 'A')
      .split('<details')
      .find((row) => row.includes(orphanId));
    expect(textOf(orphanRow ?? '')).toContain('⚠ parent missing');
    expect(textOf(html)).toContain('orphans 1 0');
  });
});

describe('error spans', () => {
  it('are marked by colour and in words', () => {
    const { a, b } = recordedTraces();
    spanNamed(a, 'format-greeting').tags.push({ key: 'error', type: 'bool', value: true });
    const html = renderHtml(comparisonOf(a, b));
    const rows = paneOf(html, 'A').split('<details').slice(1);
    const errorRows = rows.filter((row) => row.startsWith(' class="span app error"'));
    expect(errorRows).toHaveLength(1);
    expect(textOf(errorRows[0] ?? '')).toMatch(/formatter: format-greeting ⚠ error/);
    expect(textOf(paneOf(html, 'A'))).toContain('⚠ 1 error span');
  });
});

describe('escaping', () => {
  const evil = (n: number) => `<script>alert(${n})</script>"'&`;

  function evilTrace(): JaegerTrace {
    const trace = traceOf(recorded.instrumented);
    const server = spanNamed(trace, 'GET /sayHello/:name');
    server.operationName = evil(1);
    server.tags.push({ key: evil(2), value: evil(3) }, { key: 'baggage.x', value: evil(4) });
    server.logs.push({ timestamp: server.startTime, fields: [{ key: 'event', value: evil(5) }] });
    const process = trace.processes[server.processID];
    if (process) process.serviceName = `" onmouseover="${evil(6)}`;
    trace.traceID = `"><img src=x onerror=alert(7)>`;
    return trace;
  }

  it('escapes everything that comes from Jaeger, in text and in attributes', () => {
    const comparison = comparisonOf(evilTrace(), traceOf(recorded.headersOnly));
    comparison.a.selected = evil(8);
    const html = renderHtml(comparison);
    const tags = tagsOf(html); // throws on any stray tag or broken attribute
    expect(tags.map((tag) => tag.name)).not.toContain('script');
    expect(tags.map((tag) => tag.name)).not.toContain('img');
    for (const tag of tags) expect(tag.attributes.has('onmouseover')).toBe(false);
    expect(html).not.toMatch(/<script|<img/i);
    const text = textOf(html);
    for (let n = 1; n <= 8; n++) {
      if (n !== 7) expect(text).toContain(evil(n));
    }
    expect(text).toContain('"><img src=x onerror=alert(7)>');
    // the trace id goes into the Jaeger links URL-encoded
    expect(html).toContain(
      `href="${JAEGER}/trace/${encodeURIComponent('"><img src=x onerror=alert(7)>')}"`,
    );
  });

  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('formatDurationUs', () => {
  it('shows microseconds, in the units of the text report', () => {
    expect([851, 999, 1000, 11_192, 999_999, 2_345_678].map(formatDurationUs)).toEqual([
      '851 µs',
      '999 µs',
      '1.000 ms',
      '11.192 ms',
      '999.999 ms',
      '2.345678 s',
    ]);
  });
});
