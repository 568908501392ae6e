import type { PacingStats } from '../source/rate-limiter.js';
import type { RunSummary } from './run-summary.js';

/** A run waited on its own rate for at least this share of its length: it was rate-bound. */
const BOUND_SHARE = 0.5;
/** Below this much waiting, a faster rate would save too little to be worth a line in a cron log. */
const WORTH_MS = 60_000;
/** What a suggested rate leaves of the key's limit for other clients. */
const LEAVE_FOR_OTHERS = 0.8;

function minutes(ms: number): string {
  return ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** The window a `ratelimit-reset` fits in: PagerDuty's is a minute. */
function windowOf(resetSeconds: number): number {
  return [1, 60, 3600].find((w) => resetSeconds <= w) ?? resetSeconds;
}

/**
 * One line for a run that spent more than a minute, and most of its time, waiting on `inputs.rate`, with what would help:
 * where the key's limit (from the server's headers) allows more, the rate to set and about how long
 * the same requests would take at it.
 */
export function rateAdvice(summary: RunSummary, pacing: PacingStats, rate: number): string | undefined {
  const runMs = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  if (pacing.requests < 20 || pacing.rateWaitMs <= WORTH_MS || pacing.rateWaitMs < runMs * BOUND_SHARE) return undefined;
  const waited = `this run waited on its own rate limit (inputs.rate: ${rate}) for ${minutes(pacing.rateWaitMs)} of ${minutes(runMs)}`;
  const limit = pacing.server?.limit;
  if (!limit) return `${waited}; PagerDuty allows 960 requests a minute per key: a higher inputs.rate would take less time, if no other tool shares the key`;
  const window = windowOf(pacing.server!.windowSeconds);
  const perSecond = limit / window;
  const unit = window === 60 ? '/min' : window === 1 ? '/s' : ` per ${window} s`;
  const suggested = Math.floor(perSecond * LEAVE_FOR_OTHERS * 10) / 10;
  if (suggested <= rate) return `${waited}; the key allows ${limit}${unit}, so that is near the most it can go`;
  const atSuggested = (pacing.requests / suggested) * 1000 + Math.max(0, runMs - pacing.rateWaitMs);
  return `${waited}; the key allows ${limit}${unit}; inputs.rate: ${suggested} would take about ${minutes(atSuggested)}`;
}
