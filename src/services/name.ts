/** The one rule for names, shared by hello and formatter (a name is reflected in the answer). */
export const MAX_NAME_LENGTH = 256;

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

/**
 * Whitespace as JavaScript's `\s` knows it (which has U+FEFF) and as Unicode's White_Space
 * property does (which has U+0085): spaces, tabs, line breaks, no-break and ideographic spaces.
 */
const ONLY_WHITESPACE = /^[\s\p{White_Space}]+$/u;

/**
 * A name is accepted as given, surrounding whitespace included (it is not trimmed); a name
 * of nothing but whitespace would greet nobody, so it is refused like an empty one.
 */
export function checkName(raw: unknown): NameCheck {
  if (Array.isArray(raw)) return { ok: false, message: 'name must be given once' };
  if (typeof raw !== 'string' || raw === '') return { ok: false, message: 'name is required' };
  if (ONLY_WHITESPACE.test(raw)) return { ok: false, message: 'name is only whitespace' };
  // code points, not UTF-16 units: an emoji counts as one character
  if ([...raw].length > MAX_NAME_LENGTH)
    return { ok: false, message: `name is longer than ${MAX_NAME_LENGTH} characters` };
  return { ok: true, name: raw };
}
