import { ApiError } from '../../errors.js';
import type { FetchPage, PageRequest } from '../page-request.js';
import type { Sink } from '../stream-item.js';
import { listPage } from './list-page.js';

/**
 * PagerDuty Analytics paging (`POST /analytics/raw/incidents`): the JSON body's `limit`, then the
 * previous answer's `last` as `starting_after`, while `more` is true. Stop conditions are named:
 * the end (`more` false); `more` with an empty page; a `last` seen before (the server loops).
 */
export async function readAnalyticsList(fetchPage: FetchPage, request: PageRequest, envelope: string, limit: number, part: string, sink: Sink): Promise<void> {
  const seen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const body = await fetchPage(request.path, request.query, { ...request.body, limit, ...(after ? { starting_after: after } : {}) });
    const page = listPage(body, envelope, `POST ${request.path}`);
    await sink({ kind: 'records', part, records: page.records });
    if (!page.more) return;
    const last = typeof body.last === 'string' && body.last !== '' ? body.last : undefined;
    if (page.records.length === 0 || !last) {
      throw new ApiError(`POST ${request.path}: more=true with an empty page or no "last": refusing to loop`, 200, undefined, request.path);
    }
    if (seen.has(last)) throw new ApiError(`POST ${request.path}: "last" ${JSON.stringify(last)} came twice: refusing to loop`, 200, undefined, request.path);
    seen.add(last);
    after = last;
  }
}
