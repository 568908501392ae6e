import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertExact, only, summaryOf, syncFixture } from '../support/sync-fixture.js';

const ALL = [
  'users', 'teams', 'services', 'escalation_policies', 'schedules', 'priorities', 'tags',
  'business_services', 'oncalls', 'vendors', 'incidents', 'log_entries', 'notifications',
];

describe('pacing within the server\'s limits', () => {
  test('the limiter keeps within what the server allows over its window, and within the in-flight cap', async () => {
    // The server counts 8 requests a second over 2-second windows, as PagerDuty counts its own over a
    // minute: what users need is that it never refuses pdsync. pdsync runs as a process of its own, so
    // the test process (the server) is not paused by pdsync's work and times arrivals as they come.
    const f = await syncFixture({
      name: 'limiter',
      sim: { latencyMs: 40, rateLimit: { limit: 16, windowSeconds: 2 } },
      inputs: { rate: 8, concurrency: 2 },
      replication: only('users', 'incidents', 'notifications'),
    });
    try {
      const r = await f.runProcess();
      assert.equal(r.code, 0, r.stderr);
      const stats = f.sim.stats();
      assert.ok(stats.requests >= 30, `enough requests to measure (${stats.requests})`);
      assert.ok((stats.byStatus[429] ?? 0) <= 1, `${stats.byStatus[429]} requests refused with 429: at most one, at a window's edge`);
      // One more than the rate in a second is an arrival delayed into the next second, not a faster pace.
      assert.ok(stats.peakPerSecond <= 8 + 1, `peak ${stats.peakPerSecond} requests in one second, limit 8`);
      assert.ok(stats.peakInFlight <= 2, `peak ${stats.peakInFlight} in flight, limit 2`);
      await assertExact(f, ['users', 'incidents', 'notifications']);
    } finally {
      await f.close();
    }
  });

  test('against a token bucket that enforces exactly the configured rate: no 429s, the rate, the in-flight cap', async () => {
    const f = await syncFixture({
      name: 'bucket',
      sim: { latencyMs: 40, rateLimit: { kind: 'bucket', limit: 8, windowSeconds: 1 } },
      inputs: { rate: 8, concurrency: 3 },
      replication: only('incidents', 'notifications'),
    });
    try {
      const r = await f.runProcess();
      assert.equal(r.code, 0, r.stderr);
      const stats = f.sim.stats();
      assert.ok(stats.requests >= 30, `enough requests to measure (${stats.requests})`);
      assert.ok((stats.byStatus[429] ?? 0) <= stats.requests / 100, `${stats.byStatus[429]} of ${stats.requests} requests refused with 429`);
      assert.ok(stats.peakPerSecond <= 8 + 1, `peak ${stats.peakPerSecond} requests in one second, rate 8`);
      assert.ok(stats.peakInFlight <= 3, `peak ${stats.peakInFlight} in flight, limit 3`);
      await assertExact(f, ['incidents', 'notifications']);
    } finally {
      await f.close();
    }
  });

  test('a window shared with another client: the run slows to what is left, with no 429 storm and no wait for a whole window', async () => {
    // PagerDuty's kind of limit, scaled down: 48 per 6-second window, of which the other client spends 4 a second.
    const f = await syncFixture({
      name: 'shared',
      sim: { latencyMs: 40, rateLimit: { limit: 48, windowSeconds: 6, aligned: true, sharedPerSecond: 4 } },
      inputs: { rate: 8, concurrency: 2 },
      replication: only('incidents', 'notifications'),
    });
    try {
      const r = await f.runProcess();
      assert.equal(r.code, 0, r.stderr);
      const stats = f.sim.stats();
      assert.ok((stats.byStatus[429] ?? 0) <= Math.max(1, stats.requests / 100), `${stats.byStatus[429]} of ${stats.requests} requests refused with 429`);
      // The credential check comes before the database is opened: pacing is between the streams' requests.
      const starts = f.sim.requests.filter((q) => q.path !== '/abilities').map((q) => q.startedAt).sort((a, b) => a - b);
      const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
      assert.ok(Math.max(...gaps) < 6_000, `the longest pause was ${Math.max(...gaps)} ms: never a whole window`);
      await assertExact(f, ['incidents', 'notifications']);
    } finally {
      await f.close();
    }
  });

  test('ratelimit-remaining slows the run before the API answers 429', async () => {
    const f = await syncFixture({
      name: 'headers',
      sim: { rateLimit: { limit: 12, windowSeconds: 2 } },
      inputs: { rate: 20, concurrency: 2 },
      replication: only('users', 'incidents'),
    });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.sim.stats().byStatus[429] ?? 0, 0, 'no 429 was provoked');
      await assertExact(f, ['users', 'incidents']);
    } finally {
      await f.close();
    }
  });

  test('a storm of 429s is waited out and retried, and the data is exact', async () => {
    const f = await syncFixture({
      name: 'storm',
      sim: { retryAfter: true, faults: { rate: 0, storm: { afterRequests: 3, count: 8 } } },
      replication: only('users', 'incidents'),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.sim.stats().byStatus[429], 8);
      assert.equal(summaryOf(r.stdout).streams.reduce((n, s) => n + s.retries, 0), 8, 'each 429 retried once');
      await assertExact(f, ['users', 'incidents']);
    } finally {
      await f.close();
    }
  });

});
