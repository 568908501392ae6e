import { type ApiFailure, notFound, paymentRequired } from './api-errors.js';

/**
 * Endpoints the account's plan lacks, by stream, and how PagerDuty refuses them: 402 (e.g. /teams
 * on plans without teams, /audit/records on plans without the audit trail) or 404 (e.g.
 * /priorities with priorities turned off). A teams gate also refuses /teams/{id}/members.
 */
export type Gates = Partial<Record<string, 402 | 404>>;

/** The gates, once every key names a served stream and every value is 402 or 404. */
export function checkGates(gates: Gates, streams: readonly string[]): Gates {
  for (const [stream, status] of Object.entries(gates)) {
    if (!streams.includes(stream)) throw new RangeError(`gates.${stream}: not a stream the simulator serves`);
    if (status !== undefined && status !== 402 && status !== 404) throw new RangeError(`gates.${stream}: ${status} is not 402 or 404`);
  }
  return { ...gates };
}

export function gateFailure(status: 402 | 404): ApiFailure {
  return status === 402 ? paymentRequired() : notFound();
}
