import { SECOND } from './time.js';

/**
 * How the simulated API limits one key. `window` (the default) is PagerDuty's kind: `limit`
 * requests per fixed window of `windowSeconds` (960 per minute), `remaining` counting down and
 * `reset` the seconds to the window's end; `aligned` windows start on wall-clock multiples (the
 * minute), and `sharedPerSecond` is another client of the same key spending it steadily. `bucket`
 * is a token bucket holding `limit` tokens, refilled completely every `windowSeconds` (5 tokens a
 * second), `reset` the seconds until it is full again.
 */
export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
  kind?: 'window' | 'bucket';
  aligned?: boolean;
  sharedPerSecond?: number;
}

/** What the `ratelimit-*` headers say after a request. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (the bucket is full), at least 1. */
  resetSeconds: number;
}

export interface Limiter {
  /** Counts one request; `allowed` is false once the budget is spent. */
  take(nowMs: number): RateLimitState & { allowed: boolean };
  /** The state without counting a request (for answers that do not count, like a 401). */
  peek(nowMs: number): RateLimitState;
}

export function checkRateLimit(o: RateLimitOptions): RateLimitOptions {
  if (!Number.isInteger(o.limit) || o.limit < 1 || !(o.windowSeconds > 0) || !(o.sharedPerSecond === undefined || o.sharedPerSecond >= 0)) {
    throw new RangeError(`rateLimit ${JSON.stringify(o)}: expected an integer limit >= 1, windowSeconds > 0 and sharedPerSecond >= 0`);
  }
  return o;
}

export function makeLimiter(o: RateLimitOptions): Limiter {
  return o.kind === 'bucket' ? new TokenBucketLimiter(o) : new FixedWindowLimiter(o);
}

/** A fixed window per key (the simulator has one key). Runs on real time, as clients wait in it. */
export class FixedWindowLimiter implements Limiter {
  private windowStartMs = 0;
  private windowEndMs = 0;
  private used = 0;

  constructor(private readonly o: RateLimitOptions) {}

  take(nowMs: number): RateLimitState & { allowed: boolean } {
    this.roll(nowMs);
    const allowed = this.used + this.others(nowMs) < this.o.limit;
    if (allowed) this.used++;
    return { allowed, ...this.state(nowMs) };
  }

  peek(nowMs: number): RateLimitState {
    if (nowMs >= this.windowEndMs) return { limit: this.o.limit, remaining: this.o.limit, resetSeconds: Math.ceil(this.o.windowSeconds) };
    return this.state(nowMs);
  }

  /** Requests the other client of the key has made in this window so far. */
  private others(nowMs: number): number {
    return Math.floor(((this.o.sharedPerSecond ?? 0) * (nowMs - this.windowStartMs)) / SECOND);
  }

  /** A window opens at the first request after the last one closed, or on the clock's multiples when aligned. */
  private roll(nowMs: number): void {
    if (nowMs < this.windowEndMs) return;
    const length = this.o.windowSeconds * SECOND;
    this.windowStartMs = this.o.aligned ? Math.floor(nowMs / length) * length : nowMs;
    this.windowEndMs = this.windowStartMs + length;
    this.used = 0;
  }

  private state(nowMs: number): RateLimitState {
    return {
      limit: this.o.limit,
      remaining: Math.max(0, this.o.limit - this.used - this.others(nowMs)),
      resetSeconds: Math.max(1, Math.ceil((this.windowEndMs - nowMs) / SECOND)),
    };
  }
}

/** A token bucket per key: `limit` tokens, refilled at limit / windowSeconds a second. */
export class TokenBucketLimiter implements Limiter {
  private tokens: number;
  private atMs: number | undefined;
  private readonly perMs: number;

  constructor(private readonly o: RateLimitOptions) {
    this.tokens = o.limit;
    this.perMs = o.limit / (o.windowSeconds * SECOND);
  }

  take(nowMs: number): RateLimitState & { allowed: boolean } {
    this.refill(nowMs);
    const allowed = this.tokens >= 1;
    if (allowed) this.tokens -= 1;
    return { allowed, ...this.state(allowed) };
  }

  peek(nowMs: number): RateLimitState {
    this.refill(nowMs);
    return this.state(true);
  }

  private refill(nowMs: number): void {
    if (this.atMs !== undefined) this.tokens = Math.min(this.o.limit, this.tokens + (nowMs - this.atMs) * this.perMs);
    this.atMs = nowMs;
  }

  /** After a refusal, reset is the wait for the next token; else the time until the bucket is full. */
  private state(allowed: boolean): RateLimitState {
    const missing = allowed ? this.o.limit - this.tokens : 1 - this.tokens;
    return { limit: this.o.limit, remaining: Math.floor(this.tokens), resetSeconds: Math.max(1, Math.ceil(missing / this.perMs / SECOND)) };
  }
}
