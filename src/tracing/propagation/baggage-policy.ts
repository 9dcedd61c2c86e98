import type { BaggageLimits } from '../../config.js';

/** What the policy did to one request's baggage, for counters and span logs. */
export interface BaggageReport {
  /** Keys not on the allowlist, or past the per-request total. */
  dropped: { key: string; reason: 'not-allowed' | 'total-exceeded' }[];
  truncated: { key: string; originalBytes: number; keptBytes: number }[];
}

const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (utf8Length(value) <= maxBytes) return value;
  let bytes = 0;
  let out = '';
  for (const char of value) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

/**
 * Baggage is input from the outside world that every hop copies onward: only allowlisted
 * keys pass, each value is capped, and the whole per request is capped, so a client
 * sending dozens of kilobyte-sized baggage-* headers cannot make us forward them.
 */
export class BaggagePolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(readonly limits: BaggageLimits) {
    this.allowed = new Set(limits.allowlist);
  }

  isAllowed(key: string): boolean {
    return this.allowed.has(key.toLowerCase());
  }

  apply(baggage: Readonly<Record<string, string>>): {
    baggage: Record<string, string>;
    report: BaggageReport;
  } {
    const report: BaggageReport = { dropped: [], truncated: [] };
    const kept: Record<string, string> = {};
    let total = 0;
    for (const [key, value] of Object.entries(baggage)) {
      if (!this.isAllowed(key)) {
        report.dropped.push({ key, reason: 'not-allowed' });
        continue;
      }
      const capped = truncateUtf8(value, this.limits.maxValueBytes);
      const size = utf8Length(key) + utf8Length(capped);
      if (total + size > this.limits.maxTotalBytes) {
        report.dropped.push({ key, reason: 'total-exceeded' });
        continue;
      }
      if (capped !== value) {
        report.truncated.push({
          key,
          originalBytes: utf8Length(value),
          keptBytes: utf8Length(capped),
        });
      }
      total += size;
      kept[key] = capped;
    }
    return { baggage: kept, report };
  }
}
