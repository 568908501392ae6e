import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';

export interface RateLimiterOptions {
  /** Requests per second, never exceeded over any one-second window. */
  rate: number;
  /** Requests in flight at once. */
  concurrency: number;
  now?: () => number;
}

/** Slack added to each one-second window, so a request written a little late still lands in its own. */
const WINDOW_MARGIN_MS = 25;

/**
 * One per run, shared by every stream: an in-flight cap (p-limit) and a rate. The rate is a
 * sliding-window log: the n-th grant waits until one second (plus a margin) after the
 * (n - rate)-th, and grants are spaced at least 1/rate apart, so no one-second window on the
 * server ever sees more than `rate` requests. The API's own counters pause it before a 429.
 */
export class RateLimiter {
  private readonly limit: LimitFunction;
  private readonly grants: number[] = [];
  private readonly perWindow: number;
  private readonly spacingMs: number;
  private queue: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(readonly options: RateLimiterOptions) {
    this.limit = pLimit(options.concurrency);
    this.now = options.now ?? Date.now;
    this.perWindow = Math.max(1, Math.floor(options.rate));
    this.spacingMs = 1000 / options.rate;
  }

  /** Runs `fn` holding one in-flight slot. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.limit(fn);
  }

  /** Waits for the right to send one request. Call once per attempt: a retry is a request too. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Reads the API's rate-limit headers: when few requests remain, pause until the reset. */
  observe(remaining: number | undefined, resetSeconds: number | undefined): void {
    if (remaining === undefined || resetSeconds === undefined) return;
    if (remaining <= this.options.concurrency) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + resetSeconds * 1000);
    }
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      const last = this.grants.at(-1);
      const windowStart = this.grants.length >= this.perWindow ? this.grants[this.grants.length - this.perWindow]! : undefined;
      const earliest = Math.max(
        this.pausedUntil,
        last === undefined ? 0 : last + this.spacingMs,
        windowStart === undefined ? 0 : windowStart + 1000 + WINDOW_MARGIN_MS,
      );
      if (earliest <= now) break;
      await sleep(earliest - now, undefined, signal ? { signal } : undefined);
    }
    this.grants.push(this.now());
    if (this.grants.length > this.perWindow) this.grants.shift();
  }
}
