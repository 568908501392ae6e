import pLimit from 'p-limit';
import { ApiError } from '../errors.js';
import type { ApiRecord } from '../record.js';
import type { Paging, PagingFields, StreamSpec } from '../catalogue/catalogue.js';
import { PageChannel } from './page-channel.js';
import { baseRequest, type FetchPage, type PageRequest, windowRequest } from './page-request.js';
import { firstPage, readOnAfter } from './paginators/offset-paginator.js';
import type { PageRun } from './paginators/paginator.js';
import { readPages } from './paginators/registry.js';
import { readChildren } from './parent-router.js';
import { type Sink, type StreamItem, WHOLE_LIST, windowPart } from './stream-item.js';
import { formatTime, type TimeWindow, timeWindows } from './time-windows.js';
import { splitWindow } from './window-splitter.js';

export type { FetchPage } from './page-request.js';

export interface ReadOptions {
  pageLimit: number;
  /** PagerDuty refuses offset + limit beyond this. */
  maxOffset: number;
  since?: Date;
  until: Date;
  /** For a stream with a forward range: read [until, until + days) instead of "now". */
  forwardDays?: number;
  /** Windows read side by side; the shared limiter still bounds requests in flight. */
  parallelWindows?: number;
  /** Windows already staged by an earlier run, by part: not read again. */
  skip?: ReadonlySet<string>;
  /** How a record is recognised across pages (its key). */
  keyOf: (r: ApiRecord) => string;
  /** For a child stream: the keys of the parent records to read it for. */
  parentKeys?: readonly string[];
  /** Rows a stream will read, summed over its windows' first pages. */
  onTotal?: (rows: number) => void;
}

/** A window is split when its total passes this share of the offset cap, leaving room for growth. */
const SPLIT_FILL = 0.9;
const PAGES_AHEAD = 2;
const MAX_PASSES = 3;

/** The windows a stream is read in: none for a list without a time filter. */
export function streamWindows(spec: StreamSpec, since: Date | undefined, until: Date): TimeWindow[] | undefined {
  return spec.window && since ? timeWindows(since, until, spec.window.max_days) : undefined;
}

/**
 * All records of one stream, as they arrive, tagged with their part (see StreamItem). The stream's
 * paginator pages each request; windowed streams are read from `since` to the run's fixed
 * `until`, and with offset paging each window's first page asks for the total, so a window over
 * the offset cap is split (recursively, down to one second). A child stream is read once per
 * parent key. Every record the API returns is kept, inside its window or not: the load keeps one
 * row per key.
 */
export function readStream(spec: StreamSpec, fetchPage: FetchPage, opts: ReadOptions): AsyncGenerator<StreamItem> {
  const channel = new PageChannel<StreamItem>(4);
  const sink: Sink = (item) => channel.push(item);
  // Pages queued when the consumer stopped (--limit reached, a load failed) are not fetched.
  const guarded: FetchPage = (request) => (channel.stopped ? Promise.reject(new Error('page consumer stopped')) : fetchPage(request));
  const forward = opts.forwardDays
    ? { since: formatTime(opts.until), until: formatTime(new Date(opts.until.getTime() + opts.forwardDays * 86_400_000)) }
    : {};
  const base = baseRequest(spec, forward);
  const list = { maxOffset: opts.maxOffset, pagesAhead: PAGES_AHEAD, keyOf: opts.keyOf, maxPasses: MAX_PASSES, ...(opts.onTotal ? { onTotal: opts.onTotal } : {}) };
  /** One request's pages, by the stream's paginator; `unstable`: a list without a window, whose order may move. */
  const runOf = (request: PageRequest, part: string, out: Sink, unstable: boolean): PageRun<PagingFields> => ({
    fetch: guarded, request, envelope: spec.envelope, fields: spec.paging, limit: opts.pageLimit, part, sink: out, list: { ...list, unstable },
  });
  const pages = (request: PageRequest, part: string, out: Sink, unstable: boolean) => readPages(spec.paginator, runOf(request, part, out, unstable));

  /**
   * One window, or a piece of one: with offset paging, counted first and split when over the
   * cap. Each piece is a part of its own, so a resumed load keeps the pieces a killed run finished.
   */
  const readSlice = async (w: TimeWindow, part: string, top: boolean): Promise<void> => {
    const request = windowRequest(spec, base, w);
    if (spec.paginator !== 'offset') return pages(request, part, sink, false);
    const run = runOf(request, part, sink, false) as PageRun<Paging['offset']>;
    const first = await firstPage(run);
    if (top && first.total !== undefined) opts.onTotal?.(first.total);
    if (first.total !== undefined && first.total + opts.pageLimit > opts.maxOffset) {
      const pieces = splitWindow(w, first.total, opts.maxOffset * SPLIT_FILL);
      if (!pieces) {
        throw new ApiError(
          `GET ${spec.path}: ${first.total} records in the one-second window at ${formatTime(w.since)}: PagerDuty lists at most ${opts.maxOffset} per query and it cannot be narrowed further`,
          200, undefined, spec.path,
        );
      }
      // Pieces are read two at a time: side by side enough to fill the limiter, few enough to bound memory.
      const pieceLimit = pLimit(2);
      const left = pieces.filter((p) => !opts.skip?.has(windowPart(p)));
      await Promise.all(
        left.map((p) =>
          pieceLimit(async () => {
            await readSlice(p, windowPart(p), false);
            await sink({ kind: 'done', part: windowPart(p), piece: true });
          }),
        ),
      );
      return;
    }
    await readOnAfter(run, first);
  };

  const read = async (): Promise<void> => {
    if (spec.parent) return readChildren(spec, opts.parentKeys ?? [], base, (request, part, out) => pages(request, part, out, false), sink);
    const windows = streamWindows(spec, opts.since, opts.until);
    if (!windows) {
      await pages(base, WHOLE_LIST, sink, true);
      return sink({ kind: 'done', part: WHOLE_LIST });
    }
    const windowLimit = pLimit(opts.parallelWindows ?? 2);
    await Promise.all(
      windows
        .filter((w) => !opts.skip?.has(windowPart(w)))
        .map((w) =>
          windowLimit(async () => {
            await readSlice(w, windowPart(w), true);
            await sink({ kind: 'done', part: windowPart(w) });
          }),
        ),
    );
  };
  read().then(
    () => channel.close(),
    (e: unknown) => channel.close(e),
  );
  return channel.drain();
}
