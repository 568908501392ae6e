import pLimit from 'p-limit';
import { ApiError } from '../../errors.js';
import type { Paging } from '../../catalogue/catalogue.js';
import type { ApiRecord } from '../../record.js';
import type { Query } from '../query-string.js';
import type { Sink } from '../stream-item.js';
import type { FetchList, ListPage } from './list-page.js';

export interface OffsetOptions {
  /** The names of the page size, offset and total parameters (the catalogue's `paging.offset`). */
  fields: Paging['offset'];
  /** Records per page (PagerDuty's maximum is 100). */
  limit: number;
  /** Pages of one query fetched side by side once the total is known. */
  pagesAhead: number;
  /**
   * The list has no time window, so its order can change while it is read (users are sorted by
   * name): pages then overlap by one record, and a page that does not start where the one before
   * ended means the list moved, and the part is read again.
   */
  unstable: boolean;
  /** How a record is recognised across pages. */
  keyOf: (r: ApiRecord) => string;
  /** Passes over an unstable list before giving up on it. */
  maxPasses: number;
}

/** The query of the page at `offset`. */
function pageQuery(query: Query, o: OffsetOptions, offset: number): Query {
  return { ...query, [o.fields.limit]: o.limit, [o.fields.offset]: offset };
}

/** Named stop conditions, so a loop can only end for a reason. */
function refuseToLoop(page: ListPage, offset: number, path: string): void {
  if (page.more && page.records.length === 0) {
    throw new ApiError(`GET ${path}: more=true with an empty page at offset ${offset}: refusing to loop`, 200, undefined, path);
  }
}

/** Pages on one after another from `offset`, advancing by the records actually returned. */
async function readOnFrom(fetchList: FetchList, query: Query, offset: number, part: string, sink: Sink, o: OffsetOptions, path: string): Promise<void> {
  for (let at = offset; ; ) {
    const page = await fetchList(pageQuery(query, o, at));
    await sink({ kind: 'records', part, records: page.records });
    if (!page.more) return;
    refuseToLoop(page, at, path);
    at += page.records.length;
  }
}

/**
 * A stable list (a time window ending at the run's fixed `until`): the first page gives the
 * total, the rest are fetched side by side at known offsets. Fewer records than the total means
 * some were deleted while it was read, shifting others onto pages already read: the part is read
 * again from the start (repeats are harmless: the load keeps one row per key).
 */
async function readStable(fetchList: FetchList, query: Query, first: ListPage, part: string, sink: Sink, o: OffsetOptions, path: string): Promise<void> {
  await sink({ kind: 'records', part, records: first.records });
  if (!first.more) return;
  refuseToLoop(first, 0, path);
  if (first.total === undefined) return readOnFrom(fetchList, query, first.records.length, part, sink, o, path);
  const offsets: number[] = [];
  for (let at = first.records.length; at < first.total; at += o.limit) offsets.push(at);
  const ahead = pLimit(o.pagesAhead);
  let received = first.records.length;
  let grew = false;
  await Promise.all(
    offsets.map((offset, i) =>
      ahead(async () => {
        const page = await fetchList(pageQuery(query, o, offset));
        received += page.records.length;
        if (i === offsets.length - 1 && page.more && page.records.length === o.limit) grew = true;
        await sink({ kind: 'records', part, records: page.records });
      }),
    ),
  );
  if (received < first.total) return readOnFrom(fetchList, query, 0, part, sink, o, path);
  if (grew) return readOnFrom(fetchList, query, first.total, part, sink, o, path);
}

/**
 * One pass over an unstable list with pages overlapping by one record. Resolves to whether the
 * list moved during the pass (a page not starting where its neighbour ended).
 */
async function unstablePass(fetchList: FetchList, query: Query, first: ListPage, part: string, sink: Sink, o: OffsetOptions, path: string): Promise<boolean> {
  await sink({ kind: 'records', part, records: first.records });
  if (!first.more || first.total === undefined) return false;
  const step = o.limit - 1;
  const offsets: number[] = [];
  for (let at = step; at < first.total; at += step) offsets.push(at);
  const pages = new Map<number, ApiRecord[]>([[0, first.records]]);
  let moved = false;
  const joins = (before: ApiRecord[] | undefined, after: ApiRecord[] | undefined) =>
    !before || !after || (before.length > 0 && after.length > 0 && o.keyOf(before.at(-1)!) === o.keyOf(after[0]!));
  const ahead = pLimit(o.pagesAhead);
  let lastPage: ListPage | undefined;
  await Promise.all(
    offsets.map((offset, i) =>
      ahead(async () => {
        if (moved) return;
        const page = await fetchList(pageQuery(query, o, offset));
        refuseToLoop(page, offset, path);
        pages.set(offset, page.records);
        if (i === offsets.length - 1) lastPage = page;
        if (!joins(pages.get(offset - step), page.records) || !joins(page.records, pages.get(offset + step))) moved = true;
        await sink({ kind: 'records', part, records: page.records });
      }),
    ),
  );
  // A last page that is full and says there is more: records were added at the end. Read on.
  if (!moved && lastPage?.more) {
    const at = offsets.at(-1)! + lastPage.records.length;
    await readOnFrom(fetchList, query, at, part, sink, o, path);
  }
  return moved;
}

/** Reads one list query (a window, a piece of one, or a whole list) into the sink. */
export async function readOffsetList(
  fetchList: FetchList,
  query: Query,
  first: ListPage,
  part: string,
  sink: Sink,
  o: OffsetOptions,
  path: string,
): Promise<void> {
  if (!o.unstable) return readStable(fetchList, query, first, part, sink, o, path);
  let page = first;
  for (let pass = 1; ; pass++) {
    if (!(await unstablePass(fetchList, query, page, part, sink, o, path))) return;
    if (pass >= o.maxPasses) {
      throw new ApiError(`GET ${path}: the list changed while it was read, on each of ${pass} passes: try again when the account is quieter`, 200, undefined, path);
    }
    await sink({ kind: 'restart', part });
    page = await fetchList({ ...pageQuery(query, o, 0), [o.fields.total]: true });
  }
}
