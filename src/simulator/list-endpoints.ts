import { ApiFailure, internalServerError, notFound } from './api-errors.js';
import type { Clock } from './clock.js';
import type { SimulatedDataset } from './dataset.js';
import { listRequest } from './list-rules.js';
import { type Gates, gateFailure } from './plan-gates.js';

/** The answer of an authenticated request to the API proper, before any fault is injected. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The 13 list endpoints: path to stream, plan gates, PagerDuty's query rules, one page in the envelope. */
export class ListEndpoints {
  private readonly streamByPath: Map<string, string>;

  constructor(
    private readonly dataset: SimulatedDataset,
    pathOf: Record<string, string>,
    private readonly clock: Clock,
    /** Answer every query with the whole list, whatever its since/until, as a mock serving fixed examples does. */
    private readonly ignoreTimeFilters = false,
  ) {
    this.streamByPath = new Map(dataset.streams().flatMap((s) => (pathOf[s] ? [[pathOf[s], s] as const] : [])));
  }

  answer(method: string, url: URL, gates: Gates): ApiAnswer {
    try {
      if (method === 'GET' && url.pathname.replace(/\/+$/, '') === '/abilities') return this.abilities(gates);
      const stream = this.streamByPath.get(url.pathname.replace(/\/+$/, ''));
      if (method !== 'GET' || !stream) throw notFound();
      const gate = gates[stream];
      if (gate) throw gateFailure(gate);
      const q = listRequest(stream, url.searchParams, this.clock.now().getTime());
      const page = this.dataset.page(stream, this.ignoreTimeFilters ? {} : q.range, q.offset, q.limit, q.include);
      const more = q.offset + page.records.length < page.total;
      return { status: 200, body: { [stream]: page.records, limit: q.limit, offset: q.offset, more, total: q.total ? page.total : null } };
    } catch (e) {
      if (e instanceof ApiFailure) return { status: e.status, body: e.body() };
      process.stderr.write(`simulator: ${method} ${url.pathname}${url.search}: ${e instanceof Error ? e.stack : String(e)}\n`);
      return { status: 500, body: internalServerError().body() };
    }
  }

  /** GET /abilities: the account's features; a plan-gated stream's feature is missing. */
  private abilities(gates: Gates): ApiAnswer {
    const features = ['sso', 'advanced_reports', 'teams', 'priorities', 'read_only_users', 'service_support_hours', 'urgencies'];
    return { status: 200, body: { abilities: features.filter((f) => !gates[f]) } };
  }
}
