import type { PagerDutyConnection } from '../config/connections.js';

const REGION_URLS = { us: 'https://api.pagerduty.com', eu: 'https://api.eu.pagerduty.com' } as const;

/** The API address of a connection: its base_url, else its region's. */
export function apiBaseUrl(conn: Pick<PagerDutyConnection, 'inputs'>): string {
  return conn.inputs.base_url ?? REGION_URLS[conn.inputs.region];
}
