/**
 * pdsync's error hierarchy, by phase. Each error carries the exit code it maps to; only the
 * bin entry turns an error into a process exit (see cli/exit-codes.ts).
 */
export const EXIT_OK = 0;
export const EXIT_STREAM_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by SIGINT (128 + 2) or SIGTERM (128 + 15), as shells report them. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

export class PdsyncError extends Error {
  readonly exitCode: number = EXIT_STREAM_FAILED;
}

/** Bad configuration or usage: reported before anything is written. */
export class ConfigError extends PdsyncError {
  override readonly exitCode = EXIT_USAGE;
  override readonly name = 'ConfigError';
}

export interface ApiErrorDetails {
  retryAfterMs?: number;
  malformedBody?: boolean;
  /** What the answer's body was: PagerDuty's `{"error": ...}`, an HTML page, or something else. */
  body?: 'pagerduty-error' | 'html' | 'other';
  /** For a request that got no answer: the socket's error code (ECONNREFUSED, ENOTFOUND, ...) or `timeout`. */
  network?: string;
}

/** A PagerDuty answer that is not a success, with its HTTP status and PagerDuty error code. */
export class ApiError extends PdsyncError {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: number | undefined,
    readonly request: string,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
  }

  /** A 2xx whose body was cut short or is not JSON: worth another attempt. */
  get malformedBody(): boolean {
    return this.details.malformedBody === true;
  }

  /** How long the server asked us to wait (Retry-After, or ratelimit-reset on a 429). */
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** The PagerDuty API cannot be used at all (unreachable, unavailable): the run stops before any stream. */
export class SourceError extends PdsyncError {
  override readonly name = 'SourceError';
}

/** A failure writing to the target database. */
export class TargetError extends PdsyncError {
  override readonly name = 'TargetError';
}

/** A broken invariant inside pdsync: a bug, not a user mistake. */
export class InternalError extends PdsyncError {
  override readonly name = 'InternalError';
}

/** PagerDuty refused the source's credentials: the run stops before anything is written. */
export class AuthError extends PdsyncError {
  override readonly name = 'AuthError';
}
