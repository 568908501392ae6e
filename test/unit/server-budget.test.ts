import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerBudget } from '../../src/source/server-budget.js';

/** A budget on a clock the test moves. */
function budget(rate: number) {
  let now = 0;
  const b = new ServerBudget(rate, () => now);
  return { b, at: (ms: number) => (now = ms) };
}

test('a fixed window far above the rate never slows the run (960 a minute at 5 a second)', () => {
  const { b, at } = budget(5);
  let sent = 0;
  for (let ms = 0; ms < 30_000; ms += 200) {
    at(ms);
    sent++;
    b.observe({ remaining: 960 - sent, resetSeconds: Math.ceil((60_000 - ms) / 1000), limit: 960 }, sent, 2);
    assert.equal(b.spacingMs, 0, `at ${ms} ms`);
    assert.equal(b.pausedUntil, 0);
  }
});

test('a token bucket holding the rate is read as refilling, not as running out (5 tokens, 5 a second)', () => {
  const { b, at } = budget(5);
  let sent = 0;
  for (let ms = 0; ms < 5_000; ms += 200) {
    at(ms);
    sent++;
    b.observe({ remaining: 4, resetSeconds: 1, limit: 5 }, sent, 2);
  }
  assert.equal(b.spacingMs, 0, 'after the first readings, no brake');
  assert.equal(b.pausedUntil, 0);
});

test('another client spending most of a shared window slows the run to what is left, without stopping', () => {
  // 960 a minute; the other client spends 14 a second, leaving 2 for this run.
  const { b, at } = budget(5);
  let sent = 0;
  let used = 0;
  for (let ms = 0; ms <= 10_000; ms += 200) {
    at(ms);
    sent++;
    used = sent + Math.floor((14 * ms) / 1000);
    b.observe({ remaining: 960 - used, resetSeconds: Math.ceil((60_000 - ms) / 1000), limit: 960 }, sent, 1);
  }
  assert.equal(b.pausedUntil, 0, 'requests remain: no wait for the reset');
  const pace = 1000 / b.spacingMs;
  assert.ok(pace > 0.5 && pace < 3.5, `paced at ${pace.toFixed(2)} a second, about the 2 left`);
});

test('nothing left until the reset: the run waits for the reset, and only then', () => {
  const { b, at } = budget(5);
  at(1_000);
  b.observe({ remaining: 0, resetSeconds: 7, limit: 960 }, 10, 1);
  assert.equal(b.pausedUntil, 8_000);
  at(8_100);
  b.observe({ remaining: 959, resetSeconds: 60, limit: 960 }, 11, 1);
  assert.equal(b.pausedUntil, 0);
  assert.equal(b.spacingMs, 0);
});
