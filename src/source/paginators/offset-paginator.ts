import { ApiError } from '../../errors.js';
import type { Paging } from '../../catalogue/catalogue.js';
import { type FetchList, type ListPage, listPage } from './list-page.js';
import { type OffsetOptions, readOffsetList } from './offset.js';
import type { Paginator, PageRun } from './paginator.js';

type OffsetRun = PageRun<Paging['offset']>;

/** The run's request as a list of pages by query (its limit and offset set by the reader). */
export function listOf(run: OffsetRun): FetchList {
  const where = `${run.request.method} ${run.request.path}`;
  return async (query) => listPage(await run.fetch({ ...run.request, query }), run.envelope, where, run.fields);
}

/** The first page of an offset list, asking for its total. */
export function firstPage(run: OffsetRun): Promise<ListPage> {
  const { fields, request, limit } = run;
  return listOf(run)({ ...request.query, [fields.limit]: limit, [fields.offset]: 0, [fields.total]: true });
}

export function offsetOptions(run: OffsetRun): OffsetOptions {
  const { list } = run;
  return { fields: run.fields, limit: run.limit, pagesAhead: list.pagesAhead, unstable: list.unstable, keyOf: list.keyOf, maxPasses: list.maxPasses };
}

/** The pages of `run`'s request after its first. */
export function readOnAfter(run: OffsetRun, first: ListPage): Promise<void> {
  return readOffsetList(listOf(run), run.request.query, first, run.part, run.sink, offsetOptions(run), run.request.path);
}

/**
 * An offset list that is read whole (no window to narrow it): past PagerDuty's offset cap it
 * cannot be read, and says so rather than stopping silently at the cap.
 */
export const offsetPaginator: Paginator<'offset'> = {
  async read(run) {
    const first = await firstPage(run);
    const { maxOffset, unstable, onTotal } = run.list;
    if (first.total !== undefined && first.total + run.limit > maxOffset) {
      throw new ApiError(`GET ${run.request.path}: ${first.total} records in a list that cannot be narrowed: PagerDuty lists at most ${maxOffset} per query`, 200, undefined, run.request.path);
    }
    if (unstable && first.total !== undefined) onTotal?.(first.total);
    return readOnAfter(run, first);
  },
};
