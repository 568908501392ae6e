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

/** What answers authenticated requests: a method, a URL and the request's body (empty for a GET). */
export interface Endpoints {
  answer(method: string, url: URL, gates: Gates, body: string): ApiAnswer;
}

/** The classic list endpoints, the only streams whose path the simulator takes from the catalogue. */
export const LIST_STREAMS = [
  'users', 'teams', 'services', 'escalation_policies', 'schedules', 'priorities', 'tags', 'business_services',
  'oncalls', 'vendors', 'incidents', 'log_entries', 'notifications', 'maintenance_windows',
] as const;

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

/** The 13 list endpoints: path to stream, plan gates, PagerDuty's query rules, one page in the envelope. */
export class ListEndpoints implements Endpoints {
  private readonly streamByPath: Map<string, string>;

  constructor(
    private readonly dataset: SimulatedDataset,
    pathOf: Record<string, string>,
    private readonly clock: Clock,
    /** Answer every query with the whole list, whatever its since/until, as a mock serving fixed examples does. */
    private readonly ignoreTimeFilters = false,
  ) {
    // Other catalogue entries (child streams with {id} paths, POSTs) are routed by the simulator's own table.
    this.streamByPath = new Map(LIST_STREAMS.flatMap((s) => (pathOf[s] ? [[pathOf[s], s] as const] : [])));
  }

  answer(method: string, url: URL, gates: Gates): ApiAnswer {
    return answerSafely(method, url, () => {
      if (method === 'GET' && url.pathname.replace(/\/+$/, '') === '/abilities') return this.abilities(gates);
      const stream = this.streamByPath.get(url.pathname.replace(/\/+$/, ''));
      if (method !== 'GET' || !stream) throw notFound();
      return this.list(stream, url, gates);
    });
  }

  /** One page of a stream in the classic envelope `{<stream>, limit, offset, more, total}`; throws refusals. */
  list(stream: string, url: URL, gates: Gates): ApiAnswer {
    const gate = gates[stream];
    if (gate) throw gateFailure(gate);
    const q = listRequest(stream, url.searchParams, this.clock.now().getTime());
    const page = this.dataset.page(stream, this.ignoreTimeFilters ? {} : q.range, q.offset, q.limit, q.include);
    const more = q.offset + page.records.length < page.total;
    return { status: 200, body: { [stream]: page.records, limit: q.limit, offset: q.offset, more, total: q.total ? page.total : null } };
  }

  /** GET /abilities: the account's features; a plan-gated stream's feature is missing. */
  private abilities(gates: Gates): ApiAnswer {
    const features = ['sso', 'advanced_reports', 'teams', 'priorities', 'read_only_users', 'service_support_hours', 'urgencies'];
    return { status: 200, body: { abilities: features.filter((f) => !gates[f]) } };
  }
}
