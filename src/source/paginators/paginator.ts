import type { Paging } from '../../catalogue/catalogue.js';
import type { ApiRecord } from '../../record.js';
import type { FetchPage, PageRequest } from '../page-request.js';
import type { Sink } from '../stream-item.js';

/** What only an offset list uses: its cap, its read-ahead, and how it tells a list that moves. */
export interface ListOptions {
  /** PagerDuty refuses offset + limit beyond this. */
  maxOffset: number;
  /** Pages of one query fetched side by side once the total is known. */
  pagesAhead: number;
  /** The list has no time window, so its order can change while it is read (see OffsetOptions). */
  unstable: boolean;
  /** How a record is recognised across pages. */
  keyOf: (r: ApiRecord) => string;
  /** Passes over an unstable list before giving up on it. */
  maxPasses: number;
  /** Told the rows an unstable list holds, from its first page. */
  onTotal?: (rows: number) => void;
}

/** One request's pages to read: how to send it, where its records are, and where they go. */
export interface PageRun<F> {
  fetch: FetchPage;
  request: PageRequest;
  envelope: string;
  /** The names the paginator sends and reads, from the catalogue's `paging`. */
  fields: F;
  /** Records per page. */
  limit: number;
  part: string;
  sink: Sink;
  list: ListOptions;
}

/** A way of paging a list, found by its catalogue name in the registry (see registry.ts). */
export interface Paginator<K extends keyof Paging> {
  read(run: PageRun<Paging[K]>): Promise<void>;
}
