import pLimit from 'p-limit';
import { ApiError } from '../errors.js';
import type { ApiRecord } from '../record.js';
import type { StreamSpec } from '../spec/catalogue.js';
import type { ListBody } from './pagerduty-client.js';
import { PageChannel } from './page-channel.js';
import type { Query } from './query-string.js';
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
  /** Rows a stream will read, summed over its windows' first pages. */
  onTotal?: (rows: number) => void;
  onWindowDone?: (w: TimeWindow, rows: number) => void;
}

/** A window is split when its total passes this share of the offset cap, leaving room for growth. */
const SPLIT_FILL = 0.9;
const PAGES_AHEAD = 2;

/**
 * All records of one stream, page by page as they arrive. Windowed streams are read from
 * `since` to the run's fixed `until`. Each window's first page asks for the total: a window over
 * the offset cap is split (recursively, down to one second), otherwise its remaining pages are at
 * known offsets and fetched side by side. A record is kept only inside its window's
 * [since, until), so none is read twice across an edge.
 */
export function readStream(spec: StreamSpec, fetchPage: FetchPage, opts: ReadOptions): AsyncGenerator<ApiRecord[]> {
  const channel = new PageChannel<ApiRecord[]>(4);
  const forward = opts.forwardDays
    ? { since: formatTime(opts.until), until: formatTime(new Date(opts.until.getTime() + opts.forwardDays * 86_400_000)) }
    : {};
  const base: Query = { ...spec.query, ...(spec.include.length ? { 'include[]': spec.include } : {}), ...forward };
  const windowLimit = pLimit(opts.parallelWindows ?? 2);

  const fetchRecords = async (query: Query): Promise<{ records: ApiRecord[]; body: ListBody }> => {
    // Pages queued when the consumer stopped (--limit reached, a load failed) are not fetched.
    if (channel.stopped) throw new Error('page consumer stopped');
    const body = await fetchPage(spec.path, query);
    const records = body[spec.envelope];
    if (!Array.isArray(records)) {
      throw new ApiError(`GET ${spec.path}: response has no "${spec.envelope}" array`, 200, undefined, spec.path);
    }
    return { records: records as ApiRecord[], body };
  };

  const inWindow = (w: TimeWindow | undefined, records: ApiRecord[]): ApiRecord[] => {
    if (!w) return records;
    const field = spec.incremental_key!;
    return records.filter((r) => {
      const t = Date.parse(String(r[field]));
      // A record without a readable time stays where the API put it.
      return Number.isNaN(t) || (t >= w.since.getTime() && t < w.until.getTime());
    });
  };

  /** Reads one window (or the unfiltered list), adding its rows to `tally`; `top` for the planned windows, not split pieces. */
  const readSlice = async (w: TimeWindow | undefined, tally: { rows: number }, top: boolean): Promise<void> => {
    const push = async (records: ApiRecord[]) => {
      const kept = inWindow(w, records);
      tally.rows += kept.length;
      await channel.push(kept);
    };
    const query: Query = w
      ? { ...base, ...spec.window!.query, since: formatTime(w.since), until: formatTime(w.until) }
      : base;
    const limit = opts.pageLimit;
    const first = await fetchRecords({ ...query, limit, offset: 0, total: true });
    const total = typeof first.body.total === 'number' ? first.body.total : undefined;
    if (top && total !== undefined) opts.onTotal?.(total);
    if (total !== undefined && total + limit > opts.maxOffset) {
      const pieces = w ? splitWindow(w, total, opts.maxOffset * SPLIT_FILL) : undefined;
      if (!pieces) {
        const where = w ? `the one-second window at ${formatTime(w.since)}` : 'the unfiltered list';
        throw new ApiError(
          `GET ${spec.path}: ${total} records in ${where}: PagerDuty lists at most ${opts.maxOffset} per query and it cannot be narrowed further`,
          200, undefined, spec.path,
        );
      }
      // Pieces are read two at a time: side by side enough to fill the limiter, few enough to bound memory.
      const pieceLimit = pLimit(2);
      await Promise.all(pieces.map((p) => pieceLimit(() => readSlice(p, tally, false))));
      return;
    }
    await push(first.records);
    if (!first.body.more) return;
    /** Pages on one after another, advancing by the records actually returned. */
    const readOnFrom = async (start: number) => {
      for (let offset = start; ; ) {
        const page = await fetchRecords({ ...query, limit, offset });
        await push(page.records);
        if (!page.body.more) return;
        if (page.records.length === 0) {
          throw new ApiError(`GET ${spec.path}: more=true with an empty page at offset ${offset}: refusing to loop`, 200, undefined, spec.path);
        }
        offset += page.records.length;
      }
    };
    if (total === undefined) return readOnFrom(first.records.length);
    const offsets: number[] = [];
    for (let o = first.records.length; o < total; o += limit) offsets.push(o);
    // A few pages ahead per slice: enough to keep the limiter busy, few enough to bound memory.
    const pageLimit = pLimit(PAGES_AHEAD);
    let received = first.records.length;
    await Promise.all(
      offsets.map((offset) =>
        pageLimit(async () => {
          const page = await fetchRecords({ ...query, limit, offset });
          received += page.records.length;
          await push(page.records);
        }),
      ),
    );
    // Fewer records than the total: some were deleted while we paged, shifting later ones to
    // offsets already read. Reading the slice again from the start finds them; repeats are
    // harmless, as the load keeps one row per key.
    if (received < total) await readOnFrom(0);
  };

  const windows: (TimeWindow | undefined)[] =
    spec.window && opts.since ? timeWindows(opts.since, opts.until, spec.window.max_days) : [undefined];
  const readWindow = async (w: TimeWindow | undefined) => {
    const tally = { rows: 0 };
    await readSlice(w, tally, true);
    if (w) opts.onWindowDone?.(w, tally.rows);
  };
  Promise.all(windows.map((w) => windowLimit(() => readWindow(w)))).then(
    () => channel.close(),
    (e: unknown) => channel.close(e),
  );
  return channel.drain();
}
