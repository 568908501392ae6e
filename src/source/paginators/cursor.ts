import { ApiError } from '../../errors.js';
import type { FetchPage, PageRequest } from '../page-request.js';
import type { Sink } from '../stream-item.js';
import { listPage } from './list-page.js';

/** Empty pages in a row that still name a next cursor, before the list is taken to loop. */
const MAX_EMPTY_PAGES = 3;

/**
 * Cursor pagination (`/audit/records`): `limit`, then the previous answer's `next_cursor`, until it
 * is null. Pages come strictly one after another; there is no offset, no total and no cap. Stop
 * conditions are named: the end (no next cursor); a cursor seen before (the server loops); too many
 * empty pages in a row.
 */
export async function readCursorList(fetchPage: FetchPage, request: PageRequest, envelope: string, limit: number, part: string, sink: Sink): Promise<void> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let empty = 0; ; ) {
    const body = await fetchPage(request.path, { ...request.query, limit, ...(cursor ? { cursor } : {}) }, request.body);
    const page = listPage(body, envelope, `GET ${request.path}`);
    await sink({ kind: 'records', part, records: page.records });
    const next = typeof body.next_cursor === 'string' && body.next_cursor !== '' ? body.next_cursor : undefined;
    if (!next) return;
    if (seen.has(next)) throw new ApiError(`GET ${request.path}: next_cursor ${JSON.stringify(next)} came twice: refusing to loop`, 200, undefined, request.path);
    empty = page.records.length === 0 ? empty + 1 : 0;
    if (empty >= MAX_EMPTY_PAGES) throw new ApiError(`GET ${request.path}: ${empty} empty pages in a row with a next_cursor: refusing to loop`, 200, undefined, request.path);
    seen.add(next);
    cursor = next;
  }
}
