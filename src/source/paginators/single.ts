import { listPage } from './list-page.js';
import type { Paginator } from './paginator.js';

/** No pagination (`/incidents/{id}/notes`): one request answers the whole list. */
export const singlePaginator: Paginator<'none'> = {
  async read({ fetch, request, envelope, part, sink }) {
    const body = await fetch(request);
    await sink({ kind: 'records', part, records: listPage(body, envelope, `${request.method} ${request.path}`).records });
  },
};
