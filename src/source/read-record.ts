import { ApiError } from '../errors.js';
import type { StreamSpec } from '../catalogue/catalogue.js';
import type { ApiRecord } from '../record.js';
import { baseRequest, childRequest, type FetchPage } from './page-request.js';

/**
 * One record of a stream by its key, through the catalogue's `record` request (GET /incidents/{id})
 * with the stream's include[], so it is the row a list would give; undefined when it is gone (404).
 */
export async function readRecord(fetchPage: FetchPage, spec: StreamSpec, key: string): Promise<ApiRecord | undefined> {
  const declared = spec.record;
  if (!declared) throw new Error(`${spec.name}: the catalogue declares no request for one record`);
  const request = childRequest({ method: 'GET', path: declared.path, query: baseRequest(spec).query }, key);
  try {
    const body = await fetchPage(request);
    const record = body[declared.envelope];
    if (!record || typeof record !== 'object') throw new ApiError(`GET ${request.path}: response has no "${declared.envelope}" object`, 200, undefined, request.path);
    return record as ApiRecord;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}
