import { request } from 'undici';
import { ApiError } from '../errors.js';

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** `as_account-{region}.{subdomain}` followed by the read scopes of the streams to sync. */
  scope: string;
  timeoutMs: number;
  /** Each token as it is obtained, before it is used: a secret to scrub from all pdsync writes. */
  onToken?: (token: string) => void;
}

/** Renew this long before the token says it expires, so no request goes out with a stale one. */
const RENEW_EARLY_MS = 60_000;

/**
 * An OAuth access token from a client-credentials grant at identity.pagerduty.com, fetched on
 * first use and again when it nears expiry. Concurrent callers share one token request.
 */
export class OAuthTokenProvider {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly c: ClientCredentials) {}

  async authorization(): Promise<string> {
    if (this.token && this.token.expiresAt - RENEW_EARLY_MS > Date.now()) return `Bearer ${this.token.value}`;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return `Bearer ${await this.pending}`;
  }

  private async fetchToken(): Promise<string> {
    const where = `POST ${new URL(this.c.tokenUrl).pathname}`;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.c.clientId,
      client_secret: this.c.clientSecret,
      scope: this.c.scope,
    }).toString();
    let status: number;
    let text: string;
    try {
      const res = await request(this.c.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        headersTimeout: this.c.timeoutMs,
        bodyTimeout: this.c.timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      throw new ApiError(`${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, undefined, where);
    }
    let json: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // Reported below with the status.
    }
    if (status !== 200 || !json.access_token) {
      const detail = [json.error, json.error_description].filter(Boolean).join(': ') || `HTTP ${status}`;
      // A refused client is an authentication failure: the run stops at once, as for a bad API key.
      // A 200 without a token is a broken answer, worth another attempt like a 502.
      const as = status === 401 || status === 403 ? 401 : status === 200 ? 502 : status;
      throw new ApiError(`${where}: ${status} ${detail} (OAuth client credentials)`, as, undefined, where);
    }
    this.c.onToken?.(json.access_token);
    this.token = { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
    return json.access_token;
  }
}
