import type { Paging, PagingFields } from '../../catalogue/catalogue.js';
import { analyticsPaginator } from './analytics.js';
import { cursorPaginator } from './cursor.js';
import { offsetPaginator } from './offset-paginator.js';
import type { Paginator, PageRun } from './paginator.js';
import { singlePaginator } from './single.js';

/** Every paginator, by the name a catalogue stream gives in `paginator:`. */
export const PAGINATORS: { [K in keyof Paging]: Paginator<K> } = {
  offset: offsetPaginator,
  cursor: cursorPaginator,
  analytics: analyticsPaginator,
  none: singlePaginator,
};

/** Reads one request's pages with the paginator of that name; `run.fields` are that paginator's (StreamSpec.paging). */
export function readPages(name: keyof Paging, run: PageRun<PagingFields>): Promise<void> {
  return (PAGINATORS[name] as { read(run: PageRun<PagingFields>): Promise<void> }).read(run);
}
