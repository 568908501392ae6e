import { type ConnectionSettings, isPagerDuty } from '../config/connections.js';
import { apiBaseUrl } from '../source/api-base-url.js';

/** Where a connection points, and which secrets it has (never their values). */
export function describeConnection(c: ConnectionSettings): string {
  if (isPagerDuty(c)) {
    const has = (k: string) => c.secretKeys.includes(k);
    const auth = has('api_key') ? 'api_key ****' : has('oauth_token') ? 'oauth_token ****' : 'oauth client credentials ****';
    return `pagerduty  ${apiBaseUrl(c)}  ${auth}`;
  }
  if (c.type === 'file') return `file       ${c.url}`;
  if (c.url === 'embedded') return `postgres   embedded (${c.data_dir ?? '.pdsync/pg'})`;
  if (!URL.canParse(c.url)) return 'postgres   (a URL that cannot be parsed)';
  const url = new URL(c.url);
  if (url.password) url.password = '****';
  if (url.searchParams.has('password')) url.searchParams.set('password', '****');
  return `postgres   ${url.toString()}`;
}
