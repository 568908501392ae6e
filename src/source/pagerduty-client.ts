import { Agent, errors as undiciErrors } from 'undici';
import { ApiError } from '../errors.js';
import { type Query, toQueryString } from './query-string.js';
import type { ListBody, PageRequest } from './page-request.js';

export interface PagerDutyClientOptions {
  baseUrl: string;
  /** The Authorization header value for each request (a token may be renewed); never logged. */
  authorization: () => Promise<string>;
  timeoutMs: number;
}


export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  resetSeconds?: number;
}

export interface ClientResponse {
  body: ListBody;
  rateLimit: RateLimitHeaders;
}

function numberHeader(headers: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const v = headers[name];
  const n = Number(Array.isArray(v) ? v[0] : v);
  return v === undefined || Number.isNaN(n) ? undefined : n;
}

/** Retry-After in seconds or as an HTTP date; else ratelimit-reset on a 429. */
function serverWaitMs(status: number, headers: Record<string, string | string[] | undefined>): number | undefined {
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter === 'string') {
    const seconds = Number(retryAfter);
    if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const reset = numberHeader(headers, 'ratelimit-reset');
  return status === 429 && reset !== undefined ? reset * 1000 : undefined;
}

/** One request to the PagerDuty REST API v2: headers, a deadline, and errors typed as ApiError. */
export class PagerDutyClient {
  private readonly origin: string;
  /** A base_url's own path (a proxy's prefix), put before every API path. */
  private readonly pathPrefix: string;
  private readonly agent: Agent;
  /** The server's clock as its last answer's Date header gave it, and when that answer came. */
  private serverClock: { at: number; local: number } | undefined;

  constructor(private readonly options: PagerDutyClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.agent = new Agent({
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: 16,
    });
  }

  /** One request: a GET, or a POST of its body as JSON. */
  async send({ method, path, query, body }: PageRequest, signal?: AbortSignal): Promise<ClientResponse> {
    const qs = toQueryString(query);
    const request = `${method} ${path}${qs ? `?${qs}` : ''}`;
    let status: number;
    let text: string;
    let headers: Record<string, string | string[] | undefined>;
    const authorization = await this.options.authorization();
    // The timeout bounds the whole request, body included: a body trickling in a byte at a time ends too.
    // One controller per request, its listener removed after: nothing accumulates on a run-long signal.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    const stop = () => deadline.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const res = await this.agent.request({
        origin: this.origin,
        path: `${this.pathPrefix}${path}${qs ? `?${qs}` : ''}`,
        method,
        headers: {
          accept: 'application/vnd.pagerduty+json;version=2',
          authorization,
          'user-agent': 'pdsync',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: deadline.signal,
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      if (deadline.signal.aborted) throw new ApiError(`${request}: timed out after ${this.options.timeoutMs} ms`, undefined, undefined, request, { network: 'timeout' });
      throw networkError(e, request);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    this.noteServerTime(headers);
    if (status >= 200 && status < 300) {
      const rateLimit = {
        limit: numberHeader(headers, 'ratelimit-limit'),
        remaining: numberHeader(headers, 'ratelimit-remaining'),
        resetSeconds: numberHeader(headers, 'ratelimit-reset'),
      };
      try {
        return { body: JSON.parse(text) as ListBody, rateLimit };
      } catch {
        throw new ApiError(`${request}: response body is not valid JSON (${text.length} bytes)`, status, undefined, request, {
          malformedBody: true,
          body: bodyKind(text),
        });
      }
    }
    const err = parseErrorBody(text);
    const detail = [err?.message, ...(err?.errors ?? [])].filter(Boolean).join(': ') || `HTTP ${status}`;
    const retryAfterMs = serverWaitMs(status, headers);
    throw new ApiError(
      `${request}: ${status} ${detail}${err?.code ? ` (code ${err.code})` : ''}`,
      status,
      err?.code,
      request,
      { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), body: err ? 'pagerduty-error' : bodyKind(text) },
    );
  }

  /**
   * The server's "now": its last Date header, moved on by the time passed since. A run's fixed
   * `until` is the server's time, so a skewed local clock neither cuts records off nor asks for
   * the future. Undefined before the first answer, or from a server without Date headers.
   */
  serverNow(): Date | undefined {
    const c = this.serverClock;
    return c && new Date(c.at + (Date.now() - c.local));
  }

  private noteServerTime(headers: Record<string, string | string[] | undefined>): void {
    const date = headers.date;
    const at = typeof date === 'string' ? Date.parse(date) : NaN;
    if (!Number.isNaN(at)) this.serverClock = { at, local: Date.now() };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** PagerDuty's error envelope, `{"error": {"message", "code", "errors"}}`, or undefined for any other body. */
function parseErrorBody(text: string): { message?: string; code?: number; errors?: string[] } | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: number; errors?: string[] } } | null;
    return body?.error && typeof body.error === 'object' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

function bodyKind(text: string): 'html' | 'other' {
  return /^\s*</.test(text) ? 'html' : 'other';
}

function networkError(e: unknown, request: string): ApiError {
  if (e instanceof Error && e.name === 'AbortError') throw e;
  const reason =
    e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError
      ? 'timed out'
      : e instanceof Error
        ? ((e as NodeJS.ErrnoException).code ?? e.message)
        : String(e);
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  return new ApiError(`${request}: ${reason}`, undefined, undefined, request, { network: reason === 'timed out' ? 'timeout' : (code ?? reason) });
}
