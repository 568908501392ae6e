/**
 * What PostgreSQL can store of a value as the API sent it. Text and jsonb cannot hold U+0000, and
 * jsonb refuses a lone surrogate (`\ud800` with no partner); a timestamp must be a real date
 * (2024-02-30 is not). Each function says what it changed, so the original can be kept.
 */

/** Why a value could not be stored as sent. */
export type Alteration = 'nul' | 'surrogate';

export interface Cleaned<T> {
  value: T;
  /** Set when the stored value differs from the one sent. */
  altered?: Alteration;
}

/** A string PostgreSQL can hold: U+0000 removed, lone surrogates as U+FFFD. */
export function cleanString(s: string): Cleaned<string> {
  let value = s;
  let altered: Alteration | undefined;
  if (value.includes('\0')) {
    value = value.replaceAll('\0', '');
    altered = 'nul';
  }
  if (!value.isWellFormed()) {
    value = value.toWellFormed();
    altered ??= 'surrogate';
  }
  return altered ? { value, altered } : { value };
}

/** In JSON text, the escapes of U+0000 and of surrogates (a well-formed pair is written as itself, never escaped). */
const SUSPECT_ESCAPE = /\\u(0000|d[89a-f])/i;

/** A value's JSON text, for a jsonb column: the value's own, unless it holds what jsonb cannot. */
export function jsonText(v: unknown): Cleaned<string> {
  const text = JSON.stringify(v);
  // The common case costs one test of the text; only a suspect one is walked.
  if (!SUSPECT_ESCAPE.test(text)) return { value: text };
  const c = cleanJson(v);
  return c.altered ? { value: JSON.stringify(c.value), altered: c.altered } : { value: text };
}

/** A JSON value jsonb can hold: every string and key cleaned. */
export function cleanJson(v: unknown): Cleaned<unknown> {
  let altered: Alteration | undefined;
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const c = cleanString(x);
      altered ??= c.altered;
      return c.value;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.entries(x).map(([k, val]) => [walk(k) as string, walk(val)]));
    }
    return x;
  };
  const value = walk(v);
  return altered ? { value, altered } : { value };
}

/** A value as `_pdsync_rejected` keeps it: as sent, or its JSON text when jsonb cannot hold it. */
export function keepable(v: unknown): unknown {
  return cleanJson(v).altered ? { $json: JSON.stringify(v) } : v;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Whether a string is a timestamp PostgreSQL accepts: the form, and a day and time that exist. */
export function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const d = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  return (
    d.getUTCFullYear() === year && d.getUTCMonth() === month! - 1 && d.getUTCDate() === day &&
    hour! < 24 && minute! < 60 && second! < 60
  );
}

/** PostgreSQL counts identifier length in bytes: at most 63. */
export const MAX_IDENTIFIER_BYTES = 63;

export function fitsIdentifier(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES;
}
