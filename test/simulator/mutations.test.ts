import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

describe('simulator mutations', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('a deleted record vanishes from the list, its total and the truth; references to it stay stubs', async () => {
    // A team some user belongs to: its references are what must survive as stubs.
    const victim = (await listAll(sim, 'users', { 'include[]': 'teams' })).flatMap((u) => (u.teams as { id: string }[]).map((t) => t.id))[0];
    assert.ok(victim, 'a team with members');
    sim.dataset.deleteRecord('teams', victim);
    const teams = await listAll(sim, 'teams');
    assert.ok(!ids(teams).includes(victim!));
    assert.equal((await get(sim, '/teams', { total: true })).body.total, 7);
    assert.equal(sim.dataset.count('teams'), 7);
    assert.deepEqual(ids(teams), sim.dataset.ids('teams'));
    const users = await listAll(sim, 'users', { 'include[]': 'teams' });
    const stub = users.flatMap((u) => u.teams as Record<string, unknown>[]).find((t) => t.id === victim);
    assert.equal(stub?.type, 'team_reference', 'a member\'s reference to the deleted team stays, as a stub');
    assert.throws(() => sim.dataset.deleteRecord('teams', victim));
  });

  test('an update shows in the endpoint and in records expanded by include[]', async () => {
    const [service] = sim.dataset.ids('services');
    sim.dataset.updateRecord('services', service!, { name: 'Renamed service' });
    const listed = (await listAll(sim, 'services')).find((s) => s.id === service)!;
    assert.equal(listed.name, 'Renamed service');
    assert.equal([...sim.dataset.records('services')].find((s) => s.id === service)!.name, 'Renamed service');
    const policies = await listAll(sim, 'escalation_policies', { 'include[]': 'services' });
    const expanded = policies.flatMap((p) => p.services as Record<string, unknown>[]).find((s) => s.id === service);
    assert.equal(expanded?.name, 'Renamed service');
  });

  test('an added incident appears in the windows its created_at falls in, in order', async () => {
    const template = [...sim.dataset.records('incidents')][600]!;
    const created = '2025-11-20T10:00:00Z';
    sim.dataset.addRecord('incidents', { ...template, id: 'PTEST01', incident_number: 99999, created_at: created });
    const window = { since: '2025-11-20T00:00:00Z', until: '2025-11-21T00:00:00Z' };
    const listed = await listAll(sim, 'incidents', window);
    assert.ok(ids(listed).includes('PTEST01'));
    const times = listed.map((r) => Date.parse(String(r.created_at)));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.deepEqual(ids(listed), sim.dataset.ids('incidents', { since: new Date(window.since), until: new Date(window.until) }));
    const other = await listAll(sim, 'incidents', { since: '2025-11-21T00:00:00Z', until: '2025-12-21T00:00:00Z' });
    assert.ok(!ids(other).includes('PTEST01'));
    assert.equal(sim.dataset.count('incidents'), 1201);
    assert.throws(() => sim.dataset.addRecord('incidents', { ...template }), /already exists/);
  });

  test('an update that changes created_at moves the incident to its new window', async () => {
    const records = [...sim.dataset.records('incidents')];
    const moved = String(records[100]!.id);
    const oldWindow = { since: String(records[100]!.created_at), until: String(records[101]!.created_at) };
    sim.dataset.updateRecord('incidents', moved, { created_at: '2026-05-20T00:00:00Z', status: 'triggered' });
    assert.deepEqual(ids(await listAll(sim, 'incidents', oldWindow)), []);
    const newWindow = await listAll(sim, 'incidents', { since: '2026-05-19T00:00:00Z', until: '2026-05-21T00:00:00Z' });
    const found = newWindow.find((r) => r.id === moved)!;
    assert.equal(found.status, 'triggered');
    assert.equal(sim.dataset.count('incidents'), 1201);
  });

  test('deletions and additions keep offsets exact across pages of a long list', async () => {
    const before = sim.dataset.ids('log_entries');
    for (const k of [0, 1, 99, 100, 101, 2500]) sim.dataset.deleteRecord('log_entries', before[k]!);
    const template = [...sim.dataset.records('log_entries')][50]!;
    sim.dataset.addRecord('log_entries', { ...template, id: 'PTESTLE' });
    const listed = ids(await listAll(sim, 'log_entries'));
    assert.equal(listed.length, before.length - 6 + 1);
    assert.equal(new Set(listed).size, listed.length);
    assert.deepEqual(listed, sim.dataset.ids('log_entries'));
    assert.ok([50, 51].includes(listed.indexOf('PTESTLE')), 'beside the entry it copies');
  });
});
