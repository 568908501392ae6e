import type { ChangeFeed } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import type { FetchPage } from '../source/page-request.js';
import { takeExpanded } from '../source/expanded-records.js';
import { readStream } from '../source/stream-reader.js';

export interface FeedRead {
  /** The records the feed named (incidents), in full, as they are now. */
  changed: Map<string, ApiRecord>;
  /** The feed's own records (log entries), each naming its record by reference, as a run stores them. */
  entries: ApiRecord[];
}

/**
 * The account's change feed over [since, until): `GET /log_entries?include[]=incidents`, read by the
 * engine's paginator and windows as a run reads it. One page names up to 100 changes, each
 * incident in its current state.
 */
export async function readChangeFeed(fetchPage: FetchPage, feed: ChangeFeed, window: { since: Date; until: Date }, paging: { pageLimit: number; maxOffset: number }): Promise<FeedRead> {
  const changed = new Map<string, ApiRecord>();
  const entries: ApiRecord[] = [];
  const items = readStream(feed.spec, fetchPage, { ...paging, ...window, keyOf: (r) => String(r.id) });
  for await (const item of items) {
    if (item.kind === 'records') entries.push(...takeExpanded(item.records, feed.record, feed.recordType, changed));
  }
  return { changed, entries };
}
