import type { Rec } from './refs.js';

/** Where a record sits in its list: time (0 for lists sorted by key alone), then key. */
export interface SortKey {
  t: number;
  id: string;
}
export type Compare = (a: SortKey, b: SortKey) => number;

export const ascending: Compare = (a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
export const descending: Compare = (a, b) => ascending(b, a);

/** A time range in ms; a missing bound is open. */
export interface Range {
  sinceMs?: number;
  untilMs?: number;
}

/** Whether a time falls in the range: since inclusive, until exclusive, as PagerDuty's lists filter. */
export function inRange(range: Range, ms: number): boolean {
  return (range.sinceMs === undefined || ms >= range.sinceMs) && (range.untilMs === undefined || ms < range.untilMs);
}

/** The generated records one query selects, in list order, each computed on demand. */
export interface OrderedView {
  readonly length: number;
  keyAt(pos: number): string;
  sortKeyAt(pos: number): SortKey;
  recordAt(pos: number): Rec;
  /** Position of the record with this key, if the view holds it. */
  posOf(key: string): number | undefined;
}

/** A stream's generated data: how its records are keyed and ordered, and what a range selects. */
export interface StreamModel {
  keyOf(r: Rec): string;
  sortKeyOf(r: Rec): SortKey;
  readonly compare: Compare;
  view(range: Range): OrderedView;
  /** Whether a record (an added one) belongs in the range's list. */
  inRange(r: Rec, range: Range): boolean;
  /** The generated record with this key, ignoring changes made since. */
  find(key: string): Rec | undefined;
}

/** How many records of the view come before `key` in list order. */
export function insertionPoint(view: OrderedView, key: SortKey, compare: Compare): number {
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(view.sortKeyAt(mid), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
