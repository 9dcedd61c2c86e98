/**
 * Trace and span ids as they must travel between Envoy and the services: exactly 16 or
 * 32 lower-case hex digits, never all zeros. jaeger-client drops leading zeros and
 * validates with parseInt; Envoy reads a 16-digit trace id as 64-bit, so a shortened
 * 128-bit id splits the trace. These helpers are the one definition of "valid".
 */
const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ZEROS_OR_EMPTY = /^0*$/;

/** The wire's sampling flags (jaeger's flags field; W3C has only `sampled`). */
export const SAMPLED_FLAG = 0x01;
export const DEBUG_FLAG = 0x02;

/** No id at all: empty, or nothing but zeros (every format reads that as "absent"). */
export function isZeroId(id: string): boolean {
  return ZEROS_OR_EMPTY.test(id);
}

export function isValidTraceId(id: string): boolean {
  return (HEX32.test(id) || HEX16.test(id)) && !isZeroId(id);
}

export function isValidSpanId(id: string): boolean {
  return HEX16.test(id) && !isZeroId(id);
}

/** Left-pads a hex id to the width the wire expects (16, or 32 for a 128-bit trace id). */
export function padId(id: string, width: 16 | 32): string {
  return id.length >= width ? id : id.padStart(width, '0');
}

/** A trace id as 32 digits (W3C has no 64-bit form: a 64-bit id is left-padded). */
export function toTraceId128(id: string): string {
  return padId(id, 32);
}
