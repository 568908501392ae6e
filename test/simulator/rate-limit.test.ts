import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get } from './simulator-client.js';

const RATE_LIMITED = { error: { message: 'Rate Limit Exceeded', code: 2020 } };

async function withSimulator(options: SimulatorOptions, run: (sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<void>) {
  const sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW, ...options });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

const limitHeaders = (h: Headers) => ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((k) => h.get(k));

describe('simulator rate limit', () => {
  test('without rateLimit no ratelimit headers are sent and nothing is refused', async () => {
    await withSimulator({}, async (sim) => {
      for (let k = 0; k < 3; k++) {
        const res = await get(sim, '/teams');
        assert.equal(res.status, 200);
        assert.deepEqual(limitHeaders(res.headers), [null, null, null]);
      }
    });
  });

  test('every response carries the headers and remaining counts down; a 401 shows them without counting', async () => {
    await withSimulator({ rateLimit: { limit: 5, windowSeconds: 60 } }, async (sim) => {
      const remaining: string[] = [];
      for (let k = 0; k < 3; k++) {
        const res = await get(sim, '/teams');
        const [limit, left, reset] = limitHeaders(res.headers);
        assert.equal(limit, '5');
        assert.ok(Number.isInteger(Number(reset)) && Number(reset) >= 1 && Number(reset) <= 60, String(reset));
        remaining.push(left!);
      }
      assert.deepEqual(remaining, ['4', '3', '2']);
      const refused = await get(sim, '/teams', {}, {});
      assert.equal(refused.status, 401);
      assert.deepEqual(limitHeaders(refused.headers).slice(0, 2), ['5', '2']);
      const invalid = await get(sim, '/teams', { limit: 0 });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.headers.get('ratelimit-remaining'), '1', 'a 400 counts');
    });
  });

  test('over the limit: 429 with code 2020, the headers, and Retry-After equal to the reset', async () => {
    await withSimulator({ rateLimit: { limit: 3, windowSeconds: 60 }, retryAfter: true }, async (sim) => {
      for (let k = 0; k < 3; k++) assert.equal((await get(sim, '/users')).status, 200);
      const over = await get(sim, '/users');
      assert.equal(over.status, 429);
      assert.deepEqual(over.body, RATE_LIMITED);
      const [limit, left, reset] = limitHeaders(over.headers);
      assert.deepEqual([limit, left], ['3', '0']);
      assert.ok(Number(reset) >= 1 && Number(reset) <= 60);
      assert.equal(over.headers.get('retry-after'), reset);
      assert.equal((await get(sim, '/users')).status, 429, 'still refused in the same window');
      assert.deepEqual(sim.stats().byStatus, { 200: 3, 429: 2 });
    });
  });

  test('without retryAfter a 429 has no Retry-After; a new window admits requests again', async () => {
    let wall = Date.now();
    await withSimulator({ rateLimit: { limit: 2, windowSeconds: 0.3 }, wallClock: () => wall }, async (sim) => {
      await get(sim, '/users');
      await get(sim, '/users');
      const over = await get(sim, '/users');
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('retry-after'), null);
      assert.equal(over.headers.get('ratelimit-reset'), '1', 'whole seconds, at least 1');
      wall += 350;
      const again = await get(sim, '/users');
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('ratelimit-remaining'), '1');
    });
  });

  test('setRateLimit turns the limit on and off at run time', async () => {
    await withSimulator({}, async (sim) => {
      sim.setRateLimit({ limit: 1, windowSeconds: 60 });
      assert.equal((await get(sim, '/users')).status, 200);
      assert.equal((await get(sim, '/users')).status, 429);
      sim.setRateLimit(undefined);
      const res = await get(sim, '/users');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-limit'), null);
      assert.throws(() => sim.setRateLimit({ limit: 0, windowSeconds: 60 }), RangeError);
    });
  });
});
