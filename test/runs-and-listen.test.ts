import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { timeWindows } from '../src/source/time-windows.js';
import { incidentsBoth, LISTEN_ENV, startListener, withWebhookSecret } from './support/listener.js';
import { DATA_END, type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { eventually } from './support/wait.js';

const ANCHOR = new Date('2020-01-01T00:00:00Z');
const replication = (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: full-refresh\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n  log_entries:\n`;

async function count(f: SyncFixture, sql: string, values: unknown[] = []): Promise<number> {
  return Number((await f.db.pool.query(sql.replaceAll('S.', `"${f.db.schema}".`), values)).rows[0].n);
}

/** A run's list request for the window that reaches the account's now (not listen's change feed, which includes incidents). */
const lastWindowOf = (path: string) => (method: string, url: URL) =>
  method === 'GET' && url.pathname === path && !url.searchParams.getAll('include[]').includes('incidents') && Date.parse(url.searchParams.get('until') ?? '') > DATA_END.getTime();

describe('runs and pdsync listen never undo each other', () => {
  let f: SyncFixture;
  /** Incidents created early, open again: they lie in windows a run reads first. */
  let reopened: string[];
  before(async () => {
    f = await syncFixture({ name: 'runlisten', sim: { volume: { incidents: 300 } }, inputs: { rate: 200, concurrency: 4 }, replication });
    withWebhookSecret(f);
    const oldest = [...f.sim.dataset.records('incidents')].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at))).slice(0, 12);
    const user = [...f.sim.dataset.records('users')][0]!;
    const assignee = { id: user.id, type: 'user_reference', summary: user.name, self: user.self, html_url: user.html_url };
    for (const r of oldest) {
      f.sim.dataset.updateRecord('incidents', String(r.id), { status: 'triggered', resolved_at: null, acknowledgements: [], assignments: [{ at: r.created_at, assignee }] });
    }
    reopened = oldest.map((r) => String(r.id));
    const r = await f.run([], LISTEN_ENV);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await f.close();
  });

  test('a full refresh publishing after listen applied creations, acknowledgements and resolutions keeps them, also once the queue has drained', async () => {
    const l = await startListener(f);
    try {
      f.sim.clock.advance(3_600_000);
      const windows = timeWindows(ANCHOR, f.sim.clock.now(), 180).length;
      const holds = [f.sim.hold(lastWindowOf('/incidents')), f.sim.hold(lastWindowOf('/log_entries'))];
      const run = f.start([], LISTEN_ENV);
      try {
        // The run has read every window but the last of both streams: its copies of the early incidents are staged.
        await Promise.all(holds.map((h) => h.arrived));
        const done = (stream: string) => (run.output.stderr.match(new RegExp(`^(?:\\d\\d:\\d\\d:\\d\\d )?${stream}: window .* done`, "gm")) ?? []).length;
        await eventually('the earlier windows are read', async () => done('incidents') === windows - 1 && done('log_entries') === windows - 1);
        f.sim.clock.advance(60_000);
        const from = f.sim.webhooks.emitted.length;
        const added = f.sim.dataset.addIncidents(3);
        f.sim.clock.advance(60_000);
        for (const id of reopened.slice(0, 6)) f.sim.dataset.acknowledgeIncident(id);
        for (const id of [...reopened.slice(6), added[0]!]) f.sim.dataset.resolveIncident(id);
        const events = f.sim.webhooks.emitted.slice(from).map((e) => e.webhookId);
        await f.sim.webhooks.settled();
        await eventually('listen applied every event', async () => (await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events WHERE webhook_id = ANY($1)', [events])) === events.length && l.queued() === 0, 60_000);
        assert.equal(await count(f, `SELECT count(*) AS n FROM S.incidents WHERE id = ANY($1) AND status <> 'triggered'`, [reopened]), reopened.length, 'listen wrote the changes');
        assert.equal(run.child.exitCode, null, 'the run is still reading');
        for (const h of holds) h.release();
        const r = await run.done;
        assert.equal(r.code, 0, r.stderr);
      } finally {
        for (const h of holds) h.release();
        await run.done.catch(() => undefined);
      }
      const after = await incidentsBoth(f);
      assert.deepEqual(after.landed, after.truth, 'every incident as the source has it: new ones kept, statuses not put back');
      assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'), 'the log entries listen wrote are kept');
    } finally {
      const stopped = await l.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
    }
    const drained = await incidentsBoth(f);
    assert.deepEqual(drained.landed, drained.truth, 'and so after listen has stopped');
    assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'));
    assert.equal(await count(f, 'SELECT count(*) AS n FROM S.incident_metrics m JOIN S.incidents i ON i.id = m.incident_id WHERE m.status IS DISTINCT FROM i.status'), 0, 'incident_metrics agrees');
    assert.equal(await count(f, 'SELECT count(*) AS n FROM S.incident_metrics'), f.truth('incidents').length);
  });

  test('a full refresh that waited for another run\'s lock keeps the incidents listen created while it waited', async () => {
    const l = await startListener(f);
    const holder = new pg.Client({ connectionString: f.db.url });
    await holder.connect();
    try {
      f.sim.clock.advance(3_600_000);
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [`pdsync:${f.db.schema}.incidents`]);
      const run = f.start([], LISTEN_ENV);
      try {
        await eventually('the run waits for the lock', async () => /incidents: waiting for another pdsync run writing/.test(run.output.stderr));
        f.sim.clock.advance(60_000);
        const from = f.sim.webhooks.emitted.length;
        const added = f.sim.dataset.addIncidents(2);
        const events = f.sim.webhooks.emitted.slice(from).map((e) => e.webhookId);
        await f.sim.webhooks.settled();
        await eventually('listen applied them', async () => (await count(f, 'SELECT count(*) AS n FROM S.incidents WHERE id = ANY($1)', [added])) === added.length && l.queued() === 0, 60_000);
        assert.equal(await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events WHERE webhook_id = ANY($1)', [events]), events.length);
        await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [`pdsync:${f.db.schema}.incidents`]);
        const r = await run.done;
        assert.equal(r.code, 0, r.stderr);
      } finally {
        run.child.kill('SIGTERM');
        await run.done.catch(() => undefined);
      }
      const after = await incidentsBoth(f);
      assert.deepEqual(after.landed, after.truth, 'the incidents created after the run began are kept');
    } finally {
      await holder.end();
      const stopped = await l.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
    }
  });
});
