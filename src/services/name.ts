/** The one rule for names, shared by hello and formatter (a name is reflected in the answer). */
export const MAX_NAME_LENGTH = 256;

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

export function checkName(raw: unknown): NameCheck {
  if (Array.isArray(raw)) return { ok: false, message: 'name must be given once' };
  if (typeof raw !== 'string' || raw === '') return { ok: false, message: 'name is required' };
  // code points, not UTF-16 units: an emoji counts as one character
  if ([...raw].length > MAX_NAME_LENGTH)
    return { ok: false, message: `name is longer than ${MAX_NAME_LENGTH} characters` };
  return { ok: true, name: raw };
}
