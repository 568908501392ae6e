/** A PagerDuty error answer: HTTP status and `{"error":{"message","code","errors"}}`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: string[],
  ) {
    super(message);
  }

  body(): { error: { message: string; code: number; errors?: string[] } } {
    return { error: { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) } };
  }
}

export const authenticationFailed = () => new ApiFailure(401, 2006, 'Authentication failed');
export const accessDenied = () => new ApiFailure(403, 2010, 'Access Denied', ['The access token does not have the required scope.']);
export const notFound = () => new ApiFailure(404, 2100, 'Not Found');
export const invalidInput = (why: string) => new ApiFailure(400, 2001, 'Invalid Input Provided', [why]);
export const argumentsCausedError = (why: string) => new ApiFailure(400, 2002, 'Arguments Caused Error', [why]);
export const missingArguments = (why: string) => new ApiFailure(400, 2003, 'Missing Arguments', [why]);
export const invalidSinceUntil = (why: string) => new ApiFailure(400, 2004, 'Invalid Since/Until', [why]);
export const rateLimitExceeded = () => new ApiFailure(429, 2020, 'Rate Limit Exceeded');
export const internalServerError = () => new ApiFailure(500, 2000, 'Internal Server Error');
export const paymentRequired = () =>
  new ApiFailure(402, 2014, 'Payment Required', [
    'Account does not have the abilities to perform the action. Please review the response for the required abilities.',
  ]);
