import { ApiError, AuthError } from '../errors.js';
import type { StreamSpec } from '../spec/catalogue.js';
import type { Query } from './query-string.js';
import type { FetchPage } from './stream-reader.js';
import { formatTime } from './time-windows.js';

export interface Probe {
  path: string;
  query: Query;
}

/** The cheapest request of a stream: one record, in a one-day window where the API insists on one. */
export function probeOf(spec: StreamSpec, until: Date): Probe {
  const window = spec.window?.required
    ? { ...spec.window.query, since: formatTime(new Date(until.getTime() - 86_400_000)), until: formatTime(until) }
    : {};
  return { path: spec.path, query: { ...spec.query, ...window, limit: 1 } };
}

/**
 * Proves the credentials before anything is written. `GET /abilities` answers every API key:
 * a 401 (a wrong key, a refused OAuth client) stops the run. A 403 there is normal for an OAuth
 * token without that scope; the run's own streams are then asked for one record each, until
 * one answers: a 403 from every one stops the run too, as it could write nothing.
 */
export async function checkAuth(fetchPage: FetchPage, connection: string, probes: Probe[]): Promise<void> {
  const refused = await refusal(fetchPage, { path: '/abilities', query: {} });
  if (!refused) return;
  if (refused.status === 401) throw authFailure(refused, connection);
  let last = refused;
  for (const probe of probes) {
    const r = await refusal(fetchPage, probe);
    if (!r) return;
    if (r.status === 401) throw authFailure(r, connection);
    last = r;
  }
  throw new AuthError(
    `${connection}: PagerDuty refused every stream of the run: ${last.message}: give the key or token read access to them (check with \`pdsync conns test ${connection}\`)`,
  );
}

/** The 401 or 403 a request met, or undefined for any other answer (other failures are the streams' to report). */
async function refusal(fetchPage: FetchPage, probe: Probe): Promise<ApiError | undefined> {
  try {
    await fetchPage(probe.path, probe.query);
    return undefined;
  } catch (e) {
    return e instanceof ApiError && (e.status === 401 || e.status === 403) ? e : undefined;
  }
}

export function authFailure(e: ApiError, connection: string): AuthError {
  return new AuthError(`${connection}: PagerDuty refused the credentials: ${e.message}: check them with \`pdsync conns test ${connection}\``);
}
