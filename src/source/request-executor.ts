import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { ApiError } from '../errors.js';
import { classify } from './response-classifier.js';
import type { PagerDutyClient } from './pagerduty-client.js';
import type { ListBody, PageRequest } from './page-request.js';
import type { Query } from './query-string.js';
import type { RateLimiter } from './rate-limiter.js';
import { type RetrySettings, retryWait } from './retry-policy.js';

export interface RequestCounters {
  requests: number;
  retries: number;
}

export interface RequestEvent {
  method: 'GET' | 'POST';
  path: string;
  query: Query;
  /** HTTP status, or undefined for a network failure. */
  status: number | undefined;
  ms: number;
  attempt: number;
}

/** A wait the server asked for before the next attempt (Retry-After, or ratelimit-reset on a 429). */
export interface ServerWait {
  path: string;
  waitMs: number;
  askedMs: number;
}

export interface FetchHooks {
  onRequest?: (e: RequestEvent) => void;
  onServerWait?: (w: ServerWait) => void;
  /** Aborted when the run or the caller (a stream) stops: its queued and in-flight requests end at once (see signalFor). */
  signal?: AbortSignal;
}

/** Server waits this long or longer are announced: a run should not look stuck. */
const ANNOUNCE_WAIT_MS = 5000;

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

  /** The signal a caller's requests stop with: the run's, and the caller's own when it has one. Made once per caller. */
  signalFor(own: AbortSignal | undefined): AbortSignal | undefined {
    return own && this.signal ? AbortSignal.any([this.signal, own]) : (own ?? this.signal);
  }

  fetch(request: PageRequest, counters: RequestCounters, hooks: FetchHooks = {}): Promise<ListBody> {
    const { method, path, query } = request;
    const signal = hooks.signal;
    let attempts = 0;
    return this.limiter.run(() =>
      pRetry(
        async (attempt) => {
          attempts = attempt;
          signal?.throwIfAborted();
          if (this.authFailure) throw this.authFailure;
          await this.limiter.take(signal);
          counters.requests += 1;
          const started = Date.now();
          try {
            const res = await this.client.send(request, signal);
            this.limiter.observe(res.rateLimit.remaining, res.rateLimit.resetSeconds, res.rateLimit.limit);
            hooks.onRequest?.({ method, path, query, status: 200, ms: Date.now() - started, attempt });
            return res.body;
          } catch (e) {
            const status = (e as { status?: number }).status;
            hooks.onRequest?.({ method, path, query, status, ms: Date.now() - started, attempt });
            if (status === 401) this.authFailure = e;
            if (status === 429) this.limiter.holdOff(retryWait(e, 1, this.retry)?.ms ?? 0);
            throw e;
          }
        },
        {
          retries: this.retry.maxAttempts - 1,
          minTimeout: 0,
          maxTimeout: 0,
          randomize: false,
          ...(signal ? { signal } : {}),
          // The wait is the retry policy's, not p-retry's own backoff.
          shouldRetry: ({ error, attemptNumber }) => retryWait(error, attemptNumber, this.retry) !== undefined,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            const wait = retryWait(error, attemptNumber, this.retry);
            if (!wait) return;
            counters.retries += 1;
            if (wait.askedMs !== undefined && wait.ms >= ANNOUNCE_WAIT_MS) hooks.onServerWait?.({ path, waitMs: wait.ms, askedMs: wait.askedMs });
            await sleep(wait.ms, undefined, signal ? { signal } : undefined);
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
