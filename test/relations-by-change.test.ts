import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RELATIONS } from '../src/sinks/postgres/relations/relations.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';

type Rec = Record<string, unknown>;
const STREAMS = ['incidents', 'log_entries', 'notifications', 'users', 'services', 'teams', 'change_events', 'oncall_shifts', 'incident_notes'];

/** A seeded sequence in [0, 1): the same changes every run of the test. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** Every relation's rows, ordered by its key, as text: what a reader would get. */
async function snapshot(f: SyncFixture): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const r of RELATIONS) {
    const { rows } = await f.db.pool.query(`SELECT * FROM "${f.db.schema}"."${r.name}" ORDER BY ${r.key.map((k) => `"${k}"`).join(', ')}`);
    out[r.name] = rows.map((row: Rec) => JSON.stringify(row));
  }
  return out;
}

/** A reference to a record, as PagerDuty puts one in another record. */
const ref = (r: Rec, type: string) => ({ id: r.id, type: `${type}_reference`, summary: r.summary ?? r.name, self: r.self, html_url: r.html_url });

describe('relations kept by change equal a full rebuild, row for row', () => {
  let f: SyncFixture;
  const random = seeded(19);
  const pick = <T>(xs: T[], n: number): T[] => [...xs].sort(() => random() - 0.5).slice(0, n);

  before(async () => {
    f = await syncFixture({
      name: 'keep',
      sim: { volume: { incidents: 300 } },
      inputs: { rate: 2000, concurrency: 8 },
      replication: (schema) =>
        `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n${STREAMS.map((s) => `  ${s}:\n`).join('')}`,
    });
    const first = await f.run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^relations: incident_metrics, incident_status_history, service_weekly, oncall_load, search_documents made$/m);
  });
  after(async () => {
    await f.close();
  });

  /** Runs with these args, checks the relations were kept by change, then that a full rebuild gives the same rows; returns them. */
  async function keptEqualsRebuilt(args: string[]): Promise<Record<string, string[]>> {
    const r = await f.run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^relations: incident_metrics, incident_status_history, service_weekly, oncall_load, search_documents kept by change \(\d+ rows computed again\)$/m);
    assert.doesNotMatch(r.stderr, /^relations: .* made/m, 'nothing was computed whole');
    const kept = await snapshot(f);
    const rebuilt = await f.run(['--rebuild-relations']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stderr, /^relations: incident_metrics, incident_status_history, service_weekly, oncall_load, search_documents made$/m);
    const whole = await snapshot(f);
    for (const rel of RELATIONS) assert.deepEqual(kept[rel.name], whole[rel.name], `${rel.name}: kept by change = computed whole`);
    return whole;
  }

  test('an idle rerun computes nothing again', async () => {
    const before = await snapshot(f);
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^relations: .* kept by change \(0 rows computed again\)$/m);
    assert.deepEqual(await snapshot(f), before);
  });

  test('after resolutions, acknowledgements, new incidents, notes and time passing (new shifts), an incremental run keeps them exactly', async () => {
    const before = await snapshot(f);
    f.sim.clock.advance(2 * 86_400_000);
    const open = [...f.sim.dataset.records('incidents')].filter((i) => i.status !== 'resolved').map((i) => String(i.id));
    for (const id of pick(open, 6)) f.sim.dataset.resolveIncident(id);
    const stillOpen = [...f.sim.dataset.records('incidents')].filter((i) => i.status === 'triggered').map((i) => String(i.id));
    for (const id of pick(stillOpen, 3)) f.sim.dataset.acknowledgeIncident(id);
    const added = f.sim.dataset.addIncidents(4);
    for (const id of pick(f.sim.dataset.ids('incidents'), 3)) f.sim.dataset.addNote(id, `note on ${id}`);
    f.sim.clock.advance(60_000);
    const after = await keptEqualsRebuilt([]);
    assert.notDeepEqual(after.incident_metrics, before.incident_metrics, 'incident_metrics changed');
    assert.ok(added.every((id) => after.incident_metrics!.some((row) => row.includes(`"incident_id":"${id}"`))), 'new incidents have metrics');
  });

  test('after incidents move to other services, users change time zone and change events go, a full refresh keeps them exactly', async () => {
    const before = await snapshot(f);
    const services = [...f.sim.dataset.records('services')];
    for (const i of pick([...f.sim.dataset.records('incidents')], 8)) {
      const other = services.find((s) => s.id !== (i.service as Rec).id)!;
      f.sim.dataset.updateRecord('incidents', String(i.id), { service: ref(other, 'service') });
    }
    // The users notified most, moved half a day away: their night notifications change.
    const notified = new Map<string, number>();
    for (const n of f.sim.dataset.records('notifications')) notified.set(String((n.user as Rec).id), (notified.get(String((n.user as Rec).id)) ?? 0) + 1);
    const busiest = [...notified].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([id]) => id);
    for (const id of busiest) {
      const zone = [...f.sim.dataset.records('users')].find((u) => u.id === id)!.time_zone;
      f.sim.dataset.updateRecord('users', id, { time_zone: zone === 'Asia/Tokyo' ? 'America/Chicago' : 'Asia/Tokyo' });
    }
    for (const id of pick(f.sim.dataset.ids('change_events'), 5)) f.sim.dataset.deleteRecord('change_events', id);
    const after = await keptEqualsRebuilt(['--mode', 'full-refresh']);
    assert.notDeepEqual(after.service_weekly, before.service_weekly, 'service_weekly changed');
    assert.notDeepEqual(after.oncall_load, before.oncall_load, 'oncall_load changed');
  });

  test('after change events move onto two services and a service changes teams (its every week), a full refresh keeps them exactly', async () => {
    const before = await snapshot(f);
    const services = [...f.sim.dataset.records('services')];
    for (const c of pick([...f.sim.dataset.records('change_events')], 4)) {
      const first = (c.services as Rec[])[0]!;
      const other = services.find((s) => s.id !== first.id)!;
      f.sim.dataset.updateRecord('change_events', String(c.id), { services: [first, ref(other, 'service')] });
    }
    const team = [...f.sim.dataset.records('teams')][0]!;
    f.sim.dataset.updateRecord('services', String(services[0]!.id), { teams: [ref(team, 'team')] });
    const after = await keptEqualsRebuilt(['--mode', 'full-refresh']);
    assert.notDeepEqual(after.service_weekly, before.service_weekly, 'service_weekly changed');
  });
});
