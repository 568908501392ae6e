/** The key's limit as the server's headers tell it. */
export interface BudgetReading {
  limit?: number;
  /** The longest `ratelimit-reset` seen: the length of the server's window, or near it. */
  windowSeconds: number;
}

export interface Headers {
  remaining: number;
  resetSeconds: number;
  limit?: number;
}

/** Readings closer together than this say little about a rate. */
const MIN_SPAN_MS = 500;
/** Weight of the newest estimate of the others' rate. */
const SMOOTHING = 0.3;

/**
 * What the server's `ratelimit-*` headers leave for this run. Between two readings of one window,
 * `remaining` falls by this run's requests plus what other clients of the key spent (less what a
 * token bucket refilled): that difference, as a rate, is the others' share. The run may then go
 * at (remaining - its requests not yet counted) / reset, less the others' rate: where that is
 * under the configured rate, requests are spaced out to it; only when nothing remains does the
 * run wait for the reset. A fixed window of 960 a minute leaves 16 a second, far above 5, so the
 * server's budget only ever slows a run whose key is shared or nearly spent.
 */
export class ServerBudget {
  /** Extra spacing between grants while the budget is short; 0 when it is not. */
  spacingMs = 0;
  /** Nothing may be sent before this time (the budget is spent until the reset). */
  pausedUntil = 0;
  reading: BudgetReading | undefined;
  private last: { at: number; remaining: number; resetMs: number; sent: number } | undefined;
  private others: number | undefined;

  constructor(
    private readonly rate: number,
    private readonly now: () => number,
  ) {}

  /** `sent`: requests this run has been granted so far; `inFlight`: those not yet answered, this one included. */
  observe(h: Headers, sent: number, inFlight: number): void {
    const now = this.now();
    const resetMs = Math.max(h.resetSeconds * 1000, MIN_SPAN_MS);
    this.reading = {
      ...(h.limit !== undefined ? { limit: h.limit } : this.reading?.limit !== undefined ? { limit: this.reading.limit } : {}),
      windowSeconds: Math.max(this.reading?.windowSeconds ?? 0, h.resetSeconds),
    };
    this.estimateOthers(now, h.remaining, resetMs, sent);
    const budget = h.remaining - Math.max(0, inFlight - 1);
    const others = this.others ?? 0;
    const allowed = budget / (resetMs / 1000) - others;
    if (allowed >= this.rate) {
      this.spacingMs = 0;
      this.pausedUntil = 0;
    } else if (allowed <= 0 && budget <= 0) {
      this.spacingMs = 0;
      this.pausedUntil = now + resetMs;
    } else {
      // Under the others' pace, take an even share of what is left rather than none.
      const pace = allowed > 0 ? allowed : budget / (resetMs / 1000) / 2;
      this.spacingMs = 1000 / pace;
      this.pausedUntil = 0;
    }
  }

  private estimateOthers(now: number, remaining: number, resetMs: number, sent: number): void {
    const last = this.last;
    if (!last || now - last.at >= last.resetMs) {
      // First reading, or the window reset since: start a new span.
      this.last = { at: now, remaining, resetMs, sent };
      return;
    }
    const span = now - last.at;
    if (span < MIN_SPAN_MS) return;
    const rate = (last.remaining - remaining - (sent - last.sent)) / (span / 1000);
    this.others = this.others === undefined ? rate : (1 - SMOOTHING) * this.others + SMOOTHING * rate;
    this.last = { at: now, remaining, resetMs, sent };
  }
}
