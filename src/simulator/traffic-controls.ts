import type { OutgoingHttpHeaders } from 'node:http';
import { accessDenied, authenticationFailed, internalServerError, rateLimitExceeded } from './api-errors.js';
import { type Fault, type FaultOptions, FaultPlan } from './fault-plan.js';
import type { Endpoints } from './list-endpoints.js';
import { type Gates, checkGates } from './plan-gates.js';
import { type Limiter, makeLimiter, type RateLimitOptions, checkRateLimit } from './rate-limit.js';
import { type Reply, gatewayReply, jsonReply, rateLimitHeaders } from './replies.js';

/** The knobs tests turn, at start or between runs. */
export interface TrafficOptions {
  /** A key PagerDuty knows but that may read nothing: every request answers 403. */
  deniedKey?: string;
  rateLimit?: RateLimitOptions;
  retryAfter?: boolean;
  faults?: FaultOptions;
  gates?: Gates;
  latencyMs?: number;
  /** Real time, for the rate limit's windows. */
  wallClock?: () => number;
}

/** PagerDuty's published limit, which injected 429s quote when no rateLimit is set. */
const PAGERDUTY_LIMIT = 960;

/**
 * Decides each request's reply, in PagerDuty's order: authentication (401, not counted), the
 * rate limit (429), gates and query rules (402/404/400), then an injected fault, only on
 * requests that would otherwise succeed.
 */
export class TrafficControls {
  latencyMs = 0;
  private readonly accepted: Set<string>;
  private readonly denied: Set<string>;
  private rateLimit?: RateLimitOptions;
  private limiter?: Limiter;
  private readonly retryAfter: boolean;
  private faults?: FaultPlan;
  private gates: Gates = {};
  private readonly wallClock: () => number;

  constructor(
    o: TrafficOptions,
    apiKey: string,
    private readonly endpoints: Endpoints,
    private readonly streams: readonly string[],
    private readonly seed: number,
    /** Other credentials the API accepts: OAuth tokens issued by the simulator. */
    private readonly alsoAccepts: (authorization: string | undefined) => boolean = () => false,
  ) {
    this.accepted = new Set([`Token token=${apiKey}`, `Bearer ${apiKey}`]);
    this.denied = new Set(o.deniedKey ? [`Token token=${o.deniedKey}`, `Bearer ${o.deniedKey}`] : []);
    this.retryAfter = o.retryAfter ?? false;
    this.wallClock = o.wallClock ?? Date.now;
    this.setRateLimit(o.rateLimit);
    this.setFaults(o.faults);
    this.setGates(o.gates);
    this.setLatency(o.latencyMs ?? 0);
  }

  /** A new limit starts with a fresh window. */
  setRateLimit(r: RateLimitOptions | undefined): void {
    this.rateLimit = r && checkRateLimit(r);
    this.limiter = r && makeLimiter(r);
  }

  /** A new plan numbers requests from 1 again, so the same seed replays the same faults. */
  setFaults(f: FaultOptions | undefined): void {
    this.faults = f && new FaultPlan(f, this.seed);
  }

  setGates(g: Gates | undefined): void {
    this.gates = checkGates(g ?? {}, this.streams);
  }

  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`latency ${ms}: expected ms >= 0`);
    this.latencyMs = ms;
  }

  /** `body`: the request's body as text (empty for a GET). */
  decide(method: string, authorization: string | undefined, url: URL, body = ''): Reply {
    const nowMs = this.wallClock();
    if (this.denied.has(authorization ?? '')) return jsonReply(403, accessDenied().body(), rateLimitHeaders(this.limiter?.peek(nowMs)));
    if (!this.accepted.has(authorization ?? '') && !this.alsoAccepts(authorization)) return jsonReply(401, authenticationFailed().body(), rateLimitHeaders(this.limiter?.peek(nowMs)));
    const limit = this.limiter?.take(nowMs);
    const headers = rateLimitHeaders(limit);
    if (limit && !limit.allowed) return this.tooManyRequests(headers, limit.resetSeconds);
    const answer = this.endpoints.answer(method, url, this.gates, body);
    const fault = answer.status === 200 && this.faults?.covers(url.pathname) ? this.faults.next() : undefined;
    const reply = jsonReply(answer.status, answer.body, headers);
    return fault ? this.faulted(fault, reply, headers, authorization ?? '') : reply;
  }

  private tooManyRequests(headers: OutgoingHttpHeaders, retryAfterSeconds: number): Reply {
    return jsonReply(429, rateLimitExceeded().body(), { ...headers, ...(this.retryAfter ? { 'retry-after': String(retryAfterSeconds) } : {}) });
  }

  private faulted(fault: Fault, ok: Reply, headers: OutgoingHttpHeaders, authorization: string): Reply {
    switch (fault.kind) {
      case 'http500':
        return jsonReply(500, internalServerError().body(), headers);
      case 'http502':
        return gatewayReply(502, headers);
      case 'http503':
        return gatewayReply(503, headers);
      case 'http429': {
        // Injected throttling is brief unless asked otherwise: the headers say the window resets in a second.
        if (!fault.withHeaders) return jsonReply(429, rateLimitExceeded().body());
        const limit = this.rateLimit?.limit ?? PAGERDUTY_LIMIT;
        return this.tooManyRequests(rateLimitHeaders({ limit, remaining: 0, resetSeconds: fault.waitSeconds }), fault.waitSeconds);
      }
      case 'reset':
        return { ...ok, delivery: 'reset' };
      case 'truncated':
        return { ...ok, delivery: 'truncated' };
      case 'slow':
        return { ...ok, delayMs: fault.delayMs };
      case 'trickle':
        return { ...ok, delivery: 'trickle' };
      case 'echo400':
        return jsonReply(400, { error: { message: 'Invalid Input Provided', code: 2001, errors: [`request header Authorization: ${authorization}`] } }, headers);
    }
  }
}
