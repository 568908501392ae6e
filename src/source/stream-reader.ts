import pLimit from 'p-limit';
import { ApiError } from '../errors.js';
import type { ApiRecord } from '../record.js';
import type { StreamSpec } from '../spec/catalogue.js';
import { PageChannel } from './page-channel.js';
import { type FetchList, listPage } from './paginators/list-page.js';
import { readOffsetList } from './paginators/offset.js';
import type { Query } from './query-string.js';
import type { ListBody } from './pagerduty-client.js';
import { type Sink, type StreamItem, WHOLE_LIST, windowPart } from './stream-item.js';
import { formatTime, type TimeWindow, timeWindows } from './time-windows.js';
import { splitWindow } from './window-splitter.js';

export type FetchPage = (path: string, query: Query) => Promise<ListBody>;

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
 * All records of one stream, as they arrive, tagged with their part (see StreamItem). Windowed
 * streams are read from `since` to the run's fixed `until`; each window's first page asks for the
 * total, and a window over the offset cap is split (recursively, down to one second). Every
 * record the API returns is kept, inside its window or not: the load keeps one row per key.
 */
export function readStream(spec: StreamSpec, fetchPage: FetchPage, opts: ReadOptions): AsyncGenerator<StreamItem> {
  const channel = new PageChannel<StreamItem>(4);
  const sink: Sink = (item) => channel.push(item);
  const forward = opts.forwardDays
    ? { since: formatTime(opts.until), until: formatTime(new Date(opts.until.getTime() + opts.forwardDays * 86_400_000)) }
    : {};
  const base: Query = { ...spec.query, ...(spec.include.length ? { 'include[]': spec.include } : {}), ...forward };
  const fetchList: FetchList = async (query) => {
    // Pages queued when the consumer stopped (--limit reached, a load failed) are not fetched.
    if (channel.stopped) throw new Error('page consumer stopped');
    return listPage(await fetchPage(spec.path, query), spec.envelope, `GET ${spec.path}`);
  };
  const offsetOptions = (unstable: boolean) => ({ limit: opts.pageLimit, pagesAhead: PAGES_AHEAD, unstable, keyOf: opts.keyOf, maxPasses: MAX_PASSES });

  /**
   * One window, or a piece of one: counted first, split when over the cap, else read. Each piece
   * is a part of its own, so a resumed load keeps the pieces a killed run finished.
   */
  const readSlice = async (w: TimeWindow, part: string, top: boolean): Promise<void> => {
    const query: Query = { ...base, ...spec.window!.query, since: formatTime(w.since), until: formatTime(w.until) };
    const first = await fetchList({ ...query, limit: opts.pageLimit, offset: 0, total: true });
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
    await readOffsetList(fetchList, query, first, part, sink, offsetOptions(false), spec.path);
  };

  const readWhole = async (): Promise<void> => {
    const first = await fetchList({ ...base, limit: opts.pageLimit, offset: 0, total: true });
    if (first.total !== undefined) opts.onTotal?.(first.total);
    if (first.total !== undefined && first.total + opts.pageLimit > opts.maxOffset) {
      throw new ApiError(
        `GET ${spec.path}: ${first.total} records in the unfiltered list: PagerDuty lists at most ${opts.maxOffset} per query and this list cannot be narrowed`,
        200, undefined, spec.path,
      );
    }
    await readOffsetList(fetchList, base, first, WHOLE_LIST, sink, offsetOptions(true), spec.path);
    await sink({ kind: 'done', part: WHOLE_LIST });
  };

  const windows = streamWindows(spec, opts.since, opts.until);
  const windowLimit = pLimit(opts.parallelWindows ?? 2);
  const read = windows
    ? Promise.all(
        windows
          .filter((w) => !opts.skip?.has(windowPart(w)))
          .map((w) =>
            windowLimit(async () => {
              await readSlice(w, windowPart(w), true);
              await sink({ kind: 'done', part: windowPart(w) });
            }),
          ),
      )
    : readWhole();
  read.then(
    () => channel.close(),
    (e: unknown) => channel.close(e),
  );
  return channel.drain();
}
