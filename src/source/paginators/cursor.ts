import { ApiError } from '../../errors.js';
import type { Paging } from '../../catalogue/catalogue.js';
import { listPage } from './list-page.js';
import type { Paginator, PageRun } from './paginator.js';

/** Empty pages in a row that still name a next cursor, before the list is taken to loop. */
const MAX_EMPTY_PAGES = 3;

/**
 * Cursor pagination (`/audit/records`): the page size, then the previous answer's next cursor,
 * until it is null. Pages come strictly one after another; there is no offset, no total and no
 * cap. Stop conditions are named: the end (no next cursor); a cursor seen before (the server
 * loops); too many empty pages in a row.
 */
export async function readCursorList({ fetch, request, envelope, fields, limit, part, sink }: PageRun<Paging['cursor']>): Promise<void> {
  const where = `${request.method} ${request.path}`;
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let empty = 0; ; ) {
    const body = await fetch({ ...request, query: { ...request.query, [fields.limit]: limit, ...(cursor ? { [fields.cursor]: cursor } : {}) } });
    const page = listPage(body, envelope, where);
    await sink({ kind: 'records', part, records: page.records });
    const value = body[fields.next];
    const next = typeof value === 'string' && value !== '' ? value : undefined;
    if (!next) return;
    if (seen.has(next)) throw new ApiError(`${where}: ${fields.next} ${JSON.stringify(next)} came twice: refusing to loop`, 200, undefined, request.path);
    empty = page.records.length === 0 ? empty + 1 : 0;
    if (empty >= MAX_EMPTY_PAGES) throw new ApiError(`${where}: ${empty} empty pages in a row with a ${fields.next}: refusing to loop`, 200, undefined, request.path);
    seen.add(next);
    cursor = next;
  }
}

export const cursorPaginator: Paginator<'cursor'> = { read: readCursorList };
