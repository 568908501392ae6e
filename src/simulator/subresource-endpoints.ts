import { analyticsPage } from './analytics-pages.js';
import { analyticsQuery } from './analytics-requests.js';
import { invalidInput, notFound } from './api-errors.js';
import { auditPage } from './audit-pages.js';
import type { Clock } from './clock.js';
import type { SimulatedDataset } from './dataset.js';
import { type ApiAnswer, type Endpoints, type ListEndpoints, answerSafely } from './list-endpoints.js';
import { type ListRequest, listRequest } from './list-rules.js';
import { inRange } from './ordered-view.js';
import { type Gates, gateFailure } from './plan-gates.js';
import type { Rec } from './refs.js';
import { RouteTable } from './route-table.js';

interface Request {
  params: Record<string, string>;
  url: URL;
  gates: Gates;
  body: string;
}

interface Served {
  /** The stream whose gate refuses the route. */
  stream: string;
  /** A plan without the parent's feature lacks its children too (no teams, no team members). */
  parent?: string;
  serve: (r: Request) => ApiAnswer;
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

/** A slice of an in-memory list in the classic envelope (limit, offset, more, total; the 10,000 cap). */
function offsetPage(envelope: string, all: readonly Rec[], q: ListRequest): ApiAnswer {
  const records = all.slice(q.offset, q.offset + q.limit);
  return ok({ [envelope]: records, limit: q.limit, offset: q.offset, more: q.offset + records.length < all.length, total: q.total ? all.length : null });
}

/** statuses[], alert_key and sort_by of GET /incidents/{id}/alerts. */
function alertQuery(alerts: Rec[], q: URLSearchParams): Rec[] {
  const statuses = [...q.getAll('statuses[]'), ...q.getAll('statuses')];
  if (statuses.some((s) => s !== 'triggered' && s !== 'resolved')) throw invalidInput('statuses[] must be triggered or resolved');
  const sortBy = q.get('sort_by') ?? 'created_at';
  if (!['created_at', 'created_at:asc', 'created_at:desc'].includes(sortBy)) throw invalidInput('sort_by must be created_at, created_at:asc or created_at:desc');
  const key = q.get('alert_key');
  const chosen = alerts.filter((a) => (statuses.length === 0 || statuses.includes(String(a.status))) && (key === null || a.alert_key === key));
  return sortBy === 'created_at:desc' ? chosen.reverse() : chosen;
}

/**
 * The endpoints beyond the 13 lists, routed by the simulator's own path templates (never by the
 * catalogue): one incident, its log entries, notes and alerts, team members, change events,
 * audit records (cursor) and raw incident analytics (a POST). Anything else goes on to the list
 * endpoints.
 */
export class SubresourceEndpoints implements Endpoints {
  private readonly routes: RouteTable<Served>;

  constructor(
    private readonly dataset: SimulatedDataset,
    private readonly clock: Clock,
    private readonly lists: ListEndpoints,
  ) {
    const derived = dataset.derived;
    const nowMs = () => this.clock.now().getTime();
    const found = <T>(v: T | undefined): T => {
      if (v === undefined) throw notFound();
      return v;
    };
    this.routes = new RouteTable<Served>([
      { method: 'GET', template: '/incidents/{id}', handler: { stream: 'incidents', serve: (r) => ok({ incident: found(dataset.presented('incidents', r.params.id!)) }) } },
      {
        method: 'GET', template: '/incidents/{id}/log_entries',
        handler: { stream: 'log_entries', parent: 'incidents', serve: (r) => this.incidentLog(r.params.id!, r.url.searchParams, nowMs()) },
      },
      { method: 'GET', template: '/incidents/{id}/notes', handler: { stream: 'incident_notes', serve: (r) => ok({ notes: found(derived.notesOf(r.params.id!)) }) } },
      {
        method: 'GET', template: '/incidents/{id}/alerts',
        handler: { stream: 'incident_alerts', serve: (r) => this.alerts(found(derived.alertsOf(r.params.id!)), r.url.searchParams, nowMs()) },
      },
      {
        method: 'GET', template: '/teams/{id}/members',
        handler: { stream: 'team_members', parent: 'teams', serve: (r) => offsetPage('members', found(derived.membersOf(r.params.id!)), listRequest('team_members', r.url.searchParams, nowMs())) },
      },
      { method: 'GET', template: '/change_events', handler: { stream: 'change_events', serve: (r) => this.lists.list('change_events', r.url, r.gates) } },
      { method: 'GET', template: '/audit/records', handler: { stream: 'audit_records', serve: (r) => ok(auditPage(dataset.store, r.url.searchParams, nowMs())) } },
      {
        method: 'POST', template: '/analytics/raw/incidents',
        handler: { stream: 'analytics_incidents', serve: (r) => ok(analyticsPage(dataset.store, derived, analyticsQuery(r.body))) },
      },
    ]);
  }

  answer(method: string, url: URL, gates: Gates, body: string): ApiAnswer {
    const match = this.routes.match(method, url.pathname);
    if (!match) return this.lists.answer(method, url, gates);
    const { stream, parent, serve } = match.handler;
    return answerSafely(method, url, () => {
      const gate = gates[stream] ?? (parent === undefined ? undefined : gates[parent]);
      if (gate) throw gateFailure(gate);
      return serve({ params: match.params, url, gates, body });
    });
  }

  /** An incident's log entries, oldest first, each as /log_entries presents it; since/until as that list filters. */
  private incidentLog(id: string, q: URLSearchParams, nowMs: number): ApiAnswer {
    const incident = this.dataset.lookup('incidents', id);
    if (!incident) throw notFound();
    const request = listRequest('log_entries', q, nowMs);
    const entries = this.dataset.derived
      .entries()(incident)
      .filter((e) => inRange(request.range, Date.parse(String(e.created_at))))
      .flatMap<Rec>((e) => this.dataset.presented('log_entries', String(e.id), request.include) ?? []);
    return offsetPage('log_entries', entries, request);
  }

  private alerts(all: Rec[], q: URLSearchParams, nowMs: number): ApiAnswer {
    const request = listRequest('incident_alerts', q, nowMs);
    return offsetPage('alerts', alertQuery(all, q), request);
  }
}
