import type { Compare, SortKey } from './ordered-view.js';
import type { Rec } from './refs.js';
import type { Placed } from './stream-store.js';

/** An opaque cursor: base64url of a JSON value the simulator reads back. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The value of a cursor this simulator gave, or undefined for anything else. */
export function decodeCursor<T>(text: string, isShape: (v: unknown) => v is T): T | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return isShape(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A list position as a cursor holds it: [time ms, id]. */
export function isSortKeyPair(v: unknown): v is [number, string] {
  return Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';
}

export function sortKeyOf(pair: readonly [number, string]): SortKey {
  return { t: pair[0], id: pair[1] };
}

/**
 * Keyset paging: up to `limit` records of a list (in its order) that come after `after` and that
 * `accept`, and whether another one follows. Positions are sort keys, not offsets, so records
 * added or removed elsewhere in the list while it is paged neither repeat nor go missing. The
 * caller narrows the list's range to start near `after`: the records skipped here share its time.
 */
export function keysetPage(
  placed: Iterable<Placed>,
  after: SortKey | undefined,
  compare: Compare,
  limit: number,
  accept: (r: Rec) => boolean = () => true,
): { page: Placed[]; more: boolean } {
  const page: Placed[] = [];
  for (const p of placed) {
    if (after && compare(p.key, after) <= 0) continue;
    if (!accept(p.record)) continue;
    if (page.length === limit) return { page, more: true };
    page.push(p);
  }
  return { page, more: false };
}
