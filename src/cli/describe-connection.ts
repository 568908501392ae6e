import { type Connection, isPagerDuty } from '../config/connections.js';
import { apiBaseUrl } from '../source/api-base-url.js';

/** Where a connection points, with every secret masked. */
export function describeConnection(c: Connection): string {
  if (isPagerDuty(c)) {
    const auth = c.secrets.api_key ? 'api_key ****' : c.secrets.oauth_token ? 'oauth_token ****' : `oauth client ${c.secrets.client_id} ****`;
    return `pagerduty  ${apiBaseUrl(c)}  ${auth}`;
  }
  if (c.url === 'embedded') return `postgres   embedded (${c.data_dir ?? '.pdsync/pg'})`;
  if (!URL.canParse(c.url)) return 'postgres   (a URL that cannot be parsed)';
  const url = new URL(c.url);
  if (url.password) url.password = '****';
  if (url.searchParams.has('password')) url.searchParams.set('password', '****');
  return `postgres   ${url.toString()}`;
}
