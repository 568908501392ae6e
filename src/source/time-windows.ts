export interface TimeWindow {
  since: Date;
  until: Date;
}

const DAY_MS = 24 * 3600 * 1000;

/** Splits [since, until) into consecutive windows of at most maxDays days. */
export function timeWindows(since: Date, until: Date, maxDays: number): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let start = since.getTime(); start < until.getTime(); start += maxDays * DAY_MS) {
    out.push({ since: new Date(start), until: new Date(Math.min(start + maxDays * DAY_MS, until.getTime())) });
  }
  return out;
}

/** PagerDuty's timestamp form: no milliseconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
