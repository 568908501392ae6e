import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlyIn, syncFixture, summaryOf } from './support/sync-fixture.js';

type Rec = Record<string, unknown>;

test('an incremental run replaces a changed incident\'s children: a note and an alert removed at the source leave the tables', async () => {
  const f = await syncFixture({ name: 'childrepl', sim: { volume: { incidents: 150 } }, inputs: { rate: 2000, concurrency: 8 }, replication: onlyIn('incremental', 'incidents', 'incident_notes', 'incident_alerts') });
  try {
    const first = await f.run();
    assert.equal(first.code, 0, first.stderr);
    const annotations = [...f.sim.dataset.records('log_entries')].filter((e) => e.type === 'annotate_log_entry');
    const incidents = new Map([...f.sim.dataset.records('incidents')].map((r) => [String(r.id), r]));
    // An incident with a note and at least two alerts.
    const entry = annotations.find((e) => ((incidents.get(String((e.incident as Rec).id))!.alert_counts as Rec).all as number) >= 2)!;
    const incident = incidents.get(String((entry.incident as Rec).id))!;
    const before = { incident_notes: f.truth('incident_notes'), incident_alerts: f.truth('incident_alerts') };
    // At the source: the note deleted, the last alert gone; then the incident changes (a later note), so the next run reads it again.
    f.sim.dataset.deleteRecord('log_entries', String(entry.id));
    const counts = incident.alert_counts as Rec;
    f.sim.dataset.updateRecord('incidents', String(incident.id), { alert_counts: { ...counts, all: (counts.all as number) - 1 } });
    f.sim.clock.advance(3_600_000);
    f.sim.dataset.addNote(String(incident.id), 'a later note');
    f.sim.clock.advance(60_000);
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    for (const [s, had] of Object.entries(before)) {
      const now = new Set(f.truth(s));
      const gone = had.filter((id) => !now.has(id));
      assert.equal(gone.length, 1, `${s}: one removed at the source`);
      const landed = await f.landed(s);
      assert.ok(!landed.includes(gone[0]!), `${s}: the removed one left the table`);
      assert.deepEqual(landed, f.truth(s), `${s}: exactly the source's`);
    }
    const streams = Object.fromEntries(summaryOf(r.stdout).streams.map((s) => [s.stream, s]));
    assert.equal(streams.incident_notes!.rowsRemoved, 1);
    assert.equal(streams.incident_alerts!.rowsRemoved, 1);
  } finally {
    await f.close();
  }
});
