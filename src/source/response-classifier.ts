import { ApiError } from '../errors.js';

export type Verdict = 'retry' | 'fatal' | 'gated';

/**
 * The one place that decides what a failed request means. Retry: 429, 408, 5xx, network
 * errors and unreadable bodies. Gated: 402 (the account lacks the feature), or 404 on a stream
 * the catalogue marks as plan-gated (PagerDuty answers 404 on /priorities when priorities are
 * off); a 404 elsewhere is more likely a wrong base_url and stays fatal. Everything else is fatal.
 */
export function classify(error: unknown, gated = false): Verdict {
  if (!(error instanceof ApiError)) return 'fatal';
  const { status } = error;
  if (status === undefined) return 'retry';
  if (status === 402 || (status === 404 && gated)) return 'gated';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  if (status >= 200 && status < 300) return error.malformedBody ? 'retry' : 'fatal';
  return 'fatal';
}
