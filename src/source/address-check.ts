import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ConfigError, SourceError } from '../errors.js';
import type { ListBody } from './page-request.js';

/** The longest the first request may take in all: an address that never answers ends the run in seconds. */
export const ADDRESS_DEADLINE_MS = 12_000;
/** Attempts of the first request when the answer was cut off or the API was briefly unavailable. */
const ATTEMPTS = 4;
const FIRST_WAIT_MS = 250;
/** Socket errors that say a connection broke, not that nothing listens: worth another attempt. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** What the check needs of the source: where it points, and one request without retries or rate tokens. */
export interface AddressProbe {
  connection: string;
  /** The API root requests go to. */
  address: string;
  /** Whether the address is the connection's `inputs.base_url` (else its region's). */
  baseUrlGiven: boolean;
  /** Gets the Authorization header ready (OAuth client credentials: a token from inputs.token_url). */
  authorize(): Promise<void>;
  send(path: string, signal: AbortSignal): Promise<ListBody>;
}

/** Words for a socket's error code; the code itself for the rest. */
function failure(network: string | undefined, seconds: number): string {
  if (network === 'timeout') return `no answer within ${seconds} s`;
  if (network === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (network === 'ENOTFOUND') return 'no such host (DNS)';
  if (network === 'EAI_AGAIN') return 'the host name could not be looked up now (DNS)';
  if (network && /CERT|SSL|TLS|SELF_SIGNED/i.test(network)) return `TLS failed (${network})`;
  return network ?? 'no answer';
}

/** How an answer that is not PagerDuty's looked, for the message. */
function answered(e: ApiError): string {
  if (e.details.body === 'html') return `answered ${e.status} with an HTML page`;
  if (e.malformedBody) return `answered ${e.status} with a body that is not JSON`;
  return `answered ${e.status}${e.details.body === 'pagerduty-error' ? '' : ' without PagerDuty\'s error body'}`;
}

function notPagerDuty(p: AddressProbe, what: string): Error {
  if (!p.baseUrlGiven) return new SourceError(`${p.connection}: ${p.address} does not answer as the PagerDuty API: GET /abilities ${what}: is a proxy in between?`);
  return new ConfigError(
    `${p.connection}: inputs.base_url ${p.address} does not answer as the PagerDuty API: GET /abilities ${what}: set it to the API root (https://api.pagerduty.com, or https://api.eu.pagerduty.com), without /v2`,
  );
}

/** Whether a failed attempt may be tried again: a connection cut, an unreadable body, a 5xx. */
function transient(e: ApiError): boolean {
  if (e.status === undefined) return BROKEN.has(e.details.network ?? '');
  if (e.malformedBody) return e.details.body !== 'html';
  return e.status >= 500;
}

/**
 * Proves, before any stream starts, that the PagerDuty API answers at the connection's address:
 * `GET /abilities`, within ADDRESS_DEADLINE_MS (or the connection's shorter timeout) in all.
 * Unreachable (refused, DNS, TLS, silent): SourceError, exit 1. An answer that is not PagerDuty's
 * (a 404, HTML, no JSON envelope): ConfigError naming base_url, exit 2. A refusal of the
 * credentials (401, 403 in PagerDuty's envelope) is returned for the credential check.
 */
export async function checkAddress(p: AddressProbe, timeoutMs: number, stop?: AbortSignal): Promise<ApiError | undefined> {
  const limitMs = Math.min(ADDRESS_DEADLINE_MS, timeoutMs);
  const deadline = AbortSignal.timeout(limitMs);
  const signal = stop ? AbortSignal.any([stop, deadline]) : deadline;
  const seconds = Math.round(limitMs / 100) / 10;
  try {
    await p.authorize();
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== undefined) return refusedToken(e);
    throw new SourceError(`${p.connection}: cannot reach the OAuth token endpoint (inputs.token_url): ${e.message}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const body = await p.send('/abilities', signal);
      if (!Array.isArray(body.abilities)) throw notPagerDuty(p, 'answered without a list of abilities');
      return undefined;
    } catch (e) {
      if (stop?.aborted) throw e;
      if (deadline.aborted) throw new SourceError(`${p.connection}: cannot reach the PagerDuty API at ${p.address}: ${failure('timeout', seconds)}`);
      if (!(e instanceof ApiError)) throw e;
      if (transient(e) && attempt < ATTEMPTS) {
        await sleep(FIRST_WAIT_MS * 2 ** (attempt - 1), undefined, { signal }).catch(() => undefined);
        continue;
      }
      return verdict(p, e, attempt, seconds);
    }
  }
}

/** A client-credentials grant refused (401) is the credential check's to report; any other failure is the run's. */
function refusedToken(e: unknown): ApiError {
  if (e instanceof ApiError && e.status === 401) return e;
  throw e;
}

/** What a last failed attempt means for the run. */
function verdict(p: AddressProbe, e: ApiError, attempts: number, seconds: number): ApiError | undefined {
  if (e.status === undefined) throw new SourceError(`${p.connection}: cannot reach the PagerDuty API at ${p.address}: ${failure(e.details.network, seconds)}`);
  if (e.status >= 500 && !e.malformedBody) {
    throw new SourceError(`${p.connection}: the PagerDuty API at ${p.address} answered ${e.status} to ${attempts} attempts: it is unavailable now; a later run catches up`);
  }
  // PagerDuty's own limit (its 429s do not always carry the envelope): the API is there; the streams wait.
  if (e.status === 429) return undefined;
  if (e.malformedBody || e.status === 404 || e.details.body !== 'pagerduty-error') throw notPagerDuty(p, answered(e));
  if (e.status === 401 || e.status === 403) return e;
  // Another answer in PagerDuty's envelope: the API is there; the streams report what it says.
  return undefined;
}
