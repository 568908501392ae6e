import type { Paging, StreamSpec } from '../catalogue/catalogue.js';
import { baseRequest, type FetchPage, windowRequest } from './page-request.js';
import { listPage } from './paginators/list-page.js';
import type { TimeWindow } from './time-windows.js';

/**
 * How many records an offset-paged stream lists in a time window now: one request of one record
 * asking for the total. Undefined when the API gives no total.
 */
export async function countWindow(spec: StreamSpec, fetchPage: FetchPage, w: TimeWindow): Promise<number | undefined> {
  const fields = spec.paging as Paging['offset'];
  const request = windowRequest(spec, baseRequest(spec), w);
  const body = await fetchPage({ ...request, query: { ...request.query, [fields.limit]: 1, [fields.offset]: 0, [fields.total]: true } });
  return listPage(body, spec.envelope, `${request.method} ${request.path}`, fields).total;
}
