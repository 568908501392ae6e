import { ApiError, AuthError } from '../errors.js';
import type { FetchPage } from './stream-reader.js';

/**
 * One cheap request before anything is written: `GET /abilities`, which every key can make and
 * no stream of the run counts. A 401 (a wrong key, a refused OAuth client) stops the run here;
 * other answers (a 403 of a token without that scope included) are left to the streams.
 */
export async function checkAuth(fetchPage: FetchPage, connection: string): Promise<void> {
  try {
    await fetchPage('/abilities', {});
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw authFailure(e, connection);
  }
}

export function authFailure(e: ApiError, connection: string): AuthError {
  return new AuthError(`${connection}: PagerDuty refused the credentials: ${e.message}: check them with \`pdsync conns test ${connection}\``);
}
