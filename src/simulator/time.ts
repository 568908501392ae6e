export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** PagerDuty's timestamp form: UTC, no milliseconds. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A query timestamp in ms, or undefined when it is not ISO 8601. A time without an offset is
 * read as UTC: the simulator's account time zone is UTC.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  let s = text.trim().replace(' ', 'T');
  if (!m[1]) s += s.includes('T') ? 'Z' : 'T00:00:00Z';
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

export function addUtcMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

export function floorToUtcDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** The first whole second at or after `ms`: PagerDuty's timestamps have no milliseconds. */
export function ceilToSecond(ms: number): number {
  return Math.ceil(ms / SECOND) * SECOND;
}
