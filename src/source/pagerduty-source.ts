import type { PagerDutyConnection } from '../config/connections.js';
import type { FetchPage } from './offset-pager.js';
import { PagerDutyClient } from './pagerduty-client.js';

const REGION_URLS = { us: 'https://api.pagerduty.com', eu: 'https://api.eu.pagerduty.com' } as const;

export function apiBaseUrl(conn: PagerDutyConnection): string {
  return conn.inputs.base_url ?? REGION_URLS[conn.inputs.region];
}

/** The Authorization header for a connection's secrets. Never printed. */
export function authorizationHeader(conn: PagerDutyConnection): string {
  return conn.secrets.api_key ? `Token token=${conn.secrets.api_key}` : `Bearer ${conn.secrets.oauth_token}`;
}

/** The source side of a run: one HTTP client, created once and shared by every stream. */
export class PagerDutySource {
  readonly client: PagerDutyClient;

  constructor(conn: PagerDutyConnection) {
    this.client = new PagerDutyClient({
      baseUrl: apiBaseUrl(conn),
      authorization: authorizationHeader(conn),
      timeoutMs: conn.inputs.timeout,
    });
  }

  /** A page fetcher that counts its requests, for one stream's summary. */
  fetcher(counter: { requests: number }): FetchPage {
    return (path, query) => {
      counter.requests += 1;
      return this.client.get(path, query);
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
