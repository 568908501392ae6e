import type { StreamSpec } from '../catalogue/catalogue.js';
import { baseRequest, type FetchPage, windowRequest } from './page-request.js';
import { listPage } from './paginators/list-page.js';
import type { TimeWindow } from './time-windows.js';

/**
 * How many records an offset-paged stream lists in a time window now: one request of one record
 * with `total=true`. Undefined when the API gives no total.
 */
export async function countWindow(spec: StreamSpec, fetchPage: FetchPage, w: TimeWindow): Promise<number | undefined> {
  const request = windowRequest(spec, baseRequest(spec), w);
  const page = listPage(await fetchPage(request.path, { ...request.query, limit: 1, offset: 0, total: true }, request.body), spec.envelope, `GET ${request.path}`);
  return page.total;
}
