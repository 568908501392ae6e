import type { FetchPage, PageRequest } from '../page-request.js';
import type { Sink } from '../stream-item.js';
import { listPage } from './list-page.js';

/** No pagination (`/incidents/{id}/notes`): one request answers the whole list. */
export async function readSingle(fetchPage: FetchPage, request: PageRequest, envelope: string, part: string, sink: Sink): Promise<void> {
  const body = await fetchPage(request.path, request.query, request.body);
  await sink({ kind: 'records', part, records: listPage(body, envelope, `${request.body ? 'POST' : 'GET'} ${request.path}`).records });
}
