import { type Connection, isPagerDuty } from '../config/connections.js';
import type { Output } from '../summary/output.js';

/** Every secret of these connections, registered so that no output can show one. */
export function registerSecrets(output: Output, ...connections: Connection[]): void {
  for (const c of connections) {
    if (isPagerDuty(c)) {
      const { api_key, oauth_token, client_secret, webhook_secret } = c.secrets;
      for (const s of [api_key, oauth_token, client_secret, ...(webhook_secret?.split(',') ?? [])]) output.addSecret(s?.trim());
    } else if (URL.canParse(c.url)) {
      output.addSecret(decodeURIComponent(new URL(c.url).password));
    }
  }
}
