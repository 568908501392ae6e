import { ApiError } from '../../errors.js';
import type { Paging } from '../../catalogue/catalogue.js';
import { listPage } from './list-page.js';
import type { Paginator, PageRun } from './paginator.js';

/**
 * PagerDuty Analytics paging (`POST /analytics/raw/incidents`): the JSON body's page size, then
 * the previous answer's `last` as `starting_after`, while `more` is true. Stop conditions are
 * named: the end (`more` false); `more` with an empty page; a `last` seen before (the server loops).
 */
export async function readAnalyticsList({ fetch, request, envelope, fields, limit, part, sink }: PageRun<Paging['analytics']>): Promise<void> {
  const where = `${request.method} ${request.path}`;
  const seen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const body = await fetch({ ...request, body: { ...request.body, [fields.limit]: limit, ...(after ? { [fields.cursor]: after } : {}) } });
    const page = listPage(body, envelope, where, fields);
    await sink({ kind: 'records', part, records: page.records });
    if (!page.more) return;
    const value = body[fields.next];
    const last = typeof value === 'string' && value !== '' ? value : undefined;
    if (page.records.length === 0 || !last) {
      throw new ApiError(`${where}: ${fields.more}=true with an empty page or no "${fields.next}": refusing to loop`, 200, undefined, request.path);
    }
    if (seen.has(last)) throw new ApiError(`${where}: "${fields.next}" ${JSON.stringify(last)} came twice: refusing to loop`, 200, undefined, request.path);
    seen.add(last);
    after = last;
  }
}

export const analyticsPaginator: Paginator<'analytics'> = { read: readAnalyticsList };
