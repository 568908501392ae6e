import { qualified } from '../sql.js';

/** The schema of pdsync's own tables: cursors, runs, loads, webhook events, team access, staging. Named here only. */
export const BOOKKEEPING_SCHEMA = 'pdsync';

/** One of pdsync's own tables (or functions), quoted for SQL. */
export function bookkeeping(name: string): string {
  return qualified({ schema: BOOKKEEPING_SCHEMA, table: name });
}

export const STATE = bookkeeping('state');
export const RUNS = bookkeeping('runs');
export const LOADS = bookkeeping('loads');
export const WEBHOOK_EVENTS = bookkeeping('webhook_events');
export const TEAM_ACCESS = bookkeeping('team_access');
export const ALLOWED_TEAMS = bookkeeping('allowed_teams');
export const RELATION_PENDING = bookkeeping('relation_pending');
