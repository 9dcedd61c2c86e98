/**
 * `compare --html FILE` through run(): the page is written from the same comparison as
 * the text (by ids, by selector, with no arguments), where the user ran the command.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../tools/compare/cli.js';
import type { FetchJson } from '../../tools/compare/jaeger-query.js';
import { meshJaeger, meshTrace, SERVICES } from './mesh-traces.js';
import { ids, recorded, replaying } from './recorded.js';

const ALL = [recorded.instrumented, recorded.headersOnly, recorded.search, recorded.notFound];

async function compare(
  argv: string[],
  options: { env?: Record<string, string>; fetchJson?: FetchJson; keepFiles?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const code = await run({
    argv,
    env: options.env ?? {},
    columns: undefined,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    fetchJson: options.fetchJson ?? replaying(ALL),
    ...(options.keepFiles
      ? {}
      : { writeFile: async (path: string, text: string) => void written.set(path, text) }),
  });
  return { code, stdout: out.join(''), stderr: err.join(''), written };
}

const barIds = (html: string) =>
  [...html.matchAll(/<span class="bar" data-span-id="([0-9a-f]{16})"/g)].map(([, id]) => id);

describe('compare --html FILE', () => {
  it('writes the page where the command was run, and still prints the text', async () => {
    const { code, stdout, stderr, written } = await compare(
      ['--a', ids.instrumented, '--b', ids.headersOnly, '--html', 'report.html'],
      { env: { INIT_CWD: '/home/me/work' } },
    );
    expect(code).toBe(0);
    expect([...written.keys()]).toEqual(['/home/me/work/report.html']);
    expect(stderr).toBe('compare: wrote the HTML page to /home/me/work/report.html\n');
    expect(stdout).toMatch(/^Jaeger: http:\/\/localhost:16686, read through \/api\/traces/);
    const html = written.get('/home/me/work/report.html') ?? '';
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`href="http://localhost:16686/trace/${ids.instrumented}"`);
    expect(barIds(html)).toHaveLength(6); // 5 spans in A, 1 in B
  });

  it('writes it next to --json, from a selector, to a real file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
    try {
      const file = join(dir, 'out.html');
      const { code, stdout } = await compare(
        [
          '--a',
          `service=hello,operation=GET /sayHello/:name,tag.http.url=${searchedUrl()}`,
          '--b',
          ids.headersOnly,
          '--json',
          '--html',
          file,
        ],
        { keepFiles: true },
      );
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ a: { traceId: ids.latestOfSearch } });
      const html = readFileSync(file, 'utf8');
      expect(html).toContain(`trace/${ids.latestOfSearch}...${ids.headersOnly}"`);
      expect(html).toContain('latest trace of service=hello');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with no arguments, writes the mesh's latest pair", async () => {
    const instrumented = meshTrace({ shape: 'instrumented', path: '/sayHello/Bender', at: 10 });
    const headersOnly = meshTrace({ shape: 'headers-only', path: '/sayHello/Bender', at: 20 });
    const { code, written } = await compare(['--html', '/tmp/x.html'], {
      fetchJson: meshJaeger({
        [SERVICES.instrumented]: [instrumented],
        [SERVICES.headersOnly]: [headersOnly],
      }),
    });
    expect(code).toBe(0);
    const html = written.get('/tmp/x.html') ?? '';
    expect(barIds(html).sort()).toEqual(
      [...instrumented.spans, ...headersOnly.spans].map((s) => s.spanID).sort(),
    );
    expect(html).toContain('latest instrumented trace of GET /sayHello/:name');
  });

  it('exits 1 when the file cannot be written', async () => {
    const { code, stderr } = await compare(
      ['--a', ids.instrumented, '--b', ids.headersOnly, '--html', '/nonexistent/dir/x.html'],
      { keepFiles: true },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^compare: cannot write the HTML page to \/nonexistent\/dir\/x\.html: ENOENT/,
    );
  });

  it('exits 2 with the usage when FILE is missing or empty', async () => {
    for (const argv of [['--html'], ['--html', '']]) {
      const { code, stderr, written } = await compare(argv);
      expect(code).toBe(2);
      expect(stderr).toContain('Usage: npm run compare');
      expect(written.size).toBe(0);
    }
  });
});

function searchedUrl(): string {
  const tags = new URL(recorded.search.request, 'http://x').searchParams.get('tags') ?? '{}';
  return (JSON.parse(tags) as Record<string, string>)['http.url'] ?? '';
}
