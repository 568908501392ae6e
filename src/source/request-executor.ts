import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { ApiError } from '../errors.js';
import { classify } from './response-classifier.js';
import type { ListBody, PagerDutyClient } from './pagerduty-client.js';
import type { Query } from './query-string.js';
import type { RateLimiter } from './rate-limiter.js';
import { type RetrySettings, retryDelay } from './retry-policy.js';

export interface RequestCounters {
  requests: number;
  retries: number;
}

export interface RequestEvent {
  path: string;
  query: Query;
  /** HTTP status, or undefined for a network failure. */
  status: number | undefined;
  ms: number;
  attempt: number;
}

/**
 * Every API request of a run goes through here, in a fixed order: the in-flight cap outside,
 * the retry loop inside it, and a rate token taken per attempt.
 */
export class RequestExecutor {
  /** Set by the first 401: every later request of the run fails with it at once, unsent. */
  private authFailure: unknown;

  constructor(
    private readonly client: PagerDutyClient,
    private readonly limiter: RateLimiter,
    private readonly retry: RetrySettings,
    private readonly signal?: AbortSignal,
  ) {}

  fetch(path: string, query: Query, counters: RequestCounters, onRequest: (e: RequestEvent) => void = () => undefined): Promise<ListBody> {
    let attempts = 0;
    return this.limiter.run(() =>
      pRetry(
        async (attempt) => {
          attempts = attempt;
          if (this.authFailure) throw this.authFailure;
          await this.limiter.take(this.signal);
          counters.requests += 1;
          const started = Date.now();
          try {
            const res = await this.client.get(path, query, this.signal);
            this.limiter.observe(res.rateLimit.remaining, res.rateLimit.resetSeconds);
            onRequest({ path, query, status: 200, ms: Date.now() - started, attempt });
            return res.body;
          } catch (e) {
            const status = (e as { status?: number }).status;
            onRequest({ path, query, status, ms: Date.now() - started, attempt });
            if (status === 401) this.authFailure = e;
            throw e;
          }
        },
        {
          retries: this.retry.maxAttempts - 1,
          minTimeout: 0,
          maxTimeout: 0,
          randomize: false,
          ...(this.signal ? { signal: this.signal } : {}),
          // The wait is the retry policy's, not p-retry's own backoff.
          shouldRetry: ({ error, attemptNumber }) => retryDelay(error, attemptNumber, this.retry) !== undefined,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            const wait = retryDelay(error, attemptNumber, this.retry);
            if (wait === undefined) return;
            counters.retries += 1;
            await sleep(wait, undefined, this.signal ? { signal: this.signal } : undefined);
          },
        },
      ).catch((e: unknown) => {
        if (e instanceof ApiError && classify(e) === 'retry') {
          throw new ApiError(`${e.message} (gave up after ${attempts} attempts)`, e.status, e.code, e.request, e.details);
        }
        throw e;
      }),
    );
  }
}
