import { randomBytes } from 'node:crypto';
import { jsonReply, type Reply } from './replies.js';

export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued tokens; PagerDuty's is 86,400 s. */
  ttlSeconds?: number;
  /** A refused grant quotes the form it received, as some gateways do (the client secret form-encoded). */
  echoRefused?: boolean;
}

/**
 * POST /oauth/token as identity.pagerduty.com answers it: a client-credentials grant returns a
 * Bearer token that the API accepts until it expires (real time, like the rate limit).
 */
export class OAuthIssuer {
  private readonly tokens = new Map<string, number>();
  /** Every grant asked for, so tests can check the scopes requested. */
  readonly grants: { scope: string; at: number; token: string }[] = [];

  constructor(private readonly o: OAuthClientOptions) {}

  token(body: string): Reply {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      return jsonReply(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    if (form.get('client_id') !== this.o.clientId || form.get('client_secret') !== this.o.clientSecret) {
      const quoted = this.o.echoRefused ? ` for ${body}` : '';
      return jsonReply(401, { error: 'invalid_client', error_description: `Client authentication failed${quoted}` });
    }
    const scope = form.get('scope') ?? '';
    if (!/^as_account-(us|eu)\.\S+/.test(scope)) {
      return jsonReply(400, { error: 'invalid_scope', error_description: 'scope must start with as_account-{region}.{subdomain}' });
    }
    const ttl = this.o.ttlSeconds ?? 86_400;
    const token = `pdus+_${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, Date.now() + ttl * 1000);
    this.grants.push({ scope, at: Date.now(), token });
    return jsonReply(200, { access_token: token, token_type: 'bearer', expires_in: ttl, scope, id_token: null });
  }

  /** Whether an Authorization header carries a token this issuer gave out and that has not expired. */
  accepts(authorization: string | undefined): boolean {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const expires = token ? this.tokens.get(token) : undefined;
    return expires !== undefined && expires > Date.now();
  }
}
