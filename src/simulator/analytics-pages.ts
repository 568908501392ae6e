import type { AnalyticsQuery } from './analytics-requests.js';
import { encodeCursor, keysetPage } from './cursor-pages.js';
import type { DerivedStreams } from './derived-streams.js';
import { type Range, ascending, descending } from './ordered-view.js';
import type { StreamStore } from './stream-store.js';

/**
 * The incidents list narrowed to one side of a cursor, in ascending terms: `up` reads the rows
 * after it (oldest first), else the rows before it (newest first).
 */
function sideOf(q: AnalyticsQuery, up: boolean): Range {
  const at = q.after ?? q.before;
  if (!at) return q.range;
  return up ? { sinceMs: Math.max(q.range.sinceMs, at.t), untilMs: q.range.untilMs } : { sinceMs: q.range.sinceMs, untilMs: Math.min(q.range.untilMs, at.t + 1) };
}

/**
 * POST /analytics/raw/incidents, its rows in `envelope`: one row per incident created in the range that passes the
 * filters, ordered by created_at. `first` and `last` are opaque keys of the page's first and last
 * rows (null on an empty page); `starting_after: last` asks for the rows after it in the order
 * asked, `ending_before: first` for the rows before it. `more` says whether rows remain that way.
 */
export function analyticsPage(store: StreamStore, derived: DerivedStreams, envelope: string, q: AnalyticsQuery): Record<string, unknown> {
  // Ascending travel: asc order read forwards, or desc order read back towards its start.
  const up = (q.order === 'asc') === (q.before === undefined);
  const { page, more } = keysetPage(store.scan('incidents', sideOf(q, up), !up), q.after ?? q.before, up ? ascending : descending, q.limit, q.accepts);
  const rows = q.before ? page.reverse() : page;
  const key = (i: number) => {
    const p = rows[i];
    return p ? encodeCursor([p.key.t, p.key.id]) : null;
  };
  return {
    [envelope]: derived.rowsOf(rows.map((p) => p.record)),
    first: key(0),
    last: key(rows.length - 1),
    more,
    limit: q.limit,
    order: q.order,
    order_by: 'created_at',
    filters: q.filters,
    time_zone: q.timeZone,
  };
}
