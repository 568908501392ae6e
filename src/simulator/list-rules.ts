import {
  argumentsCausedError, invalidInput, invalidSinceUntil, missingArguments,
} from './api-errors.js';
import type { Range } from './ordered-view.js';
import { DAY, addUtcMonths, parseTimestamp } from './time.js';

/** What one list request asks for, once PagerDuty's rules accepted it. */
export interface ListRequest {
  limit: number;
  offset: number;
  total: boolean;
  include: ReadonlySet<string>;
  range: Range;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const MAX_OFFSET = 10_000;
/** "6 months", with room for the longest six calendar months. */
const INCIDENT_MAX_DAYS = 183;
/** Notification windows must be "less than 3 months". */
const NOTIFICATION_MAX_DAYS = 92;
const ONCALL_MAX_DAYS_AHEAD = 90;

function integer(q: URLSearchParams, name: string, fallback: number, min: number): number {
  const v = q.get(name);
  if (v === null) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw invalidInput(`${name} must be an integer of at least ${min}`);
  return Number(v);
}

export function bound(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const ms = parseTimestamp(v);
  if (ms === undefined) throw invalidInput(`${name} is not a valid date-time`);
  return ms;
}

function ordered(sinceMs: number | undefined, untilMs: number | undefined): Range {
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) throw invalidSinceUntil('since must not be after until');
  return { sinceMs, untilMs };
}

/** A list's time window as the catalogue declares it: its query parameters, and whether both are required. */
export interface WindowParams {
  since: string;
  until: string;
  required: boolean;
}

/** Any windowed list: [since, until), in order, both present if the catalogue says the API requires them. */
function windowRange(q: URLSearchParams, w: WindowParams): Range {
  const range = ordered(bound(q, w.since), bound(q, w.until));
  if (w.required && (range.sinceMs === undefined || range.untilMs === undefined)) {
    throw missingArguments(`${w.since} and ${w.until} are both required`);
  }
  return range;
}

/** PagerDuty's own rules for some lists, beyond their window: defaults, and the longest span it accepts. */
const RANGE_RULES: Record<string, (q: URLSearchParams, nowMs: number, w: WindowParams) => Range> = {
  incidents: (q, nowMs, w) => {
    const dateRange = q.get('date_range');
    if (dateRange === 'all') return {};
    if (dateRange !== null) throw invalidInput('date_range must be "all"');
    const untilMs = bound(q, w.until) ?? nowMs;
    const range = ordered(bound(q, w.since) ?? addUtcMonths(untilMs, -1), untilMs);
    if (range.untilMs! - range.sinceMs! > INCIDENT_MAX_DAYS * DAY) throw invalidInput('Date Range cannot be longer than 6 months');
    return range;
  },
  notifications: (q, _nowMs, w) => {
    const range = windowRange(q, w);
    if (range.untilMs! - range.sinceMs! >= NOTIFICATION_MAX_DAYS * DAY) throw invalidInput('Date range must be less than 3 months');
    return range;
  },
  oncalls: (q, nowMs, w) => {
    const range = ordered(bound(q, w.since) ?? nowMs, bound(q, w.until) ?? nowMs);
    if (range.untilMs! > nowMs + ONCALL_MAX_DAYS_AHEAD * DAY) throw invalidInput('until cannot be more than 90 days in the future');
    return range;
  },
};

/** The range a list request asks for: none for a list without a window (it ignores since and until). */
function rangeOf(stream: string, window: WindowParams | undefined, q: URLSearchParams, nowMs: number): Range {
  const rule = RANGE_RULES[stream];
  const w = window ?? { since: 'since', until: 'until', required: false };
  if (rule) return rule(q, nowMs, w);
  return window ? windowRange(q, window) : {};
}

/**
 * Reads a list request's query the way PagerDuty does; a refused query throws its ApiFailure.
 * `window`: the stream's window in the catalogue.
 */
export function listRequest(stream: string, window: WindowParams | undefined, q: URLSearchParams, nowMs: number): ListRequest {
  const limit = Math.min(MAX_LIMIT, integer(q, 'limit', DEFAULT_LIMIT, 1));
  const offset = integer(q, 'offset', 0, 0);
  if (offset + limit > MAX_OFFSET) {
    throw argumentsCausedError(
      'Offset+limit exceeds maximum allowed value of 10000. Please use cursor-based pagination or narrow your search.',
    );
  }
  const timeZone = q.get('time_zone');
  if (timeZone !== null && !isTimeZone(timeZone)) throw invalidInput(`time_zone "${timeZone}" is not a time zone`);
  return {
    limit,
    offset,
    total: q.get('total') === 'true',
    include: new Set([...q.getAll('include[]'), ...q.getAll('include')]),
    range: rangeOf(stream, window, q, nowMs),
  };
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
