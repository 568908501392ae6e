import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

type Rec = Record<string, unknown>;
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
const idOf = (ref: unknown) => (ref as { id: string }).id;

async function withSimulator(run: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

/** A generated incident still open near the end of the data. */
function openIncident(sim: Simulator, status: string): Rec {
  const recent = [...sim.dataset.records('incidents', { since: new Date(DATA_END.getTime() - 2 * DAY) })];
  return recent.find((r) => r.status === status)!;
}

describe('simulator time passing', () => {
  test('the clock drives the default incident window and on-calls now; set and advance move it', async () => {
    await withSimulator(async (sim) => {
      assert.equal(sim.clock.now().getTime(), NOW.getTime());
      sim.clock.advance(3 * DAY);
      const later = NOW.getTime() + 3 * DAY;
      for (const o of await listAll(sim, 'oncalls')) {
        if (o.start !== null) assert.ok(Date.parse(String(o.start)) <= later && Date.parse(String(o.end)) > later);
      }
      sim.clock.set(new Date('2026-03-01T00:00:00Z'));
      const incidents = await listAll(sim, 'incidents');
      assert.deepEqual(ids(incidents), sim.dataset.ids('incidents', { since: new Date('2026-02-01T00:00:00Z'), until: new Date('2026-03-01T00:00:00Z') }));
      assert.ok(incidents.length > 10);
    });
  });

  test('resolving an old incident shows in log entries since just before, with the incident expanded as resolved', async () => {
    await withSimulator(async (sim) => {
      const [old] = sim.dataset.addIncidents(1, new Date('2026-03-01T08:00:00Z'));
      sim.clock.advance(6 * 60 * MINUTE);
      const nowMs = sim.clock.now().getTime();
      const entryId = sim.dataset.resolveIncident(old!);
      const since = iso(nowMs - 1000);
      const entries = await listAll(sim, 'log_entries', { since, 'include[]': 'incidents' });
      assert.deepEqual(ids(entries), [entryId]);
      const [entry] = entries;
      assert.equal(entry!.type, 'resolve_log_entry');
      assert.equal(entry!.created_at, iso(nowMs));
      const incident = entry!.incident as Rec;
      assert.deepEqual([incident.type, incident.id, incident.status], ['incident', old, 'resolved']);
      assert.deepEqual([incident.resolved_at, incident.updated_at, incident.last_status_change_at], [iso(nowMs), iso(nowMs), iso(nowMs)]);
      assert.deepEqual(incident.assignments, []);
      assert.equal(idOf(entry!.agent), idOf(incident.last_status_change_by));
      // PagerDuty filters incidents on creation time: the change is not in a recent since-window.
      assert.ok(!ids(await listAll(sim, 'incidents')).includes(old!));
      const all = await listAll(sim, 'incidents', { date_range: 'all' });
      assert.equal(all.find((r) => r.id === old)!.status, 'resolved');
      assert.equal([...sim.dataset.records('incidents')].find((r) => r.id === old)!.status, 'resolved');
      const newest = (await get(sim, '/log_entries', { limit: 2, total: true })).body;
      assert.equal(idOf((newest.log_entries as Rec[])[0]), entryId, 'newest first');
      assert.equal(newest.total, sim.dataset.count('log_entries'));
    });
  });

  test('acknowledging then resolving a generated open incident adds both entries, newest first', async () => {
    await withSimulator(async (sim) => {
      const open = openIncident(sim, 'triggered');
      const id = String(open.id);
      const ackAt = new Date(NOW.getTime() + MINUTE);
      const ackId = sim.dataset.acknowledgeIncident(id, ackAt);
      const acked = [...sim.dataset.records('incidents', { since: new Date(String(open.created_at)) })].find((r) => r.id === id)!;
      assert.equal(acked.status, 'acknowledged');
      assert.deepEqual((acked.acknowledgements as Rec[]).map((a) => [a.at, idOf(a.acknowledger)]), [[iso(ackAt.getTime()), idOf((open.assignments as Rec[])[0]!.assignee)]]);
      assert.deepEqual(acked.pending_actions, [{ type: 'unacknowledge', at: iso(ackAt.getTime() + 30 * MINUTE) }]);
      const resolveId = sim.dataset.resolveIncident(id, new Date(NOW.getTime() + 2 * MINUTE));
      const entries = await listAll(sim, 'log_entries', { since: String(open.created_at), until: iso(NOW.getTime() + DAY) });
      const mine = entries.filter((e) => idOf(e.incident) === id);
      assert.deepEqual(ids(mine).slice(0, 2), [resolveId, ackId]);
      assert.deepEqual(mine.slice(0, 2).map((e) => e.type), ['resolve_log_entry', 'acknowledge_log_entry']);
      assert.ok('acknowledgement_timeout' in mine[1]!);
      assert.equal(mine.at(-1)!.type, 'trigger_log_entry');
      const times = entries.map((e) => Date.parse(String(e.created_at)));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      assert.throws(() => sim.dataset.resolveIncident(id), /already resolved/);
      const other = openIncident(sim, 'acknowledged');
      assert.throws(() => sim.dataset.acknowledgeIncident(String(other.id), new Date(String(other.created_at))), RangeError);
    });
  });

  test('added incidents fall in the window of their creation time and raise both totals', async () => {
    await withSimulator(async (sim) => {
      const day = { since: '2026-05-20T00:00:00Z', until: '2026-05-21T00:00:00Z' };
      const total = async (stream: string) => (await get(sim, `/${stream}`, { ...day, total: true, limit: 1 })).body.total as number;
      const [incidentsBefore, entriesBefore] = [await total('incidents'), await total('log_entries')];
      const added = sim.dataset.addIncidents(5, new Date('2026-05-20T10:00:00.250Z'));
      assert.equal(new Set(added).size, 5);
      assert.deepEqual([await total('incidents'), await total('log_entries')], [incidentsBefore + 5, entriesBefore + 5]);
      const listed = await listAll(sim, 'incidents', { ...day, 'include[]': 'first_trigger_log_entries' });
      assert.deepEqual(ids(listed), sim.dataset.ids('incidents', { since: new Date(day.since), until: new Date(day.until) }));
      const mine = listed.filter((r) => added.includes(String(r.id)));
      assert.deepEqual(mine.map((r) => r.created_at), [1, 2, 3, 4, 5].map((s) => `2026-05-20T10:00:0${s}Z`), 'from `at`, rounded up, a second apart');
      assert.deepEqual(mine.map((r) => r.incident_number), [1201, 1202, 1203, 1204, 1205]);
      for (const r of mine) {
        assert.equal(r.status, 'triggered');
        const trigger = r.first_trigger_log_entry as Rec;
        assert.deepEqual([trigger.type, trigger.created_at, idOf(trigger.incident)], ['trigger_log_entry', r.created_at, r.id]);
      }
      const times = listed.map((r) => Date.parse(String(r.created_at)));
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      const entries = await listAll(sim, 'log_entries', day);
      const entryTimes = entries.map((e) => Date.parse(String(e.created_at)));
      assert.deepEqual(entryTimes, [...entryTimes].sort((a, b) => b - a));
      assert.equal(sim.dataset.count('incidents'), 1205);
      const [atNow] = sim.dataset.addIncidents(1);
      assert.ok(!ids(await listAll(sim, 'incidents')).includes(atNow!), 'created at now: after the default until');
      sim.clock.advance(1000);
      assert.ok(ids(await listAll(sim, 'incidents')).includes(atNow!));
    });
  });

  test('an added field shows in lists, in include[] expansions and in the truth; a value set later wins', async () => {
    await withSimulator(async (sim) => {
      sim.dataset.addField('services', 'tier', (r) => `tier-${String(r.id).slice(-1)}`);
      const services = await listAll(sim, 'services');
      for (const s of services) assert.equal(s.tier, `tier-${String(s.id).slice(-1)}`);
      const policies = await listAll(sim, 'escalation_policies', { 'include[]': 'services' });
      for (const s of policies.flatMap((p) => p.services as Rec[])) assert.ok(String(s.tier).startsWith('tier-'));
      for (const s of sim.dataset.records('services')) assert.ok('tier' in s);
      sim.dataset.updateRecord('services', String(services[0]!.id), { tier: 'gold' });
      assert.equal((await listAll(sim, 'services'))[0]!.tier, 'gold');
      sim.dataset.addField('incidents', 'region', () => 'eu');
      const [added] = sim.dataset.addIncidents(1, new Date('2026-05-31T00:00:00Z'));
      const entries = await listAll(sim, 'log_entries', { since: '2026-05-31T00:00:00Z', until: '2026-05-31T00:00:01Z', 'include[]': 'incidents' });
      assert.deepEqual(entries.map((e) => [(e.incident as Rec).id, (e.incident as Rec).region]), [[added, 'eu']]);
      assert.throws(() => sim.dataset.addField('incidents', 'region', () => 'us'), /already added/);
      assert.throws(() => sim.dataset.addField('widgets', 'x', () => 1), /unknown stream/);
    });
  });
});
