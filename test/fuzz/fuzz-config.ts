/**
 * One place for the property tests' budget: a fixed seed (printed by fast-check with any
 * counterexample, so a failure replays with FUZZ_SEED=<seed>) and a fixed count, larger
 * with FUZZ_RUNS for a deeper run.
 */
import fc from 'fast-check';

export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);
export const CODEC_RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
export const HTTP_RUNS = Math.max(200, Math.round(CODEC_RUNS / 10));

export function settings(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, seed: FUZZ_SEED, endOnFailure: false, verbose: 1 };
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const HEX = hex(16);

/** An id-shaped value: right, wrong length, wrong case, non-hex, zeros, or anything at all. */
export const idLike = fc.oneof(
  hex(16),
  hex(32),
  hex(32).map((s) => s.toUpperCase()),
  fc.constantFrom('0'.repeat(16), '0'.repeat(32), '', '1zzzzzzzzzzzzzzz', 'a'.repeat(36)),
  fc.stringMatching(/^[0-9a-fA-Fxz-]{0,40}$/),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
);

/** Characters Node's HTTP client lets through in a header value (latin1, no controls). */
const latin1Char = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((code) => code !== 0x7f)
  .map((code) => String.fromCharCode(code));

/**
 * Arbitrary header text: unicode (or latin1, what can cross HTTP), percent garbage,
 * separators, and large values (up to `maxBytes`, to stay under the header limit over HTTP).
 */
export const headerText = (unicode: boolean, maxBytes = 8192) =>
  fc.oneof(
    unicode
      ? fc.string({ unit: 'grapheme', maxLength: 60 })
      : fc.string({ unit: latin1Char, maxLength: 60 }),
    fc.stringMatching(/^(%[0-9A-Fa-fzZ]{0,2}|[,;=:\- ])*$/),
    fc.constantFrom('', ' ', ',', '%', '%E0%A4%A', '=', ';;', 'k=v,k2=%ZZ'),
    fc.nat({ max: maxBytes }).map((n) => 'v'.repeat(n)),
  );

export const traceparentLike = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('00', 'ff', 'cc', '0g'),
      hex(32),
      HEX,
      fc.constantFrom('00', '01', 'ff', 'x'),
      fc.constantFrom('', '-extra'),
    )
    .map(([v, t, s, f, rest]) => `${v}-${t}-${s}-${f}${rest}`),
  fc.tuple(idLike, idLike).map(([t, s]) => `00-${t}-${s}-01`),
  fc.string({ maxLength: 80 }),
);

export const uberTraceIdLike = fc.oneof(
  fc
    .tuple(idLike, idLike, idLike, fc.constantFrom('0', '1', '2', '3', 'ff', 'x', ''))
    .map((p) => p.join(':')),
  fc.string({ maxLength: 80 }),
);

/** A hostile set of tracing headers (and some baggage), as a client or a broken peer might send. */
export const hostileHeaders = (unicode: boolean, maxValueBytes = 8192) => {
  const text = headerText(unicode, maxValueBytes);
  const tracing = fc.record(
    {
      'x-b3-traceid': idLike,
      'x-b3-spanid': idLike,
      'x-b3-parentspanid': idLike,
      'x-b3-sampled': fc.constantFrom('0', '1', 'true', 'false', '', 'maybe'),
      'x-b3-flags': fc.constantFrom('0', '1', '', 'x'),
      b3: text,
      traceparent: traceparentLike,
      tracestate: text,
      baggage: text,
      'uber-trace-id': uberTraceIdLike,
    },
    { requiredKeys: [] },
  );
  // built once, outside any chain: arbitraries are costly to construct per run
  const item = (value: fc.Arbitrary<string>) =>
    fc.tuple(
      fc.stringMatching(/^[a-z0-9-]{1,20}$/),
      value,
      fc.constantFrom('baggage-', 'uberctx-'),
    );
  const baggageItems = fc.oneof(
    { arbitrary: fc.array(item(text), { maxLength: 30 }), weight: 9 },
    // hundreds of headers (short values, so the whole block stays under the header limit)
    {
      arbitrary: fc.array(item(fc.stringMatching(/^[ -~]{0,40}$/)), {
        minLength: 100,
        maxLength: 300,
      }),
      weight: 1,
    },
  );
  return fc.tuple(tracing, baggageItems).map(([base, items]) => {
    const out: Record<string, string> = { ...base };
    for (const [key, value, prefix] of items) out[`${prefix}${key}`] = value;
    return out;
  });
};

/** What the instrumented path sends onward must be well-formed, whatever came in. */
export function assertWellFormed(
  out: Record<string, string | string[] | undefined>,
  allowlist: readonly string[],
): void {
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== 'string') continue;
    if (value.trim() === '') throw new Error(`empty header ${name}`);
    if (!/^[\x20-\x7e]+$/.test(value))
      throw new Error(`header ${name} is not visible ASCII: ${JSON.stringify(value)}`);
  }
  const id = (name: string, widths: number[]) => {
    const value = out[name];
    if (value === undefined) return;
    if (
      typeof value !== 'string' ||
      !widths.some((w) => new RegExp(`^[0-9a-f]{${w}}$`).test(value)) ||
      /^0+$/.test(value)
    )
      throw new Error(`${name} is not a full-width lower-case hex id: ${String(value)}`);
  };
  id('x-b3-traceid', [16, 32]);
  id('x-b3-spanid', [16]);
  id('x-b3-parentspanid', [16]);
  const traceparent = out['traceparent'];
  if (
    traceparent !== undefined &&
    !/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/.test(String(traceparent))
  )
    throw new Error(`bad traceparent ${String(traceparent)}`);
  for (const name of Object.keys(out)) {
    const key = name.startsWith('baggage-')
      ? name.slice(8)
      : name.startsWith('uberctx-')
        ? name.slice(8)
        : undefined;
    if (key !== undefined && !allowlist.includes(key))
      throw new Error(`baggage key ${key} is not allowlisted`);
  }
}
