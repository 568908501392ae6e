import { ApiFailure, internalServerError } from './api-errors.js';
import type { SimulatedDataset } from './dataset.js';
import type { ListRequest } from './list-rules.js';
import type { Gates } from './plan-gates.js';
import type { Rec } from './refs.js';

/** The answer of an authenticated request to the API proper, before any fault is injected. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** What answers authenticated requests: a method, a URL and the request's body (empty for a GET). */
export interface Endpoints {
  answer(method: string, url: URL, gates: Gates, body: string): ApiAnswer;
}

export const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

/** Runs an endpoint: a refused request becomes its error answer, anything else a logged 500. */
export function answerSafely(method: string, url: URL, work: () => ApiAnswer): ApiAnswer {
  try {
    return work();
  } catch (e) {
    if (e instanceof ApiFailure) return { status: e.status, body: e.body() };
    process.stderr.write(`simulator: ${method} ${url.pathname}${url.search}: ${e instanceof Error ? e.stack : String(e)}\n`);
    return { status: 500, body: internalServerError().body() };
  }
}

/** A slice of an in-memory list in the classic envelope (limit, offset, more, total; the 10,000 cap). */
export function offsetPage(envelope: string, all: readonly Rec[], q: ListRequest): ApiAnswer {
  const records = all.slice(q.offset, q.offset + q.limit);
  return ok({ [envelope]: records, limit: q.limit, offset: q.offset, more: q.offset + records.length < all.length, total: q.total ? all.length : null });
}

/**
 * One page of a stored stream in the classic envelope `{<envelope>, limit, offset, more, total}`.
 * `ignoreTimeFilters`: the whole list whatever its since/until, as a mock serving fixed examples does.
 */
export function storedPage(dataset: SimulatedDataset, stream: string, envelope: string, q: ListRequest, ignoreTimeFilters: boolean): ApiAnswer {
  const page = dataset.page(stream, ignoreTimeFilters ? {} : q.range, q.offset, q.limit, q.include);
  const more = q.offset + page.records.length < page.total;
  return ok({ [envelope]: page.records, limit: q.limit, offset: q.offset, more, total: q.total ? page.total : null });
}
