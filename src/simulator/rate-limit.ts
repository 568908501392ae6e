import { SECOND } from './time.js';

/** PagerDuty's limit: 960 requests per minute per API key. */
export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
}

/** What the `ratelimit-*` headers say after a request. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets, at least 1. */
  resetSeconds: number;
}

export function checkRateLimit(o: RateLimitOptions): RateLimitOptions {
  if (!Number.isInteger(o.limit) || o.limit < 1 || !(o.windowSeconds > 0)) {
    throw new RangeError(`rateLimit ${JSON.stringify(o)}: expected an integer limit >= 1 and windowSeconds > 0`);
  }
  return o;
}

/**
 * A fixed window per key (the simulator has one key): the window opens at the first request after
 * the previous one closed, and admits `limit` requests. Runs on real time, as clients wait in it.
 */
export class FixedWindowLimiter {
  private windowEndMs = 0;
  private used = 0;

  constructor(private readonly o: RateLimitOptions) {}

  /** Counts one request; `allowed` is false once the window's budget is spent. */
  take(nowMs: number): RateLimitState & { allowed: boolean } {
    this.roll(nowMs);
    const allowed = this.used < this.o.limit;
    if (allowed) this.used++;
    return { allowed, ...this.state(nowMs) };
  }

  /** The state without counting a request (for answers that do not count, like a 401). */
  peek(nowMs: number): RateLimitState {
    if (nowMs >= this.windowEndMs) return { limit: this.o.limit, remaining: this.o.limit, resetSeconds: Math.ceil(this.o.windowSeconds) };
    return this.state(nowMs);
  }

  private roll(nowMs: number): void {
    if (nowMs < this.windowEndMs) return;
    this.windowEndMs = nowMs + this.o.windowSeconds * SECOND;
    this.used = 0;
  }

  private state(nowMs: number): RateLimitState {
    return {
      limit: this.o.limit,
      remaining: this.o.limit - this.used,
      resetSeconds: Math.max(1, Math.ceil((this.windowEndMs - nowMs) / SECOND)),
    };
  }
}
