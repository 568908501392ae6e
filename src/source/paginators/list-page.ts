import { ApiError } from '../../errors.js';
import type { ApiRecord } from '../../record.js';
import type { Query } from '../query-string.js';

/** One page of a list endpoint, read out of its envelope. */
export interface ListPage {
  records: ApiRecord[];
  more: boolean;
  /** Present when the request asked for it (`total=true`). */
  total: number | undefined;
}

export type FetchList = (query: Query) => Promise<ListPage>;

/** A list page from a response body: the envelope's array, and where the paginator has them, `more` and `total` (by the catalogue's names). */
export function listPage(body: Record<string, unknown>, envelope: string, request: string, names: { more?: string; total?: string } = {}): ListPage {
  const records = body[envelope];
  if (!Array.isArray(records)) throw new ApiError(`${request}: response has no "${envelope}" array`, 200, undefined, request);
  const total = names.total === undefined ? undefined : body[names.total];
  return { records: records as ApiRecord[], more: names.more !== undefined && body[names.more] === true, total: typeof total === 'number' ? total : undefined };
}
