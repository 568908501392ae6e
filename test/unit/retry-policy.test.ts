import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/errors.js';
import { DEFAULT_RETRY, retryDelay, retryWait } from '../../src/source/retry-policy.js';

const err = (status: number | undefined, details = {}) => new ApiError('GET /x: failed', status, undefined, 'GET /x', details);
const half = () => 0.5;

test('429, 408, 5xx, network failures and unreadable bodies are retried; 400, 401, 403, 404 never', () => {
  for (const status of [429, 408, 500, 502, 503, 504, undefined]) {
    assert.notEqual(retryDelay(err(status), 1, DEFAULT_RETRY, half), undefined, `status ${status}`);
  }
  assert.notEqual(retryDelay(err(200, { malformedBody: true }), 1, DEFAULT_RETRY, half), undefined, 'truncated body');
  for (const status of [400, 401, 403, 404]) {
    assert.equal(retryDelay(err(status), 1, DEFAULT_RETRY, half), undefined, `status ${status}`);
  }
  assert.equal(retryDelay(new TypeError('bug'), 1, DEFAULT_RETRY, half), undefined, 'a bug is not retried');
});

test('the server\'s own wait (Retry-After or ratelimit-reset) wins over backoff, honoured up to its documented maximum', () => {
  assert.equal(retryDelay(err(429, { retryAfterMs: 2000 }), 1, DEFAULT_RETRY, () => 0), 2000);
  assert.equal(retryDelay(err(429, { retryAfterMs: 120_000 }), 1, DEFAULT_RETRY, () => 0), 120_000, 'two minutes are waited, not 30 s');
  assert.equal(retryDelay(err(429, { retryAfterMs: 10 * 60_000 }), 1, DEFAULT_RETRY, () => 0), DEFAULT_RETRY.maxServerWaitMs);
  assert.deepEqual(retryWait(err(429, { retryAfterMs: 10 * 60_000 }), 1, DEFAULT_RETRY, () => 0), { ms: 300_000, askedMs: 600_000 });
});

test('backoff grows exponentially with jitter within [ceiling/2, ceiling] and attempts are bounded', () => {
  const settings = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxServerWaitMs: 1000 };
  for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [4, 800]] as const) {
    assert.equal(retryDelay(err(503), attempt, settings, () => 0), ceiling / 2);
    assert.equal(retryDelay(err(503), attempt, settings, () => 0.999999), Math.floor(ceiling / 2 + 0.999999 * (ceiling / 2)));
  }
  assert.equal(retryDelay(err(503), 5, settings, half), undefined, 'the fifth attempt is the last');
});
