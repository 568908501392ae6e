import { invalidInput, missingArguments } from './api-errors.js';
import { decodeCursor, isSortKeyPair, sortKeyOf } from './cursor-pages.js';
import { isTimeZone } from './list-rules.js';
import type { Range, SortKey } from './ordered-view.js';
import type { Rec } from './refs.js';
import { addUtcMonths, parseTimestamp } from './time.js';

/** A POST /analytics/raw/incidents body, once PagerDuty's rules accepted it. */
export interface AnalyticsQuery {
  /** created_at in [created_at_start, created_at_end). */
  range: Required<Range>;
  limit: number;
  order: 'asc' | 'desc';
  /** The row given as starting_after, or ending_before (at most one). */
  after?: SortKey;
  before?: SortKey;
  timeZone: string;
  /** The filters as sent, echoed in the answer. */
  filters: Rec;
  /** The other filters (urgency, service, team, priority ids) on a stored incident. */
  accepts: (incident: Rec) => boolean;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

function object(v: unknown, what: string): Rec {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidInput(`${what} must be a JSON object`);
  return v as Rec;
}

function ids(filters: Rec, name: string): Set<string> | undefined {
  const v = filters[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidInput(`filters.${name} must be an array of strings`);
  return new Set(v as string[]);
}

/** Where a body's window bounds are: one object of the body (`filters`) and their names in it. */
export interface BodyWindow {
  object: string;
  since: string;
  until: string;
}

/** The catalogue's dotted window paths (`filters.created_at_start`), both in one object of the body. */
export function bodyWindow(since: string, until: string): BodyWindow {
  const [object, start, ...more] = since.split('.');
  const [object2, end, ...more2] = until.split('.');
  if (!start || !end || object !== object2 || more.length + more2.length > 0) {
    throw new Error(`window ${since}, ${until}: the simulator reads bounds of one object in the body (object.name)`);
  }
  return { object: object!, since: start, until: end };
}

/** The bounds are required, in order, and at most one year apart. */
function rangeOf(filters: Rec, w: BodyWindow): Required<Range> {
  const [start, end] = [filters[w.since], filters[w.until]];
  const path = (name: string) => `${w.object}.${name}`;
  if (start === undefined || end === undefined) throw missingArguments(`${path(w.since)} and ${path(w.until)} are both required`);
  const ms = (v: unknown, name: string) => {
    const parsed = typeof v === 'string' ? parseTimestamp(v) : undefined;
    if (parsed === undefined) throw invalidInput(`${path(name)} is not a valid date-time`);
    return parsed;
  };
  const range = { sinceMs: ms(start, w.since), untilMs: ms(end, w.until) };
  if (range.sinceMs > range.untilMs) throw invalidInput(`${path(w.since)} must not be after ${path(w.until)}`);
  if (range.untilMs > addUtcMonths(range.sinceMs, 12)) throw invalidInput(`The range between ${w.since} and ${w.until} cannot be more than 1 year`);
  return range;
}

function filterOf(filters: Rec): (incident: Rec) => boolean {
  const urgency = filters.urgency;
  if (urgency !== undefined && urgency !== 'high' && urgency !== 'low') throw invalidInput('filters.urgency must be high or low');
  const [services, teams, priorities] = [ids(filters, 'service_ids'), ids(filters, 'team_ids'), ids(filters, 'priority_ids')];
  const idOf = (v: unknown) => String((v as Rec | null | undefined)?.id);
  return (incident) =>
    (urgency === undefined || incident.urgency === urgency) &&
    (!services || services.has(idOf(incident.service))) &&
    (!teams || ((incident.teams as unknown[] | undefined) ?? []).some((t) => teams.has(idOf(t)))) &&
    (!priorities || priorities.has(idOf(incident.priority)));
}

function cursorOf(body: Rec, name: 'starting_after' | 'ending_before'): SortKey | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  const pair = typeof v === 'string' ? decodeCursor(v, isSortKeyPair) : undefined;
  if (!pair) throw invalidInput(`${name} is not a first or last this API gave`);
  return sortKeyOf(pair);
}

/** Reads the JSON body the way PagerDuty Analytics does; a refused body throws its ApiFailure. */
export function analyticsQuery(text: string, window: BodyWindow): AnalyticsQuery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidInput('The request body is not valid JSON');
  }
  const body = object(parsed ?? null, 'The request body');
  const filters = object(body[window.object], window.object);
  const range = rangeOf(filters, window);
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIMIT) throw invalidInput(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const order = body.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidInput('order must be asc or desc');
  if ((body.order_by ?? 'created_at') !== 'created_at') throw invalidInput('order_by must be created_at');
  const timeZone = body.time_zone ?? 'Etc/UTC';
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) throw invalidInput(`time_zone ${JSON.stringify(timeZone)} is not a time zone`);
  const [after, before] = [cursorOf(body, 'starting_after'), cursorOf(body, 'ending_before')];
  if (after && before) throw invalidInput('starting_after and ending_before cannot both be given');
  return { range, limit: limit as number, order, after, before, timeZone, filters, accepts: filterOf(filters) };
}
