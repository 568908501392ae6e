import { ApiError } from '../errors.js';
import { classify } from './response-classifier.js';

export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. Pure: the server's
 * own wait (Retry-After, ratelimit-reset) wins; otherwise exponential backoff with full jitter.
 */
export function retryDelay(error: unknown, attempt: number, settings: RetrySettings, random = Math.random): number | undefined {
  if (attempt >= settings.maxAttempts || classify(error) !== 'retry') return undefined;
  if (error instanceof ApiError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, settings.maxDelayMs) + Math.floor(random() * 100);
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
