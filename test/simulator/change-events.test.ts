import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { recordFields, sortedKeys } from '../support/openapi-fields.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

type Rec = Record<string, unknown>;
const HOUR = 3_600_000;
const ms = (v: unknown) => Date.parse(String(v));
const idOf = (ref: unknown) => (ref as { id: string }).id;

describe('simulator change events', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('one change event per 3 incidents, oldest first, with the OpenAPI ChangeEvent fields', async () => {
    const all = await listAll(sim, 'change_events');
    assert.equal(all.length, 400);
    assert.deepEqual(ids(all), sim.dataset.ids('change_events'));
    const times = all.map((e) => ms(e.timestamp));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.ok(times[0]! >= DATA_END.getTime() - 730 * 24 * HOUR && times.at(-1)! < DATA_END.getTime());
    const services = new Set(sim.dataset.ids('services'));
    for (const e of all) {
      assert.deepEqual(sortedKeys(e), recordFields('get', '/change_events', 'change_events'));
      assert.equal(e.type, 'change_event');
      assert.equal((e.services as Rec[]).length, 1);
      assert.ok(services.has(idOf((e.services as Rec[])[0])));
      assert.match(String(e.routing_key), /^[0-9a-f]{32}$/);
      assert.ok((e.links as Rec[]).every((l) => typeof l.href === 'string' && typeof l.text === 'string'));
      assert.deepEqual(e.images, []);
    }
  });

  test('since/until select timestamps in [since, until); the truth filters the same way', async () => {
    const all = [...sim.dataset.records('change_events')];
    const [since, until] = [String(all[100]!.timestamp), String(all[150]!.timestamp)];
    const window = await listAll(sim, 'change_events', { since, until });
    assert.deepEqual(ids(window), ids(all.slice(100, 150)));
    assert.deepEqual(sim.dataset.ids('change_events', { since: new Date(since), until: new Date(until) }), ids(window));
    const page = await get(sim, '/change_events', { since, until, limit: 20, offset: 40, total: true });
    assert.deepEqual([(page.body.change_events as Rec[]).length, page.body.more, page.body.total], [10, false, 50]);
    const reversed = await get(sim, '/change_events', { since: until, until: since });
    assert.deepEqual([reversed.status, reversed.body.error?.code], [400, 2004]);
    const invalid = await get(sim, '/change_events', { since: 'yesterday' });
    assert.deepEqual([invalid.status, invalid.body.error?.code], [400, 2001]);
  });

  test('some changes precede an incident on their service within hours, others have none within 24 h', () => {
    const incidentsBy = new Map<string, number[]>();
    for (const i of sim.dataset.records('incidents')) incidentsBy.set(idOf(i.service), [...(incidentsBy.get(idOf(i.service)) ?? []), ms(i.created_at)]);
    const leads = [...sim.dataset.records('change_events')].map((e) => {
      const t = ms(e.timestamp);
      const next = (incidentsBy.get(idOf((e.services as Rec[])[0])) ?? []).find((c) => c >= t);
      return next === undefined ? Infinity : next - t;
    });
    const within = (h: number) => leads.filter((l) => l < h * HOUR).length;
    assert.ok(within(6) > 100, `${within(6)} changes an incident followed within 6 h`);
    assert.ok(leads.length - within(24) > 100, `${leads.length - within(24)} changes no incident followed within 24 h`);
  });

  test('volume.change_events sets the number, at most one per incident', async () => {
    const small = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW, volume: { incidents: 300, change_events: 30 } });
    try {
      assert.equal(small.dataset.count('change_events'), 30);
      assert.equal((await get(small, '/change_events', { total: true })).body.total, 30);
    } finally {
      await small.close();
    }
    await assert.rejects(startSimulator({ volume: { incidents: 10, change_events: 11 } }), /more than the 10 incidents/);
  });
});
