import type { StreamSpec } from '../spec/catalogue.js';
import { type ApiRecord, type FetchPage, offsetPages } from './offset-pager.js';
import type { Query } from './query-string.js';
import { formatTime, timeWindows } from './time-windows.js';

export interface ReadOptions {
  pageLimit: number;
  since?: Date;
  until: Date;
}

/** The default query of a stream: the catalogue's query and include[]. */
function baseQuery(spec: StreamSpec): Query {
  return { ...spec.query, ...(spec.include.length ? { 'include[]': spec.include } : {}) };
}

/**
 * All records of one stream, as they arrive. A windowed stream is read window by window from
 * `since` to the run's fixed `until`; each record is kept only inside its own window's
 * [since, until), so a record on an edge is never read twice.
 */
export async function* readStream(spec: StreamSpec, fetchPage: FetchPage, opts: ReadOptions): AsyncGenerator<ApiRecord[]> {
  const query = baseQuery(spec);
  if (!spec.window || !opts.since) {
    yield* offsetPages(fetchPage, spec.path, spec.envelope, query, opts.pageLimit);
    return;
  }
  const field = spec.incremental_key!;
  for (const w of timeWindows(opts.since, opts.until, spec.window.max_days)) {
    const windowQuery = { ...query, ...spec.window.query, since: formatTime(w.since), until: formatTime(w.until) };
    for await (const page of offsetPages(fetchPage, spec.path, spec.envelope, windowQuery, opts.pageLimit)) {
      yield page.filter((r) => {
        const t = Date.parse(String(r[field]));
        return t >= w.since.getTime() && t < w.until.getTime();
      });
    }
  }
}
