import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get } from './simulator-client.js';

describe('simulator request statistics', () => {
  let sim: Simulator;
  /** Time as the simulator's log sees it: tests move it ahead instead of waiting. */
  let ahead = 0;
  /** While set, the log's clock stands still: requests "in quick succession" stay so on a busy machine. */
  let frozenAt: number | undefined;
  before(async () => {
    sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW, wallClock: () => (frozenAt ?? Date.now()) + ahead });
  });
  after(() => sim.close());

  test('3 concurrent slow requests give peakInFlight 3; sequential ones 1', async () => {
    sim.resetLog();
    sim.setLatency(300);
    await Promise.all([get(sim, '/users'), get(sim, '/teams'), get(sim, '/services')]);
    sim.setLatency(0);
    assert.equal(sim.stats().peakInFlight, 3);
    for (const e of sim.requests) assert.ok(e.finishedAt - e.startedAt >= 290, 'arrival to response end');
    sim.resetLog();
    for (let k = 0; k < 3; k++) await get(sim, '/users');
    assert.equal(sim.stats().peakInFlight, 1);
  });

  test('7 requests in quick succession give peakPerSecond 7; a pause of over a second splits them', async () => {
    frozenAt = Date.now();
    sim.resetLog();
    for (let k = 0; k < 7; k++) await get(sim, '/users');
    assert.equal(sim.stats().peakPerSecond, 7);
    sim.resetLog();
    for (let k = 0; k < 3; k++) await get(sim, '/users');
    ahead += 1050;
    for (let k = 0; k < 2; k++) await get(sim, '/users');
    assert.equal(sim.stats().peakPerSecond, 3);
    frozenAt = undefined;
  });

  test('requests are counted by status, and resetLog starts a new phase', async () => {
    frozenAt = Date.now();
    sim.resetLog();
    await get(sim, '/users');
    await get(sim, '/users', { limit: 0 });
    await get(sim, '/users', {}, {});
    await get(sim, '/users');
    assert.deepEqual(sim.stats(), { requests: 4, byStatus: { 200: 2, 400: 1, 401: 1 }, peakPerSecond: 4, peakInFlight: 1 });
    assert.equal(sim.requests.length, 4);
    sim.resetLog();
    assert.deepEqual(sim.stats(), { requests: 0, byStatus: {}, peakPerSecond: 0, peakInFlight: 0 });
    assert.equal(sim.requests.length, 0);
    frozenAt = undefined;
  });

  test('a request open across resetLog counts only in the phase it arrived in', async () => {
    sim.resetLog();
    sim.setLatency(200);
    const arrived = new Promise((resolve) => sim.events.once('arrive', resolve));
    const pending = get(sim, '/users');
    await arrived;
    sim.resetLog();
    await pending;
    sim.setLatency(0);
    assert.equal(sim.stats().requests, 0);
    assert.equal(sim.stats().peakInFlight, 1, 'it was still open when the phase began');
    assert.throws(() => sim.setLatency(-1), RangeError);
  });
});
