import { ApiError, AuthError } from '../errors.js';
import { type AddressProbe, checkAddress } from './address-check.js';
import type { StreamSpec } from '../catalogue/catalogue.js';
import { baseRequest, type FetchPage, type PageRequest, windowRequest } from './page-request.js';

export type Probe = PageRequest;

/**
 * The cheapest request of a stream: one record, in a one-day window where the API insists on
 * one. None for a child stream: its path needs a parent's key.
 */
export function probeOf(spec: StreamSpec, until: Date): Probe | undefined {
  if (spec.parent) return undefined;
  const base = baseRequest(spec);
  const r = spec.window?.required ? windowRequest(spec, base, { since: new Date(until.getTime() - 86_400_000), until }) : base;
  return r.body ? { ...r, body: { ...r.body, limit: 1 } } : { ...r, query: { ...r.query, limit: 1 } };
}

/** What the check needs of the source: its address check and a page fetcher. */
export interface AccessCheck {
  probe: AddressProbe;
  fetchPage: FetchPage;
  timeoutMs: number;
  stop?: AbortSignal;
}

/**
 * Proves the address and the credentials before anything is written. `GET /abilities` answers
 * every API key (see checkAddress for an address that does not answer, or not as PagerDuty):
 * a 401 (a wrong key, a refused OAuth client) stops the run. A 403 there is normal for an OAuth
 * token without that scope; the run's own streams are then asked for one record each, until
 * one answers: a 403 from every one stops the run too, as it could write nothing.
 */
export async function checkAuth(check: AccessCheck, probes: Probe[]): Promise<void> {
  const { fetchPage } = check;
  const connection = check.probe.connection;
  const refused = await checkAddress(check.probe, check.timeoutMs, check.stop);
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
    await fetchPage(probe);
    return undefined;
  } catch (e) {
    return e instanceof ApiError && (e.status === 401 || e.status === 403) ? e : undefined;
  }
}

export function authFailure(e: ApiError, connection: string): AuthError {
  return new AuthError(`${connection}: PagerDuty refused the credentials: ${e.message}: check them with \`pdsync conns test ${connection}\``);
}
