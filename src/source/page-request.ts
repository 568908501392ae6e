import type { ApiRecord } from '../record.js';
import type { StreamSpec } from '../catalogue/catalogue.js';
import type { Query } from './query-string.js';
import { formatTime, type TimeWindow } from './time-windows.js';

/** One request of a stream, before a paginator adds its paging: the method, the path, the query, and a POST's JSON body. */
export interface PageRequest {
  method: 'GET' | 'POST';
  path: string;
  query: Query;
  body?: Record<string, unknown>;
}

/** A JSON answer of the API: an object whose fields the paginators and readers pick by name. */
export type ListBody = Record<string, unknown>;

/** Sends one request of a run, through its limiter and retries. */
export type FetchPage = (request: PageRequest) => Promise<ListBody>;

/** A copy of `body` with the value at a dotted path set. */
function setAt(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...body, [head!]: value };
  const inner = (body[head!] && typeof body[head!] === 'object' ? body[head!] : {}) as Record<string, unknown>;
  return { ...body, [head!]: setAt(inner, rest.join('.'), value) };
}

/** A stream's request as the catalogue declares it: its query and include[], or its body. */
export function baseRequest(spec: StreamSpec, extraQuery: Query = {}): PageRequest {
  const query: Query = { ...spec.query, ...(spec.include.length ? { 'include[]': spec.include } : {}), ...extraQuery };
  return { method: spec.method, path: spec.path, query, ...(spec.method === 'POST' ? { body: { ...(spec.body ?? {}) } } : {}) };
}

/** The request for one time window: its bounds where the endpoint wants them (since/until, or body fields). */
export function windowRequest(spec: StreamSpec, base: PageRequest, w: TimeWindow): PageRequest {
  const win = spec.window!;
  const since = formatTime(w.since);
  const until = formatTime(w.until);
  if (win.in === 'body') return { ...base, body: setAt(setAt(base.body ?? {}, win.since, since), win.until, until) };
  return { ...base, query: { ...base.query, ...win.query, [win.since]: since, [win.until]: until } };
}

/** A child stream's request for one parent record: `{id}` filled with the parent's key. */
export function childRequest(base: PageRequest, parentKey: string): PageRequest {
  return { ...base, path: base.path.replace('{id}', encodeURIComponent(parentKey)) };
}

/** The parent's key a child request is for, as written on each child row. */
export function withParent(records: ApiRecord[], column: string, key: string): ApiRecord[] {
  return records.map((r) => ({ ...r, [column]: key }));
}
