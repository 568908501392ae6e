import type { TimeWindow } from './time-windows.js';

const SECOND_MS = 1000;

/**
 * Splits a window whose total exceeds the offset cap into pieces expected to hold about
 * `target` records each (at least two), on whole seconds. Undefined when the window is
 * already one second wide and cannot be split.
 */
export function splitWindow(w: TimeWindow, total: number, target: number): TimeWindow[] | undefined {
  const span = w.until.getTime() - w.since.getTime();
  if (span <= SECOND_MS) return undefined;
  const pieces = Math.min(Math.max(2, Math.ceil(total / target)), Math.floor(span / SECOND_MS));
  const step = Math.ceil(span / pieces / SECOND_MS) * SECOND_MS;
  const out: TimeWindow[] = [];
  for (let start = w.since.getTime(); start < w.until.getTime(); start += step) {
    out.push({ since: new Date(start), until: new Date(Math.min(start + step, w.until.getTime())) });
  }
  return out;
}
