import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rateAdvice } from '../../src/summary/rate-advice.js';
import type { RunSummary } from '../../src/summary/run-summary.js';

const run = (seconds: number): RunSummary => ({
  runId: 'r', status: 'ok', startedAt: new Date(0).toISOString(), finishedAt: new Date(seconds * 1000).toISOString(), streams: [],
});

describe('rate advice: only for a run that waited more than a minute, most of its time, on its own rate', () => {
  test('a 5-second run that waited 4 s on its rate gets none', () => {
    assert.equal(rateAdvice(run(5), { requests: 25, rateWaitMs: 4000, serverWaitMs: 0 }, 5), undefined);
  });

  test('a 100-second run that waited 59 s gets none: too little to gain', () => {
    assert.equal(rateAdvice(run(100), { requests: 500, rateWaitMs: 59_000, serverWaitMs: 0 }, 5), undefined);
  });

  test('a 10-minute run that waited 9 minutes gets the rate the key allows and the time it would take', () => {
    const advice = rateAdvice(run(600), { requests: 3000, rateWaitMs: 540_000, serverWaitMs: 0, server: { limit: 960, windowSeconds: 60 } }, 5);
    assert.match(advice ?? '', /waited on its own rate limit \(inputs\.rate: 5\) for 9 min of 10 min; the key allows 960\/min; inputs\.rate: 12\.8 would take about 5 min/);
  });
});
