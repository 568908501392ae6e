import { unitHash } from './random.js';

/**
 * `trickle`: the body comes a byte a second; `echo400`: a 400 whose error body quotes the request's
 * Authorization header, as some servers and proxies do (a client must not store it).
 */
export const FAULT_KINDS = ['http500', 'http502', 'http503', 'http429', 'reset', 'truncated', 'slow', 'trickle', 'echo400'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Default: the simulator's seed. */
  seed?: number;
  /** Share of requests that fault, 0..1. */
  rate: number;
  /** Default: the kinds a client should ride out (all but trickle and echo400), equally likely. */
  kinds?: readonly FaultKind[];
  /** Delay of a `slow` fault; default 2000. */
  slowMs?: number;
  /** Requests afterRequests+1 .. afterRequests+count all answer 429, whatever the rate. */
  storm?: { afterRequests: number; count: number };
  /** The wait an injected 429 names (ratelimit-reset, and Retry-After when on); default 1 s. */
  retryAfterSeconds?: number;
  /** Only requests to these paths (e.g. '/users') fault; default every path. */
  paths?: readonly string[];
}

/** One injected fault; a share of 429s come without any headers, as PagerDuty's sometimes do. */
export interface Fault {
  kind: FaultKind;
  withHeaders: boolean;
  /** How long a `slow` fault holds the reply. */
  delayMs: number;
  /** The wait an injected 429 names. */
  waitSeconds: number;
}

const HEADERLESS_429_SHARE = 0.25;
const DEFAULT_SLOW_MS = 2000;

/**
 * Which requests fault: a pure function of the seed and the request's number. Requests are
 * numbered from 1 among those that would otherwise succeed, from the plan's creation on.
 */
export class FaultPlan {
  private readonly slowMs: number;
  private readonly seed: number;
  private readonly kinds: readonly FaultKind[];
  private requests = 0;

  constructor(private readonly o: FaultOptions, defaultSeed: number) {
    const kinds = o.kinds ?? FAULT_KINDS.filter((k) => k !== 'trickle' && k !== 'echo400');
    if (!(o.rate >= 0 && o.rate <= 1)) throw new RangeError(`faults.rate: ${o.rate} is not between 0 and 1`);
    if (kinds.length === 0 || kinds.some((k) => !FAULT_KINDS.includes(k))) {
      throw new RangeError(`faults.kinds: expected some of ${FAULT_KINDS.join(', ')}`);
    }
    const storm = o.storm;
    if (storm && ![storm.afterRequests, storm.count].every((n) => Number.isInteger(n) && n >= 0)) {
      throw new RangeError(`faults.storm ${JSON.stringify(storm)}: expected integers >= 0`);
    }
    if (o.slowMs !== undefined && !(o.slowMs >= 0)) throw new RangeError(`faults.slowMs: ${o.slowMs} is not a delay in ms`);
    this.seed = o.seed ?? defaultSeed;
    this.kinds = kinds;
    this.slowMs = o.slowMs ?? DEFAULT_SLOW_MS;
  }

  /** Whether requests to this path are subject to the plan. */
  covers(path: string): boolean {
    return !this.o.paths || this.o.paths.includes(path);
  }

  /** The fault of the next request that would otherwise succeed, if it gets one. */
  next(): Fault | undefined {
    const n = ++this.requests;
    const storm = this.o.storm;
    const waitSeconds = this.o.retryAfterSeconds ?? 1;
    if (storm && n > storm.afterRequests && n <= storm.afterRequests + storm.count) return { kind: 'http429', withHeaders: true, delayMs: 0, waitSeconds };
    if (unitHash(this.seed, n, 1) >= this.o.rate) return undefined;
    const kind = this.kinds[Math.floor(unitHash(this.seed, n, 2) * this.kinds.length)]!;
    const withHeaders = kind !== 'http429' || unitHash(this.seed, n, 3) >= HEADERLESS_429_SHARE;
    return { kind, withHeaders, delayMs: kind === 'slow' ? this.slowMs : 0, waitSeconds };
  }
}
