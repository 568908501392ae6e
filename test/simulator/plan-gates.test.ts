import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get } from './simulator-client.js';

const PAYMENT_REQUIRED = {
  error: {
    message: 'Payment Required',
    code: 2014,
    errors: ['Account does not have the abilities to perform the action. Please review the response for the required abilities.'],
  },
};
const NOT_FOUND = { error: { message: 'Not Found', code: 2100 } };

describe('simulator plan gates', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW, gates: { teams: 402, priorities: 404 } });
  });
  after(() => sim.close());

  test('a gated list answers 402 code 2014 or 404 code 2100, whatever the query; others are served', async () => {
    for (const query of [{}, { limit: 100, total: true }, { limit: 0 }]) {
      const teams = await get(sim, '/teams', query);
      assert.equal(teams.status, 402);
      assert.deepEqual(teams.body, PAYMENT_REQUIRED);
      const priorities = await get(sim, '/priorities', query);
      assert.equal(priorities.status, 404);
      assert.deepEqual(priorities.body, NOT_FOUND);
    }
    assert.equal((await get(sim, '/users')).status, 200);
    assert.equal((await get(sim, '/teams', {}, {})).status, 401, 'authentication comes first');
  });

  test('setGates changes the gates at run time', async () => {
    sim.setGates({ incidents: 402 });
    assert.equal((await get(sim, '/teams')).status, 200);
    assert.deepEqual((await get(sim, '/incidents')).body, PAYMENT_REQUIRED);
    sim.setGates(undefined);
    assert.equal((await get(sim, '/incidents')).status, 200);
  });

  test('a gate on an unknown stream or with another status is refused', () => {
    assert.throws(() => sim.setGates({ team: 402 }), /gates\.team: not a stream/);
    assert.throws(() => sim.setGates({ teams: 403 as 402 }), RangeError);
  });
});

test('GET /abilities lists the account features, without those of gated streams', async () => {
  const sim = await startSimulator({ port: 0, gates: { teams: 402 } });
  try {
    const res = await fetch(`${sim.url}/abilities`, { headers: { authorization: 'Token token=sim-token' } });
    assert.equal(res.status, 200);
    const { abilities } = (await res.json()) as { abilities: string[] };
    assert.ok(abilities.includes('priorities'));
    assert.ok(!abilities.includes('teams'));
  } finally {
    await sim.close();
  }
});
