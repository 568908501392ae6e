import { invalidInput, invalidSinceUntil } from './api-errors.js';
import { decodeCursor, encodeCursor, keysetPage } from './cursor-pages.js';
import { type WindowParams, bound } from './list-rules.js';
import { type Range, type SortKey, descending } from './ordered-view.js';
import type { StreamStore } from './stream-store.js';
import { DAY } from './time.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
const MAX_WINDOW_DAYS = 31;

/** What a next_cursor holds: the window of the first request and the last record given. */
type AuditCursor = [version: 1, sinceMs: number, untilMs: number, t: number, id: string];

function isAuditCursor(v: unknown): v is AuditCursor {
  return Array.isArray(v) && v.length === 5 && v[0] === 1 && v.slice(1, 4).every(Number.isSafeInteger) && typeof v[4] === 'string';
}

function limitOf(q: URLSearchParams): number {
  const v = q.get('limit');
  if (v === null) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT) throw invalidInput(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return Number(v);
}

/** until defaults to now and since to 24 hours before until; at most 31 days apart. */
function windowOf(q: URLSearchParams, w: WindowParams, nowMs: number): Required<Range> {
  const untilMs = bound(q, w.until) ?? nowMs;
  const sinceMs = bound(q, w.since) ?? untilMs - DAY;
  if (sinceMs > untilMs) throw invalidSinceUntil('since must not be after until');
  if (untilMs - sinceMs > MAX_WINDOW_DAYS * DAY) throw invalidInput(`The time range between since and until cannot be more than ${MAX_WINDOW_DAYS} days`);
  return { sinceMs, untilMs };
}

/** A cursor-paged stream: its name in the store, its envelope and window from the catalogue. */
export interface CursorList {
  stream: string;
  envelope: string;
  window: WindowParams;
}

/**
 * A cursor-paged list, as GET /audit/records: newest first. The cursor names the request's window
 * and the last record given, so a page is the records just older than it (keyset, not offset):
 * no offset, no total, no 10,000 cap. With a cursor, since and until come from it.
 */
export function cursorPage(store: StreamStore, list: CursorList, q: URLSearchParams, nowMs: number): Record<string, unknown> {
  const limit = limitOf(q);
  const text = q.get('cursor');
  const cursor = text === null || text === '' ? undefined : decodeCursor(text, isAuditCursor);
  if (text && !cursor) throw invalidInput('cursor is not a next_cursor this API gave');
  const window = cursor ? { sinceMs: cursor[1], untilMs: cursor[2] } : windowOf(q, list.window, nowMs);
  const after: SortKey | undefined = cursor && { t: cursor[3], id: cursor[4] };
  // Newest first: the records after the cursor's are at or before its time.
  const range = { sinceMs: window.sinceMs, untilMs: after ? Math.min(window.untilMs, after.t + 1) : window.untilMs };
  const { page, more } = keysetPage(store.scan(list.stream, range), after, descending, limit);
  const last = page.at(-1);
  const next: AuditCursor | undefined = more && last ? [1, window.sinceMs, window.untilMs, last.key.t, last.key.id] : undefined;
  return { [list.envelope]: page.map((p) => p.record), next_cursor: next ? encodeCursor(next) : null, limit, response_metadata: null };
}
