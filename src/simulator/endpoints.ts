import type { Catalogue } from '../catalogue/catalogue.js';
import { notFound } from './api-errors.js';
import { type Served, catalogueRoutes } from './catalogue-routes.js';
import type { Clock } from './clock.js';
import type { SimulatedDataset } from './dataset.js';
import { type ApiAnswer, type Endpoints, answerSafely, offsetPage, ok } from './list-endpoints.js';
import { listRequest } from './list-rules.js';
import { inRange } from './ordered-view.js';
import { type Gates, gateFailure } from './plan-gates.js';
import type { Rec } from './refs.js';
import { RouteTable } from './route-table.js';

/** GET /abilities: the account's features; a plan-gated stream's feature is missing. */
function abilities(gates: Gates): ApiAnswer {
  const features = ['sso', 'advanced_reports', 'teams', 'priorities', 'read_only_users', 'service_support_hours', 'urgencies'];
  return ok({ abilities: features.filter((f) => !gates[f]) });
}

/**
 * Every endpoint the simulator serves: the catalogue's streams (catalogue-routes.ts) and two of
 * its own that no stream reads through, /abilities and one incident's log entries.
 */
export class ApiEndpoints implements Endpoints {
  private readonly routes: RouteTable<Served>;

  constructor(
    catalogue: Catalogue,
    private readonly dataset: SimulatedDataset,
    private readonly clock: Clock,
    ignoreTimeFilters = false,
  ) {
    this.routes = new RouteTable<Served>([
      { method: 'GET', template: '/abilities', handler: { serve: (r) => abilities(r.gates) } },
      {
        method: 'GET', template: '/incidents/{id}/log_entries',
        handler: { stream: 'log_entries', parent: 'incidents', serve: (r) => this.incidentLog(r.params.id!, r.url.searchParams) },
      },
      ...catalogueRoutes(catalogue, dataset, clock, ignoreTimeFilters),
    ]);
  }

  answer(method: string, url: URL, gates: Gates, body: string): ApiAnswer {
    return answerSafely(method, url, () => {
      const match = this.routes.match(method, url.pathname);
      if (!match) throw notFound();
      const { stream, parent, serve } = match.handler;
      const gate = (stream === undefined ? undefined : gates[stream]) ?? (parent === undefined ? undefined : gates[parent]);
      if (gate) throw gateFailure(gate);
      return serve({ params: match.params, url, gates, body });
    });
  }

  /** An incident's log entries, oldest first, each as /log_entries presents it; since/until as that list filters. */
  private incidentLog(id: string, q: URLSearchParams): ApiAnswer {
    const incident = this.dataset.lookup('incidents', id);
    if (!incident) throw notFound();
    const request = listRequest('log_entries', { since: 'since', until: 'until', required: false }, q, this.clock.now().getTime());
    const entries = this.dataset.derived
      .entries()(incident)
      .filter((e) => inRange(request.range, Date.parse(String(e.created_at))))
      .flatMap<Rec>((e) => this.dataset.presented('log_entries', String(e.id), request.include) ?? []);
    return offsetPage('log_entries', entries, request);
  }
}
