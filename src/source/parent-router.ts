import pLimit from 'p-limit';
import type { StreamSpec } from '../catalogue/catalogue.js';
import { childRequest, type PageRequest, withParent } from './page-request.js';
import { CHILDREN, type Sink } from './stream-item.js';

/** Parents whose children are read side by side; the run's limiter still bounds requests. */
const PARENTS_AT_ONCE = 4;

type ReadPages = (request: PageRequest, part: string, out: Sink) => Promise<void>;

/**
 * A child stream (`/incidents/{id}/notes`): one request, with its pages, per parent key, each child
 * record carrying the parent's key in the catalogue's column (`incident_id`), as the API does not.
 */
export async function readChildren(spec: StreamSpec, keys: readonly string[], base: PageRequest, readPages: ReadPages, sink: Sink): Promise<void> {
  const column = spec.parent!.column;
  const limit = pLimit(PARENTS_AT_ONCE);
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        await readPages(childRequest(base, key), CHILDREN, (item) =>
          sink(item.kind === 'records' ? { ...item, records: withParent(item.records, column, key) } : item),
        );
        await sink({ kind: 'parent', part: CHILDREN, key });
      }),
    ),
  );
  await sink({ kind: 'done', part: CHILDREN });
}
