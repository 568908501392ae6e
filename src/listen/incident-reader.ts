import { ApiError } from '../errors.js';
import type { ApiRecord } from '../record.js';
import type { FetchPage } from '../source/page-request.js';
import type { StreamSpec } from '../catalogue/catalogue.js';

export interface IncidentNow {
  /** The incident as the API has it now; undefined when it is gone (404). */
  incident?: ApiRecord;
  /** Its log entries from `since` (all of them without it). */
  entries: ApiRecord[];
}

/** A page count no incident's log reaches: past it the API is repeating itself. */
const MAX_PAGES = 100;

/**
 * An incident in full (`GET /incidents/{id}`, with the catalogue's include[] for incidents, so the
 * row is the one a run would write), and its log entries since the newest one the table holds.
 */
export async function readIncident(fetch: FetchPage, incidents: StreamSpec, logEntries: StreamSpec | undefined, id: string, since?: Date): Promise<IncidentNow> {
  const path = `/incidents/${encodeURIComponent(id)}`;
  let incident: ApiRecord | undefined;
  try {
    const body = await fetch(path, incidents.include.length ? { 'include[]': incidents.include } : {});
    incident = body.incident as ApiRecord | undefined;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { entries: [] };
    throw e;
  }
  if (!logEntries) return { incident, entries: [] };
  const entries: ApiRecord[] = [];
  const limit = 100;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await fetch(`${path}/log_entries`, {
      ...(logEntries.include.length ? { 'include[]': logEntries.include } : {}),
      time_zone: 'UTC',
      ...(since ? { since: since.toISOString() } : {}),
      limit,
      offset: page * limit,
    });
    const records = (body.log_entries as ApiRecord[] | undefined) ?? [];
    entries.push(...records);
    if (!body.more || records.length === 0) break;
  }
  return { incident, entries };
}
