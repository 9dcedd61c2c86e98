/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core (which
 * downloads no browser). `npm run test:browser` runs it (jest.browser.config.js); `npm
 * test` does not. Without Chromium it fails, saying how to install it.
 *
 * Each page is opened from a file:// URL with every other request aborted and recorded:
 * the report must not even try to load anything.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { Comparison } from '../../tools/compare/compare.js';
import { renderHtml } from '../../tools/compare/html.js';
import { walk } from '../../tools/compare/span-tree.js';
import { brokenTrace, comparisonOf, recordedTraces, traceOf } from './html-fixtures.js';
import { meshTrace } from './mesh-traces.js';
import { recorded } from './recorded.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  // asked for by name (npm run test:browser): without a browser it fails, never skips
  describe('the HTML report in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}. Install it before npm run test:browser: ${INSTALL}`,
      );
    });
  });
} else {
  describe('the HTML report in Chromium', () => {
    const { a, b } = recordedTraces();
    const recordedPair = comparisonOf(a, b);
    const broken = brokenTrace();
    const brokenPair = comparisonOf(broken.trace, traceOf(recorded.headersOnly));
    // both shapes' gateway and sidecar spans last 5000 and 4900 µs; B's call to formatter is
    // made longer, so that B sets the scale
    const instrumented = meshTrace({ shape: 'instrumented', path: '/sayHello/Bender', at: 10 });
    const headersOnly = meshTrace({ shape: 'headers-only', path: '/sayHello/Bender', at: 20 });
    const last = headersOnly.spans.at(-1);
    if (last) last.duration = 9000;
    const meshPair = comparisonOf(instrumented, headersOnly);

    let dir: string;
    let context: BrowserContext;
    let page: Page;
    /** Every request for anything but a file, whether the route or the page saw it first. */
    const attempted = new Set<string>();

    async function open(comparison: Comparison, name: string): Promise<void> {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, renderHtml(comparison));
      await page.goto(pathToFileURL(file).href);
    }

    /** Each bar's width in pixels and its span's duration, by pane. */
    async function widths(comparison: Comparison) {
      const out: { pane: 'A' | 'B'; durationUs: number; px: number }[] = [];
      for (const [pane, trace] of [
        ['A', comparison.a],
        ['B', comparison.b],
      ] as const) {
        for (const { node } of walk(trace.spans)) {
          const box = await page
            .locator(`[data-pane="${pane}"] .bar[data-span-id="${node.spanId}"]`)
            .boundingBox();
          if (!box) throw new Error(`bar of ${node.spanId} in ${pane} is not shown`);
          out.push({ pane, durationUs: node.durationUs, px: box.width });
        }
      }
      return out;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
      // a fresh profile each run (launchPersistentContext passes it as --user-data-dir)
      context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1600, height: 1000 },
      });
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        attempted.add(url);
        return route.abort();
      });
      context.on('request', (request) => {
        if (!request.url().startsWith('file:')) attempted.add(request.url());
      });
      page = context.pages()[0] ?? (await context.newPage());
    });

    afterAll(async () => {
      await context?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    afterEach(() => {
      const tried = [...attempted];
      attempted.clear();
      expect(tried).toEqual([]); // the page loads nothing
    });

    it('shows both timelines, a bar per span', async () => {
      await open(recordedPair, 'recorded');
      for (const [pane, trace] of [
        ['A', a],
        ['B', b],
      ] as const) {
        expect(await page.locator(`[data-pane="${pane}"]`).isVisible()).toBe(true);
        const bars = page.locator(`[data-pane="${pane}"] .bar[data-span-id]`);
        expect(await bars.count()).toBe(trace.spans.length);
        for (const bar of await bars.all()) expect(await bar.isVisible()).toBe(true);
      }
      const [paneA, paneB] = await Promise.all(
        ['A', 'B'].map((pane) => page.locator(`[data-pane="${pane}"]`).boundingBox()),
      );
      expect(paneB?.x).toBeGreaterThan((paneA?.x ?? 0) + (paneA?.width ?? 0) - 1); // side by side
    });

    it('draws both panes on one scale: as many pixels per microsecond in either', async () => {
      await open(recordedPair, 'recorded');
      const perUs = (await widths(recordedPair))
        .filter(({ px }) => px >= 4) // thinner bars are held at their minimum width
        .map(({ pane, px, durationUs }) => ({ pane, ratio: px / durationUs }));
      expect(new Set(perUs.map(({ pane }) => pane))).toEqual(new Set(['A', 'B']));
      const ratios = perUs.map(({ ratio }) => ratio);
      expect(Math.max(...ratios) / Math.min(...ratios)).toBeLessThan(1.01);

      await open(meshPair, 'mesh');
      const bars = await widths(meshPair);
      expect(meshPair.b.summary.durationUs).toBeGreaterThan(meshPair.a.summary.durationUs);
      for (const durationUs of [5000, 4900]) {
        const [inA, inB] = (['A', 'B'] as const).map(
          (pane) => bars.find((bar) => bar.pane === pane && bar.durationUs === durationUs)?.px,
        );
        expect(inA).toBeGreaterThan(100);
        expect(Math.abs((inA ?? 0) - (inB ?? 0))).toBeLessThan(0.5);
      }
    });

    it("shows a span's tags, logs and baggage when its bar is clicked", async () => {
      await open(recordedPair, 'recorded');
      const server = [...walk(recordedPair.a.spans)].find(
        ({ node }) => node.operation === 'GET /sayHello/:name',
      )?.node;
      const row = page.locator('[data-pane="A"] details', {
        has: page.locator(`.bar[data-span-id="${server?.spanId}"]`),
      });
      const details = row.locator('.details');
      expect(await details.isVisible()).toBe(false);
      await page.click(`[data-pane="A"] .bar[data-span-id="${server?.spanId}"]`);
      expect(await details.isVisible()).toBe(true);
      const text = await details.innerText();
      for (const tag of server?.tags ?? []) expect(text).toContain(tag.key);
      expect(text).toMatch(/http\.url\s+\/sayHello\//);
      expect(text).toMatch(/user-agent\s+Mozilla\/3\.0 \(Netscape; I\)/); // baggage
      expect(text).toContain('greeting received'); // a log
    });

    it('says in words that a trace with an orphan is broken', async () => {
      await open(brokenPair, 'broken');
      const notice = page.locator('[data-pane="A"] .broken');
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.innerText()).toMatch(
        /Trace A is broken:\s+1 orphan span \(a parent that is not in the trace\) and 1 root/,
      );
      expect(await page.locator('[data-pane="B"] .broken').count()).toBe(0);
      const orphan = page.locator('[data-pane="A"] summary', {
        has: page.locator(`.bar[data-span-id="${broken.orphanId}"]`),
      });
      expect(await orphan.innerText()).toContain('⚠ parent missing');
    });
  });
}
