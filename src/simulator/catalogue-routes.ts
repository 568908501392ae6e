import { type Catalogue, type StreamSpec, streamSpec } from '../catalogue/catalogue.js';
import { analyticsPage } from './analytics-pages.js';
import { analyticsQuery, bodyWindow } from './analytics-requests.js';
import { invalidInput, notFound } from './api-errors.js';
import { cursorPage } from './audit-pages.js';
import type { Clock } from './clock.js';
import type { SimulatedDataset } from './dataset.js';
import { generatorOf } from './generators.js';
import { type ApiAnswer, offsetPage, ok, storedPage } from './list-endpoints.js';
import { type WindowParams, listRequest } from './list-rules.js';
import type { Gates } from './plan-gates.js';
import type { Rec } from './refs.js';
import type { Route } from './route-table.js';

export interface Request {
  params: Record<string, string>;
  url: URL;
  gates: Gates;
  body: string;
}

export interface Served {
  /** The stream whose gate refuses the route (none: never refused). */
  stream?: string;
  /** A plan without the parent's feature lacks its children too (no teams, no team members). */
  parent?: string;
  serve: (r: Request) => ApiAnswer;
}

interface Context {
  dataset: SimulatedDataset;
  nowMs: () => number;
  ignoreTimeFilters: boolean;
}

type Serve = (r: Request) => ApiAnswer;

function found<T>(v: T | undefined): T {
  if (v === undefined) throw notFound();
  return v;
}

function windowOf(spec: StreamSpec): WindowParams | undefined {
  return spec.window && { since: spec.window.since, until: spec.window.until, required: spec.window.required };
}

/** statuses[], alert_key and sort_by of GET /incidents/{id}/alerts: PagerDuty's filters of that list. */
function alertQuery(alerts: Rec[], q: URLSearchParams): Rec[] {
  const statuses = [...q.getAll('statuses[]'), ...q.getAll('statuses')];
  if (statuses.some((s) => s !== 'triggered' && s !== 'resolved')) throw invalidInput('statuses[] must be triggered or resolved');
  const sortBy = q.get('sort_by') ?? 'created_at';
  if (!['created_at', 'created_at:asc', 'created_at:desc'].includes(sortBy)) throw invalidInput('sort_by must be created_at, created_at:asc or created_at:desc');
  const key = q.get('alert_key');
  const chosen = alerts.filter((a) => (statuses.length === 0 || statuses.includes(String(a.status))) && (key === null || a.alert_key === key));
  return sortBy === 'created_at:desc' ? chosen.reverse() : chosen;
}

/** Query filters some lists apply beyond paging, by stream. */
const FILTERS: Record<string, (records: Rec[], q: URLSearchParams) => Rec[]> = { incident_alerts: alertQuery };

/** A child stream: one parent's records, whole (paginator none) or in offset pages. */
function childServe(spec: StreamSpec, c: Context): Serve | undefined {
  const children = c.dataset.derived.childrenOf(spec.name);
  if (!children) return undefined;
  const filter = FILTERS[spec.name] ?? ((records: Rec[]) => records);
  return (r) => {
    const all = filter(found(children(r.params.id!)), r.url.searchParams);
    if (spec.paginator === 'none') return ok({ [spec.envelope]: all });
    return offsetPage(spec.envelope, all, listRequest(spec.name, windowOf(spec), r.url.searchParams, c.nowMs()));
  };
}

/** How the simulator serves a catalogue stream, from its paginator; undefined if it cannot make its records. */
function serveOf(spec: StreamSpec, c: Context): Serve | undefined {
  const { dataset, nowMs } = c;
  if (spec.parent) return childServe(spec, c);
  if (spec.paginator === 'offset' && dataset.store.has(spec.name)) {
    return (r) => storedPage(dataset, spec.name, spec.envelope, listRequest(spec.name, windowOf(spec), r.url.searchParams, nowMs()), c.ignoreTimeFilters);
  }
  if (spec.paginator === 'cursor' && spec.window && generatorOf(spec.name)?.newestFirst) {
    const list = { stream: spec.name, envelope: spec.envelope, window: windowOf(spec)! };
    return (r) => ok(cursorPage(dataset.store, list, r.url.searchParams, nowMs()));
  }
  if (spec.paginator === 'analytics' && spec.name === 'analytics_incidents' && spec.window) {
    const window = bodyWindow(spec.window.since, spec.window.until);
    return (r) => ok(analyticsPage(dataset.store, dataset.derived, spec.envelope, analyticsQuery(r.body, window)));
  }
  return undefined;
}

/**
 * The routes of the catalogue's streams: each stream's method and path, served by its paginator
 * in its envelope, with its window's parameters; and one record by its key where the catalogue
 * declares that request. A path served by an earlier stream (oncall_shifts reads /oncalls) keeps
 * that stream's route; a stream whose records the simulator cannot make has none.
 */
export function catalogueRoutes(catalogue: Catalogue, dataset: SimulatedDataset, clock: Clock, ignoreTimeFilters: boolean): Route<Served>[] {
  const c: Context = { dataset, nowMs: () => clock.now().getTime(), ignoreTimeFilters };
  const routes: Route<Served>[] = [];
  const taken = new Set<string>();
  const add = (method: 'GET' | 'POST', template: string, handler: Served) => {
    if (taken.has(`${method} ${template}`)) return;
    taken.add(`${method} ${template}`);
    routes.push({ method, template, handler });
  };
  for (const [name, s] of Object.entries(catalogue.streams)) {
    const spec = streamSpec(catalogue, name);
    const serve = serveOf(spec, c);
    if (!serve) continue;
    if (spec.record) {
      const { path, envelope } = spec.record;
      add('GET', path, { stream: name, serve: (r) => ok({ [envelope]: found(dataset.presented(name, r.params.id!)) }) });
    }
    const parent = spec.parent && catalogue.streams[spec.parent.stream]?.gate ? spec.parent.stream : undefined;
    add(spec.method, spec.path, { stream: name, parent, serve });
  }
  return routes;
}
