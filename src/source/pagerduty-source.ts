import type { PagerDutyConnection } from '../config/connections.js';
import { PagerDutyClient } from './pagerduty-client.js';
import { RateLimiter } from './rate-limiter.js';
import { type RequestCounters, type RequestEvent, RequestExecutor } from './request-executor.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { FetchPage } from './stream-reader.js';

const REGION_URLS = { us: 'https://api.pagerduty.com', eu: 'https://api.eu.pagerduty.com' } as const;

export function apiBaseUrl(conn: PagerDutyConnection): string {
  return conn.inputs.base_url ?? REGION_URLS[conn.inputs.region];
}

/** The Authorization header for a connection's secrets. Never printed. */
export function authorizationHeader(conn: PagerDutyConnection): string {
  return conn.secrets.api_key ? `Token token=${conn.secrets.api_key}` : `Bearer ${conn.secrets.oauth_token}`;
}

export interface SourceOptions {
  signal?: AbortSignal;
}

/** The source side of a run: one HTTP client and one limiter, created once and shared by every stream. */
export class PagerDutySource {
  private readonly client: PagerDutyClient;
  private readonly executor: RequestExecutor;

  constructor(conn: PagerDutyConnection, opts: SourceOptions = {}) {
    this.client = new PagerDutyClient({
      baseUrl: apiBaseUrl(conn),
      authorization: authorizationHeader(conn),
      timeoutMs: conn.inputs.timeout,
    });
    const limiter = new RateLimiter({ rate: conn.inputs.rate, concurrency: conn.inputs.concurrency });
    this.executor = new RequestExecutor(
      this.client,
      limiter,
      { ...DEFAULT_RETRY, maxAttempts: conn.inputs.max_attempts },
      opts.signal,
    );
  }

  /** A page fetcher for one stream: counts its requests and retries, and reports each request. */
  fetcher(counters: RequestCounters, onRequest?: (e: RequestEvent) => void): FetchPage {
    return (path, query) => this.executor.fetch(path, query, counters, onRequest);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
