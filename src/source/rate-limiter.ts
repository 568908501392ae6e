import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { type BudgetReading, ServerBudget } from './server-budget.js';

export interface RateLimiterOptions {
  /** Requests per second: grants are spaced 1/rate apart. */
  rate: number;
  /** Requests in flight at once. */
  concurrency: number;
  now?: () => number;
}

/** What a run's pacing came to, for the summary's advice. */
export interface PacingStats {
  requests: number;
  /** Time requests waited for their turn at the configured rate. */
  rateWaitMs: number;
  /** Time they waited because the server's budget ran short. */
  serverWaitMs: number;
  /** The key's limit and window, as the server's headers told them. */
  server?: BudgetReading;
}

/**
 * One per run, shared by every stream: an in-flight cap (p-limit) and a pace. Grants are spaced
 * 1/rate apart, so the configured rate is what the server sees, not a burst above it. The
 * server's own budget (ratelimit-remaining over ratelimit-reset, less what other clients of the
 * key spend) can only slow the pace, and the run stops outright only when nothing remains.
 */
export class RateLimiter {
  private readonly limit: LimitFunction;
  private readonly spacingMs: number;
  private readonly budget: ServerBudget;
  private queue: Promise<void> = Promise.resolve();
  private lastGrant: number | undefined;
  private inFlight = 0;
  /** A 429 holds every request back, not only the one refused: no storm of them. */
  private heldUntil = 0;
  private readonly now: () => number;
  readonly stats: PacingStats = { requests: 0, rateWaitMs: 0, serverWaitMs: 0 };

  constructor(readonly options: RateLimiterOptions) {
    this.limit = pLimit(options.concurrency);
    this.now = options.now ?? Date.now;
    this.spacingMs = 1000 / options.rate;
    this.budget = new ServerBudget(options.rate, this.now);
  }

  /** Runs `fn` holding one in-flight slot. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      this.inFlight++;
      try {
        return await fn();
      } finally {
        this.inFlight--;
      }
    });
  }

  /** Waits for the right to send one request. Call once per attempt: a retry is a request too. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForTurn(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Reads the API's rate-limit headers of a response. */
  observe(remaining: number | undefined, resetSeconds: number | undefined, limit?: number): void {
    if (remaining === undefined || resetSeconds === undefined) return;
    this.budget.observe({ remaining, resetSeconds, ...(limit !== undefined ? { limit } : {}) }, this.stats.requests, this.inFlight);
    if (this.budget.reading) this.stats.server = this.budget.reading;
  }

  /** The server refused a request for its rate (429): nothing goes out before its wait is over. */
  holdOff(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
  }

  private async waitForTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      const byRate = this.lastGrant === undefined ? now : this.lastGrant + this.spacingMs;
      const paused = Math.max(this.budget.pausedUntil, this.heldUntil);
      const byServer = this.lastGrant === undefined ? paused : Math.max(paused, this.lastGrant + this.budget.spacingMs);
      const at = Math.max(byRate, byServer);
      if (at <= now) break;
      const wait = at - now;
      if (byServer > byRate) this.stats.serverWaitMs += wait;
      else this.stats.rateWaitMs += wait;
      await sleep(wait, undefined, signal ? { signal } : undefined);
    }
    this.lastGrant = this.now();
    this.stats.requests++;
  }
}
