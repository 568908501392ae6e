import { Agent, errors as undiciErrors } from 'undici';
import { ApiError } from '../errors.js';
import { type Query, toQueryString } from './query-string.js';

export interface PagerDutyClientOptions {
  baseUrl: string;
  /** The full Authorization header value; never logged. */
  authorization: string;
  timeoutMs: number;
}

export type ListBody = Record<string, unknown> & { more?: boolean; total?: number | null };

/** One GET against the PagerDuty REST API v2: headers, timeouts, and errors typed as ApiError. */
export class PagerDutyClient {
  readonly baseUrl: string;
  private readonly agent: Agent;

  constructor(private readonly options: PagerDutyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.agent = new Agent({
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: 16,
    });
  }

  async get(path: string, query: Query, signal?: AbortSignal): Promise<ListBody> {
    const qs = toQueryString(query);
    const request = `GET ${path}${qs ? `?${qs}` : ''}`;
    let status: number;
    let text: string;
    try {
      const res = await this.agent.request({
        origin: this.baseUrl,
        path: `${new URL(this.baseUrl).pathname.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`,
        method: 'GET',
        headers: {
          accept: 'application/vnd.pagerduty+json;version=2',
          authorization: this.options.authorization,
          'user-agent': 'pdsync',
        },
        signal,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      throw networkError(e, request);
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as ListBody;
      } catch {
        throw new ApiError(`${request}: response body is not valid JSON (${text.length} bytes)`, status, undefined, request);
      }
    }
    const err = parseErrorBody(text);
    const detail = [err.message, ...(err.errors ?? [])].filter(Boolean).join(': ') || `HTTP ${status}`;
    throw new ApiError(`${request}: ${status} ${detail}${err.code ? ` (code ${err.code})` : ''}`, status, err.code, request);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseErrorBody(text: string): { message?: string; code?: number; errors?: string[] } {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: number; errors?: string[] } };
    return body.error ?? {};
  } catch {
    return {};
  }
}

function networkError(e: unknown, request: string): ApiError {
  if (e instanceof Error && e.name === 'AbortError') throw e;
  const reason =
    e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError
      ? 'timed out'
      : e instanceof Error
        ? ((e as NodeJS.ErrnoException).code ?? e.message)
        : String(e);
  return new ApiError(`${request}: ${reason}`, undefined, undefined, request);
}
