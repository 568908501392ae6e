import { ApiError } from '../errors.js';
import { classify } from './response-classifier.js';

export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Longest backoff of pdsync's own choosing. */
  maxDelayMs: number;
  /** Longest wait pdsync accepts when the server names one (Retry-After, ratelimit-reset). */
  maxServerWaitMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxServerWaitMs: 300_000 };

export interface RetryWait {
  ms: number;
  /** The wait the server asked for, when it named one. */
  askedMs?: number;
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. Pure: the server's
 * own wait (Retry-After, ratelimit-reset) wins, up to maxServerWaitMs; otherwise exponential
 * backoff with full jitter.
 */
export function retryWait(error: unknown, attempt: number, settings: RetrySettings, random = Math.random): RetryWait | undefined {
  if (attempt >= settings.maxAttempts || classify(error) !== 'retry') return undefined;
  if (error instanceof ApiError && error.retryAfterMs !== undefined) {
    return { ms: Math.min(error.retryAfterMs, settings.maxServerWaitMs) + Math.floor(random() * 100), askedMs: error.retryAfterMs };
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return { ms: Math.floor(ceiling / 2 + random() * (ceiling / 2)) };
}

/** The wait alone, for callers that only need how long. */
export function retryDelay(error: unknown, attempt: number, settings: RetrySettings, random = Math.random): number | undefined {
  return retryWait(error, attempt, settings, random)?.ms;
}
