import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, TOKEN_AUTH, get } from './simulator-client.js';

/** What the client saw: a status, or how the exchange broke. */
async function attempt(sim: Simulator, path = '/teams'): Promise<{ outcome: string; ms: number; res?: Response; text?: string }> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(`${sim.url}${path}`, { headers: TOKEN_AUTH });
  } catch (e) {
    assert.equal((e as { cause?: { code?: string } }).cause?.code, 'UND_ERR_SOCKET');
    return { outcome: 'reset', ms: Date.now() - started };
  }
  try {
    const text = await res.text();
    JSON.parse(text.startsWith('<html>') ? '{}' : text);
    return { outcome: String(res.status), ms: Date.now() - started, res, text };
  } catch {
    assert.equal(res.status, 200, 'a cut-off body follows a 200 head');
    return { outcome: 'truncated', ms: Date.now() - started };
  }
}

async function outcomes(sim: Simulator, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push((await attempt(sim)).outcome);
  return out;
}

describe('simulator fault injection', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('faults are a function of the seed and the request number: setFaults replays the same statuses', async () => {
    const faults = { seed: 7, rate: 0.5, kinds: ['http500', 'http502', 'http503', 'http429'] as const };
    sim.setFaults(faults);
    const first = await outcomes(sim, 30);
    sim.setFaults(faults);
    assert.deepEqual(await outcomes(sim, 30), first);
    assert.ok(first.includes('200') && first.some((s) => s !== '200'), first.join(' '));
    sim.setFaults({ ...faults, seed: 8 });
    assert.notDeepEqual(await outcomes(sim, 30), first);
    sim.setFaults(undefined);
    assert.deepEqual(await outcomes(sim, 5), ['200', '200', '200', '200', '200']);
  });

  test('every kind occurs: 5xx, 429 with code 2020, socket reset, truncated body, slow answer', async () => {
    sim.setFaults({ seed: 3, rate: 1, slowMs: 80 });
    sim.resetLog();
    const seen = new Map<string, number>();
    const slow: number[] = [];
    for (let k = 0; k < 45; k++) {
      const { outcome, ms, text } = await attempt(sim);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      if (outcome === '200') slow.push(ms);
      if (outcome === '429') assert.deepEqual(JSON.parse(text!), { error: { message: 'Rate Limit Exceeded', code: 2020 } });
      if (outcome === '500') assert.equal(JSON.parse(text!).error.code, 2000);
      if (outcome === '502' || outcome === '503') assert.match(text!, new RegExp(`<h1>${outcome} `));
    }
    assert.deepEqual([...seen.keys()].sort(), ['200', '429', '500', '502', '503', 'reset', 'truncated'], JSON.stringify([...seen]));
    for (const ms of slow) assert.ok(ms >= 75, `a slow answer took ${ms} ms`);
    const stats = sim.stats();
    assert.equal(stats.requests, 45);
    assert.equal(stats.byStatus[0], seen.get('reset')! + seen.get('truncated')!, 'resets and truncations are logged as 0');
    assert.equal(stats.peakInFlight, 1, 'every faulted request ended');
    sim.setFaults(undefined);
  });

  test('a share of injected 429s come without headers; the others quote a 1 s reset', async () => {
    sim.setFaults({ seed: 5, rate: 1, kinds: ['http429'] });
    const withHeaders: boolean[] = [];
    for (let k = 0; k < 24; k++) {
      const { res } = await attempt(sim);
      assert.equal(res!.status, 429);
      withHeaders.push(res!.headers.get('ratelimit-limit') !== null);
      if (withHeaders.at(-1)) assert.deepEqual(['960', '0', '1'], ['limit', 'remaining', 'reset'].map((h) => res!.headers.get(`ratelimit-${h}`)));
    }
    assert.ok(withHeaders.includes(true) && withHeaders.includes(false), withHeaders.join(' '));
    sim.setFaults(undefined);
  });

  test('a storm answers exactly `count` 429s after `afterRequests` successes', async () => {
    sim.setFaults({ rate: 0, storm: { afterRequests: 3, count: 5 } });
    assert.deepEqual(await outcomes(sim, 12), ['200', '200', '200', ...Array(5).fill('429'), '200', '200', '200', '200']);
    sim.setFaults(undefined);
  });

  test('requests that fail anyway (401, 400, 404, gated 402) get no fault and take no request number', async () => {
    sim.setFaults({ rate: 0, storm: { afterRequests: 0, count: 1 } });
    sim.setGates({ teams: 402 });
    assert.equal((await get(sim, '/users', {}, {})).status, 401);
    assert.equal((await get(sim, '/users', { limit: 0 })).status, 400);
    assert.equal((await get(sim, '/no-such-path')).status, 404);
    assert.equal((await get(sim, '/teams')).status, 402);
    assert.equal((await get(sim, '/users')).status, 429, 'the first request that would succeed is number 1');
    assert.equal((await get(sim, '/users')).status, 200);
    sim.setGates(undefined);
    sim.setFaults(undefined);
  });

  test('bad fault settings are refused', () => {
    assert.throws(() => sim.setFaults({ rate: 1.5 }), RangeError);
    assert.throws(() => sim.setFaults({ rate: 0.1, kinds: [] }), RangeError);
    assert.throws(() => sim.setFaults({ rate: 0, storm: { afterRequests: -1, count: 2 } }), RangeError);
  });
});
