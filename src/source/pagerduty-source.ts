import type { PagerDutyConnection } from '../config/connections.js';
import { apiBaseUrl } from './api-base-url.js';
import { OAuthTokenProvider } from './oauth-token-provider.js';
import { PagerDutyClient } from './pagerduty-client.js';
import { type PacingStats, RateLimiter } from './rate-limiter.js';
import { type FetchHooks, type RequestCounters, RequestExecutor } from './request-executor.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { FetchPage } from './page-request.js';
import type { AccessCheck } from './auth-check.js';


/** How a connection authenticates, for people: never the secret itself. */
export function authDescription(conn: PagerDutyConnection): string {
  if (conn.secrets.api_key) return 'API key (Authorization: Token)';
  if (conn.secrets.oauth_token) return 'OAuth token (Authorization: Bearer)';
  return `OAuth client credentials for ${conn.inputs.subdomain} (Authorization: Bearer, renewed on expiry)`;
}

/** The Authorization header for each request of a connection. Never printed. */
function authorizer(conn: PagerDutyConnection, opts: SourceOptions): () => Promise<string> {
  const { api_key, oauth_token, client_id, client_secret } = conn.secrets;
  if (api_key) return async () => `Token token=${api_key}`;
  if (oauth_token) return async () => `Bearer ${oauth_token}`;
  const provider = new OAuthTokenProvider({
    tokenUrl: conn.inputs.token_url,
    clientId: client_id!,
    clientSecret: client_secret!,
    scope: [`as_account-${conn.inputs.region}.${conn.inputs.subdomain}`, ...new Set(opts.scopes ?? [])].join(' '),
    timeoutMs: conn.inputs.timeout,
    ...(opts.onSecret ? { onToken: opts.onSecret } : {}),
  });
  return () => provider.authorization();
}

export interface SourceOptions {
  signal?: AbortSignal;
  /** OAuth scopes the run needs (the streams' read scopes), asked for with client credentials. */
  scopes?: string[];
  /** Each secret the source obtains (an OAuth access token), so that no output can show it. */
  onSecret?: (secret: string) => void;
}

/** The source side of a run: one HTTP client and one limiter, created once and shared by every stream. */
export class PagerDutySource {
  private readonly client: PagerDutyClient;
  private readonly executor: RequestExecutor;
  private readonly authorization: () => Promise<string>;
  private readonly stop: AbortSignal | undefined;
  /** How the run was paced: its own rate's waits, the server's, and the key's limit as the headers told it. */
  readonly pacing: PacingStats;

  constructor(
    private readonly conn: PagerDutyConnection,
    opts: SourceOptions = {},
  ) {
    this.authorization = authorizer(conn, opts);
    this.stop = opts.signal;
    this.client = new PagerDutyClient({
      baseUrl: apiBaseUrl(conn),
      authorization: this.authorization,
      timeoutMs: conn.inputs.timeout,
    });
    const limiter = new RateLimiter({ rate: conn.inputs.rate, concurrency: conn.inputs.concurrency });
    this.pacing = limiter.stats;
    this.executor = new RequestExecutor(
      this.client,
      limiter,
      { ...DEFAULT_RETRY, maxAttempts: conn.inputs.max_attempts, maxServerWaitMs: conn.inputs.max_retry_wait * 1000 },
      opts.signal,
    );
  }

  /** A page fetcher for one stream: counts its requests and retries, reports each, and stops with the stream's signal. */
  fetcher(counters: RequestCounters, hooks: FetchHooks = {}): FetchPage {
    const withSignal = { ...hooks, signal: this.executor.signalFor(hooks.signal) };
    return (request) => this.executor.fetch(request, counters, withSignal);
  }

  /** What checkAuth needs: the address check's one request (outside the limiter and the retries), and a fetcher for the rest. */
  accessCheck(connection: string): AccessCheck {
    return {
      probe: {
        connection,
        address: apiBaseUrl(this.conn),
        baseUrlGiven: this.conn.inputs.base_url !== undefined,
        authorize: async () => void (await this.authorization()),
        send: async (path, signal) => (await this.client.send({ method: 'GET', path, query: {} }, signal)).body,
      },
      fetchPage: this.fetcher({ requests: 0, retries: 0 }),
      timeoutMs: this.conn.inputs.timeout,
      ...(this.stop ? { stop: this.stop } : {}),
    };
  }

  /** The API's clock, once it has answered (see PagerDutyClient.serverNow). */
  serverNow(): Date | undefined {
    return this.client.serverNow();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
