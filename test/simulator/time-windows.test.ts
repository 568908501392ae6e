import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

const DAY = 86_400_000;
const at = (r: Record<string, unknown>, field: string) => Date.parse(String(r[field]));
const iso = (ms: number) => new Date(ms).toISOString();

describe('simulator time windows', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('incidents without since are the last month before now, oldest first', async () => {
    const incidents = await listAll(sim, 'incidents');
    const since = Date.UTC(2026, 4, 1, 12);
    assert.ok(incidents.length > 20);
    for (const r of incidents) assert.ok(at(r, 'created_at') >= since && at(r, 'created_at') < NOW.getTime());
    assert.deepEqual(ids(incidents), sim.dataset.ids('incidents', { since: new Date(since), until: NOW }));
    const times = incidents.map((r) => at(r, 'created_at'));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  });

  test('incidents with date_range=all ignore since and until and list the whole history', async () => {
    const all = await listAll(sim, 'incidents', { date_range: 'all', since: '2026-05-01T00:00:00Z', until: '2026-05-02T00:00:00Z' });
    assert.equal(all.length, 1200);
    assert.deepEqual(ids(all), sim.dataset.ids('incidents'));
    assert.deepEqual(all.map((r) => r.incident_number), all.map((_, k) => k + 1));
    assert.ok(at(all[0]!, 'created_at') >= DATA_END.getTime() - 730 * DAY);
    assert.ok(at(all.at(-1)!, 'created_at') < DATA_END.getTime());
  });

  test('an explicit incident window selects created_at in [since, until)', async () => {
    const all = sim.dataset.ids('incidents');
    const records = [...sim.dataset.records('incidents')];
    const since = at(records[300]!, 'created_at');
    const until = at(records[400]!, 'created_at');
    const window = await listAll(sim, 'incidents', { since: iso(since), until: iso(until), time_zone: 'UTC' });
    assert.deepEqual(ids(window), all.slice(300, 400), 'since inclusive, until exclusive');
  });

  test('an incident window over 6 months is refused with code 2001; since after until with 2004', async () => {
    const long = await get(sim, '/incidents', { since: '2025-01-01T00:00:00Z', until: '2025-07-15T00:00:00Z' });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body.error, { message: 'Invalid Input Provided', code: 2001, errors: ['Date Range cannot be longer than 6 months'] });
    const sixMonths = await get(sim, '/incidents', { since: '2025-01-01T00:00:00Z', until: '2025-07-01T00:00:00Z' });
    assert.equal(sixMonths.status, 200);
    const reversed = await get(sim, '/incidents', { since: '2025-02-01T00:00:00Z', until: '2025-01-01T00:00:00Z' });
    assert.equal(reversed.body.error?.code, 2004);
    const badZone = await get(sim, '/incidents', { time_zone: 'Mars/Olympus' });
    assert.equal(badZone.body.error?.code, 2001);
  });

  test('notifications need both since and until (2003) and a window under 3 months (2001)', async () => {
    for (const query of [{}, { since: '2026-01-01T00:00:00Z' }, { until: '2026-01-01T00:00:00Z' }]) {
      const res = await get(sim, '/notifications', query);
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.code, 2003);
    }
    const long = await get(sim, '/notifications', { since: '2026-01-01T00:00:00Z', until: '2026-04-03T00:00:00Z' });
    assert.equal(long.body.error?.code, 2001);
    const ok = await listAll(sim, 'notifications', { since: '2026-01-01T00:00:00Z', until: '2026-03-31T00:00:00Z' });
    assert.ok(ok.length > 0);
    const times = ok.map((r) => at(r, 'started_at'));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    assert.ok(times[0]! >= Date.UTC(2026, 0, 1) && times.at(-1)! < Date.UTC(2026, 2, 31));
  });

  test('notifications with include[]=users carry the full user', async () => {
    const res = await get(sim, '/notifications', { since: '2026-05-01T00:00:00Z', until: '2026-06-01T00:00:00Z', 'include[]': 'users' });
    const n = (res.body.notifications as Record<string, unknown>[])[0]!;
    const user = n.user as Record<string, unknown>;
    assert.equal(user.type, 'user');
    assert.ok(sim.dataset.ids('users').includes(String(user.id)));
    assert.equal(typeof user.email, 'string');
  });

  test('log entries are newest first and each refers to an existing incident created no later', async () => {
    const until = '2026-03-01T00:00:00Z';
    const entries = await listAll(sim, 'log_entries', { since: '2026-02-01T00:00:00Z', until });
    assert.ok(entries.length > 100);
    const times = entries.map((r) => at(r, 'created_at'));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const incidents = new Map([...sim.dataset.records('incidents')].map((r) => [r.id, r]));
    const types = new Set<string>();
    for (const e of entries) {
      const ref = e.incident as Record<string, unknown>;
      const incident = incidents.get(ref.id);
      assert.ok(incident, `incident ${String(ref.id)} exists`);
      assert.equal(ref.type, 'incident_reference');
      assert.ok(at(incident, 'created_at') <= at(e, 'created_at'));
      assert.deepEqual((e.service as { id: string }).id, (incident.service as { id: string }).id);
      types.add(String(e.type));
    }
    for (const t of ['trigger_log_entry', 'notify_log_entry', 'resolve_log_entry', 'acknowledge_log_entry']) assert.ok(types.has(t), t);
    const withoutSince = await get(sim, '/log_entries', { until, total: true });
    assert.equal(withoutSince.body.total, sim.dataset.ids('log_entries', { until: new Date(until) }).length, 'no since: all before until');
  });

  test('log entries with include[]=incidents carry the full incident, whose first trigger entry exists', async () => {
    const res = await get(sim, '/log_entries', { 'include[]': ['incidents'], limit: 5 });
    for (const e of res.body.log_entries as Record<string, unknown>[]) {
      const incident = e.incident as Record<string, unknown>;
      assert.equal(incident.type, 'incident');
      const trigger = incident.first_trigger_log_entry as { id: string };
      assert.ok(sim.dataset.ids('log_entries').includes(trigger.id));
    }
  });

  test('oncalls without a range are those on call now; a range gives every overlapping shift', async () => {
    const now = await listAll(sim, 'oncalls');
    assert.ok(now.length > 0);
    for (const o of now) {
      if (o.start === null) assert.equal(o.end, null);
      else assert.ok(at(o, 'start') <= NOW.getTime() && at(o, 'end') > NOW.getTime());
    }
    const keys = sim.dataset.ids('oncalls');
    assert.equal(keys.length, now.length);
    assert.deepEqual(JSON.parse(keys[0]!), [
      (now[0]!.escalation_policy as { id: string }).id, now[0]!.escalation_level,
      (now[0]!.schedule as { id: string } | null)?.id ?? null, (now[0]!.user as { id: string }).id, now[0]!.start,
    ]);
    const since = NOW.getTime() - 28 * DAY;
    const month = await listAll(sim, 'oncalls', { since: iso(since), until: iso(NOW.getTime()) });
    assert.ok(month.length > now.length);
    for (const o of month) {
      if (o.start !== null) assert.ok(at(o, 'start') < NOW.getTime() && at(o, 'end') > since);
    }
    const tooFar = await get(sim, '/oncalls', { until: iso(NOW.getTime() + 91 * DAY) });
    assert.equal(tooFar.body.error?.code, 2001);
  });

  test('schedules show layers only with include[]=schedule_layers; users expand contact methods on request', async () => {
    const plain = (await get(sim, '/schedules')).body.schedules as Record<string, unknown>[];
    assert.ok(!('schedule_layers' in plain[0]!));
    const layered = (await get(sim, '/schedules', { 'include[]': 'schedule_layers' })).body.schedules as Record<string, unknown>[];
    const layer = (layered[0]!.schedule_layers as Record<string, unknown>[])[0]!;
    assert.equal(layer.rotation_turn_length_seconds, 604800);
    const refs = (await get(sim, '/users')).body.users as Record<string, unknown>[];
    assert.match(String((refs[0]!.contact_methods as { type: string }[])[0]!.type), /_reference$/);
    const full = (await get(sim, '/users', { 'include[]': ['contact_methods', 'teams'] })).body.users as Record<string, unknown>[];
    const method = (full[0]!.contact_methods as Record<string, unknown>[])[0]!;
    assert.equal(method.type, 'email_contact_method');
    assert.equal(method.address, full[0]!.email);
    assert.equal((full[0]!.teams as { type: string }[])[0]!.type, 'team');
  });
});
