import { ApiError } from '../errors.js';
import type { ListBody } from './pagerduty-client.js';
import type { Query } from './query-string.js';

export type FetchPage = (path: string, query: Query) => Promise<ListBody>;

export type ApiRecord = Record<string, unknown>;

/**
 * Pages through one offset-paginated list. The offset advances by the records actually
 * returned, not by the echoed limit, and a page that makes no progress is an error, not a loop.
 */
export async function* offsetPages(
  fetchPage: FetchPage,
  path: string,
  envelope: string,
  query: Query,
  limit: number,
): AsyncGenerator<ApiRecord[]> {
  let offset = 0;
  for (;;) {
    const body = await fetchPage(path, { ...query, limit, offset });
    const records = body[envelope];
    if (!Array.isArray(records)) {
      throw new ApiError(`GET ${path}: response has no "${envelope}" array`, 200, undefined, path);
    }
    yield records as ApiRecord[];
    if (!body.more) return;
    if (records.length === 0) {
      throw new ApiError(`GET ${path}: more=true with an empty page at offset ${offset}: refusing to loop`, 200, undefined, path);
    }
    offset += records.length;
  }
}
