import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { envelopeFields, recordFields, sortedKeys } from '../support/openapi-fields.js';
import { DATA_END, NOW, type Query, get, ids, listAll } from './simulator-client.js';

type Rec = Record<string, unknown>;
const idOf = (ref: unknown) => (ref as { id: string }).id;
const ms = (v: unknown) => Date.parse(String(v));
const without = (r: Rec, key: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));
const NOT_FOUND = { error: { message: 'Not Found', code: 2100 } };

function byParent(records: Iterable<Rec>, key: string): Map<string, Rec[]> {
  const out = new Map<string, Rec[]>();
  for (const r of records) out.set(String(r[key]), [...(out.get(String(r[key])) ?? []), r]);
  return out;
}

/** Every alert of an incident, paged as a client must: offset += alerts received. */
async function allAlerts(sim: Simulator, incidentId: string, limit = 100): Promise<Rec[]> {
  const out: Rec[] = [];
  for (;;) {
    const { status, body } = await get(sim, `/incidents/${incidentId}/alerts`, { limit, offset: out.length });
    assert.equal(status, 200);
    out.push(...(body.alerts as Rec[]));
    if (!body.more) return out;
  }
}

describe('simulator incident notes, incident alerts and team members', () => {
  let sim: Simulator;
  let incidents: Rec[];
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
    incidents = [...sim.dataset.records('incidents')];
  });
  after(() => sim.close());

  test('notes: {notes} of OpenAPI IncidentNote fields, 0 to 2 per incident, by users of the account, inside the incident\'s life', async () => {
    const notes = byParent(sim.dataset.records('incident_notes'), 'incident_id');
    const counts = incidents.map((i) => notes.get(String(i.id))?.length ?? 0);
    assert.deepEqual([...new Set(counts)].sort(), [0, 1, 2]);
    const users = new Set(sim.dataset.ids('users'));
    for (const incident of incidents.slice(0, 60)) {
      const res = await get(sim, `/incidents/${String(incident.id)}/notes`);
      assert.deepEqual(sortedKeys(res.body), envelopeFields('get', '/incidents/{id}/notes'));
      const served = res.body.notes as Rec[];
      assert.deepEqual(served, (notes.get(String(incident.id)) ?? []).map((n) => without(n, 'incident_id')), 'the truth adds only incident_id');
      for (const n of served) {
        assert.deepEqual(sortedKeys(n), recordFields('get', '/incidents/{id}/notes', 'notes'));
        assert.ok(users.has(idOf(n.user)));
        assert.deepEqual(n.channel, { summary: 'The PagerDuty website or APIs' });
        assert.ok(ms(n.created_at) >= ms(incident.created_at) && ms(n.created_at) <= ms(incident.resolved_at ?? NOW));
      }
    }
  });

  test('an unknown incident or team id answers 404 code 2100 on each child path', async () => {
    for (const path of ['/incidents/PNOSUCH/notes', '/incidents/PNOSUCH/alerts', '/teams/PNOSUCH/members', `/teams/${String(incidents[0]!.id)}/members`]) {
      const res = await get(sim, path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, NOT_FOUND);
    }
    assert.equal((await get(sim, '/incidents/{id}/notes')).status, 404, 'a template is not a path');
  });

  test('alerts page like the list endpoints: 25 by default, 100 at most, total on request, the 10,000 cap', async () => {
    const storm = incidents.find((i) => (i.alert_counts as { all: number }).all > 100)!;
    const count = (storm.alert_counts as { all: number }).all;
    const first = await get(sim, `/incidents/${String(storm.id)}/alerts`);
    assert.deepEqual(sortedKeys(first.body), envelopeFields('get', '/incidents/{id}/alerts'));
    assert.deepEqual([(first.body.alerts as Rec[]).length, first.body.limit, first.body.offset, first.body.more, first.body.total], [25, 25, 0, true, null]);
    const counted = await get(sim, `/incidents/${String(storm.id)}/alerts`, { limit: 500, total: true });
    assert.deepEqual([(counted.body.alerts as Rec[]).length, counted.body.limit, counted.body.total], [100, 100, count]);
    const paged = await allAlerts(sim, String(storm.id), 30);
    assert.equal(new Set(ids(paged)).size, count, 'no gaps or repeats');
    const truth = [...sim.dataset.records('incident_alerts')].filter((a) => a.incident_id === storm.id);
    assert.deepEqual(ids(paged), ids(truth));
    const capped = await get(sim, `/incidents/${String(storm.id)}/alerts`, { offset: 9950, limit: 100 });
    assert.deepEqual([capped.status, capped.body.error?.code], [400, 2002]);
    const triggered = await get(sim, `/incidents/${String(storm.id)}/alerts`, { 'statuses[]': 'triggered', total: true });
    assert.equal(triggered.body.total, storm.status === 'resolved' ? 0 : count);
  });

  test('each alert is of its incident and on its service, resolved exactly when the incident is, with the OpenAPI Alert fields', async () => {
    const alerts = byParent(sim.dataset.records('incident_alerts'), 'incident_id');
    for (const incident of incidents) {
      const mine = alerts.get(String(incident.id))!;
      assert.equal(mine.length, (incident.alert_counts as { all: number }).all);
      for (const a of mine) {
        assert.deepEqual(sortedKeys(without(a, 'incident_id')), recordFields('get', '/incidents/{id}/alerts', 'alerts'));
        assert.deepEqual([a.type, idOf(a.incident), idOf(a.service), a.suppressed], ['alert', incident.id, idOf(incident.service), false]);
        assert.equal(a.status, incident.status === 'resolved' ? 'resolved' : 'triggered');
        assert.equal((a.first_trigger_log_entry as Rec | null)?.id, (incident.first_trigger_log_entry as Rec | null)?.id);
        assert.ok(['critical', 'error', 'warning', 'info'].includes(String(a.severity)));
        assert.ok(a.integration === null || String((a.integration as Rec).type).endsWith('_integration_reference'));
        assert.deepEqual([(a.body as Rec).type, (a.body as Rec).contexts], ['alert_body', []]);
      }
    }
    const open = incidents.find((i) => i.status === 'triggered')!;
    assert.ok((await allAlerts(sim, String(open.id))).every((a) => a.status === 'triggered'));
    sim.dataset.resolveIncident(String(open.id));
    assert.ok((await allAlerts(sim, String(open.id))).every((a) => a.status === 'resolved'));
  });

  test('team members are exactly the users whose own teams name the team, each with a role', async () => {
    const users = await listAll(sim, 'users');
    const memberOf = (teamId: string) => users.filter((u) => (u.teams as Rec[]).some((t) => t.id === teamId)).map((u) => String(u.id));
    for (const teamId of sim.dataset.ids('teams')) {
      const res = await get(sim, `/teams/${teamId}/members`, { limit: 100, total: true });
      assert.deepEqual(sortedKeys(res.body), envelopeFields('get', '/teams/{id}/members'));
      const members = res.body.members as Rec[];
      assert.deepEqual(members.map((m) => idOf(m.user)), memberOf(teamId));
      assert.equal(res.body.total, members.length);
      for (const m of members) {
        assert.deepEqual(sortedKeys(m), recordFields('get', '/teams/{id}/members', 'members'));
        assert.ok(['manager', 'responder', 'observer'].includes(String(m.role)));
        assert.equal((m.user as Rec).type, 'user_reference');
      }
    }
    const pairs = sim.dataset.ids('team_members');
    assert.equal(pairs.length, users.reduce((n, u) => n + (u.teams as Rec[]).length, 0));
    const [teamId, userId] = JSON.parse(pairs[0]!) as [string, string];
    assert.ok(memberOf(teamId).includes(userId));
    const second = await get(sim, `/teams/${teamId}/members`, { limit: 1, offset: 1 });
    assert.deepEqual([(second.body.members as Rec[]).length, second.body.offset, second.body.limit], [1, 1, 1]);
    sim.dataset.updateRecord('users', userId, { teams: [] });
    assert.ok(!((await get(sim, `/teams/${teamId}/members`, { limit: 100 })).body.members as Rec[]).some((m) => idOf(m.user) === userId));
  });

  test('addNote shows in the notes endpoint, in records(incident_notes) and as an annotate log entry of the incident', async () => {
    const incident = incidents[700]!;
    const at = new Date(ms(incident.created_at) + 90_000);
    const noteId = sim.dataset.addNote(String(incident.id), 'Rolled back release 42', at);
    const notes = (await get(sim, `/incidents/${String(incident.id)}/notes`)).body.notes as Rec[];
    const mine = notes.find((n) => n.id === noteId)!;
    assert.deepEqual([mine.content, mine.created_at], ['Rolled back release 42', at.toISOString().replace('.000Z', 'Z')]);
    assert.equal((mine.user as Rec).type, 'user_reference');
    assert.ok([...sim.dataset.records('incident_notes')].some((n) => n.id === noteId && n.incident_id === incident.id));
    const entries = await listAll(sim, 'log_entries', { since: new Date(at.getTime() - 1000).toISOString(), until: new Date(at.getTime() + 1000).toISOString() });
    const annotate = entries.find((e) => e.type === 'annotate_log_entry' && idOf(e.incident) === incident.id)!;
    assert.deepEqual([annotate.note, annotate.created_at, idOf(annotate.agent)], ['Rolled back release 42', mine.created_at, idOf(mine.user)]);
    assert.throws(() => sim.dataset.addNote('PNOSUCH', 'x'), /no record/);
  });

  test('GET /incidents/{id} and its log_entries: the record; every entry oldest first, a new one too; pages, since/until, 404, gates', async () => {
    const id = String(incidents.find((i) => i.status === 'acknowledged')!.id);
    const truth = () => [...sim.dataset.records('log_entries')].filter((e) => idOf(e.incident) === id).sort((x, y) => ms(x.created_at) - ms(y.created_at));
    const page = async (q: Query) => (await get(sim, `/incidents/${id}/log_entries`, q)).body;
    const before = truth();
    assert.ok(before.length >= 3);
    assert.deepEqual(sortedKeys(await page({})), envelopeFields('get', '/incidents/{id}/log_entries'));
    assert.deepEqual((await page({ limit: 100 })).log_entries, before);
    sim.dataset.resolveIncident(id);
    const after = truth();
    assert.deepEqual([after.length, after.at(-1)!.type], [before.length + 1, 'resolve_log_entry']);
    const { body } = await get(sim, `/incidents/${id}`);
    assert.deepEqual(body, { incident: [...sim.dataset.records('incidents')].find((r) => r.id === id) });
    assert.equal((body.incident as Rec).status, 'resolved');
    const first = await page({ limit: 2, total: true });
    assert.deepEqual([first.limit, first.offset, first.more, first.total], [2, 0, true, after.length]);
    const rest = (await page({ limit: 100, offset: 2 })).log_entries as Rec[];
    assert.deepEqual(ids([...(first.log_entries as Rec[]), ...rest]), ids(after));
    const windowed = (await page({ since: String(after[1]!.created_at), until: String(after.at(-1)!.created_at), limit: 100 })).log_entries as Rec[];
    assert.deepEqual(ids(windowed), ids(after.slice(1, -1)), 'since inclusive, until exclusive');
    assert.equal((await get(sim, `/incidents/${id}/log_entries`, { offset: 9950, limit: 100 })).status, 400, 'the 10,000 offset cap');
    assert.equal((await get(sim, `/incidents/${id}/log_entries`, { since: 'yesterday' })).status, 400);
    for (const path of ['/incidents/PNOSUCH', '/incidents/PNOSUCH/log_entries']) assert.deepEqual(await get(sim, path).then((r) => [r.status, r.body]), [404, NOT_FOUND]);
    sim.setGates({ incidents: 402 });
    for (const path of [`/incidents/${id}`, `/incidents/${id}/log_entries`]) assert.equal((await get(sim, path)).status, 402, path);
    sim.setGates({ log_entries: 404 });
    assert.deepEqual([(await get(sim, `/incidents/${id}/log_entries`)).status, (await get(sim, `/incidents/${id}`)).status], [404, 200]);
    sim.setGates(undefined);
  });
});
