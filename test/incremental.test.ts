import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunSummary } from '../src/summary/run-summary.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';

const STREAMS = ['incidents', 'log_entries', 'notifications'];
const DAY = 86_400_000;

function requestsOf(stdout: string): Record<string, number> {
  const summary = JSON.parse(stdout) as RunSummary;
  return Object.fromEntries(summary.streams.map((s) => [s.stream, s.requests]));
}

/** Every incident's status in Postgres and in the simulator. */
async function statuses(f: SyncFixture): Promise<{ landed: Record<string, string>; truth: Record<string, string> }> {
  const { rows } = await f.db.pool.query(`SELECT id, status FROM "${f.db.schema}".incidents`);
  return {
    landed: Object.fromEntries(rows.map((r: { id: string; status: string }) => [r.id, r.status])),
    truth: Object.fromEntries([...f.sim.dataset.records('incidents')].map((r) => [String(r.id), String(r.status)])),
  };
}

describe('incremental sync of incidents, log entries and notifications', () => {
  let f: SyncFixture;
  let oldResolved: string;
  let oldAcknowledged: string;
  let rerun: Record<string, number>;

  before(async () => {
    f = await syncFixture({
      name: 'incr',
      replication: (schema) =>
        `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n${STREAMS.map((s) => `  ${s}:\n`).join('')}`,
    });
    // Two incidents from long before the first sync are still open when it runs.
    const old = [...f.sim.dataset.records('incidents')].filter((r) => Date.parse(String(r.created_at)) < f.sim.clock.now().getTime() - 400 * DAY);
    oldResolved = String(old[10]!.id);
    oldAcknowledged = String(old[20]!.id);
    const user = [...f.sim.dataset.records('users')][0]!;
    const assignee = { id: user.id, type: 'user_reference', summary: user.name, self: user.self, html_url: user.html_url };
    for (const r of [old[10]!, old[20]!]) {
      f.sim.dataset.updateRecord('incidents', String(r.id), {
        status: 'triggered',
        resolved_at: null,
        acknowledgements: [],
        assignments: [{ at: r.created_at, assignee }],
      });
    }
  });
  after(async () => {
    await f.close();
  });

  test('the first incremental run reads the whole history and saves a cursor per stream', async () => {
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    for (const s of STREAMS) assert.deepEqual(await f.landed(s), f.truth(s), s);
    const { rows } = await f.db.pool.query(
      `SELECT stream, cursor FROM pdsync.state WHERE object LIKE $1 ORDER BY stream`,
      [`${f.db.schema}.%`],
    );
    assert.deepEqual(rows.map((x: { stream: string }) => x.stream), ['incidents', 'log_entries', 'notifications']);
    const newestIncident = Math.max(...[...f.sim.dataset.records('incidents')].map((x) => Date.parse(String(x.created_at))));
    assert.equal((rows[0] as { cursor: Date }).cursor.getTime(), newestIncident, 'incidents cursor = largest created_at seen');
  });

  test('after time passes, old incidents resolved or acknowledged since show their new status, and new records land', async () => {
    f.sim.clock.advance(3_600_000);
    f.sim.dataset.resolveIncident(oldResolved);
    f.sim.dataset.acknowledgeIncident(oldAcknowledged);
    const added = f.sim.dataset.addIncidents(5);
    f.sim.clock.advance(60_000);

    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    for (const s of STREAMS) assert.deepEqual(await f.landed(s), f.truth(s), s);
    const { landed, truth } = await statuses(f);
    assert.deepEqual(landed, truth, 'every incident has the status the source has');
    assert.equal(landed[oldResolved], 'resolved');
    assert.equal(landed[oldAcknowledged], 'acknowledged');
    for (const id of added) assert.ok(id in landed, `new incident ${id} landed`);
    const requests = requestsOf(r.stdout);
    assert.ok(requests.incidents! <= 10, `the incremental incidents run made ${requests.incidents} requests`);
    // The progress lines agree with each other and with the summary: each window once, the change feed named as such.
    const windows = r.stderr.split('\n').filter((l) => /^incidents: window /.test(l)).map((l) => l.replace(/ done, \d+ rows$/, ''));
    assert.ok(windows.length > 0);
    assert.equal(new Set(windows).size, windows.length, `each window reported once:\n${windows.join('\n')}`);
    assert.match(r.stderr, /^incidents: \d+ records changed since the cursor, found through log_entries$/m);
    const incidents = (JSON.parse(r.stdout) as RunSummary).streams.find((s) => s.stream === 'incidents')!;
    const finished = new RegExp(`^incidents: finished, ${incidents.rowsWritten} rows( \\(${incidents.rowsRead} read, ${incidents.rowsRead - incidents.rowsWritten} of them repeats of a record already read\\))?(; ${incidents.rowsChanged} new or changed)?, ${incidents.requests} requests$`, 'm');
    assert.match(r.stderr, finished);
  });

  test('a rerun with no changes makes only a handful of requests and changes nothing', async () => {
    const before = await statuses(f);
    const cursors = (await f.db.pool.query('SELECT stream, cursor FROM pdsync.state WHERE object LIKE $1 ORDER BY stream', [`${f.db.schema}.%`])).rows;
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    rerun = requestsOf(r.stdout);
    const total = Object.values(rerun).reduce((a, b) => a + b, 0);
    assert.ok(total <= 10, `rerun made ${total} requests: ${JSON.stringify(rerun)}`);
    for (const s of STREAMS) assert.deepEqual(await f.landed(s), f.truth(s), s);
    assert.deepEqual((await statuses(f)).landed, before.landed);
    const after = (await f.db.pool.query('SELECT stream, cursor FROM pdsync.state WHERE object LIKE $1 ORDER BY stream', [`${f.db.schema}.%`])).rows;
    assert.deepEqual(after, cursors, 'cursors stay at the largest key seen');
  });

  test('an incident row changed after the run read it (a webhook applied meanwhile: a later updated_at) is not put back to the older copy', async () => {
    const table = `"${f.db.schema}".incidents`;
    const later = new Date(f.sim.clock.now().getTime() + 3_600_000);
    await f.db.pool.query(`UPDATE ${table} SET status = 'resolved', updated_at = $2 WHERE id = $1`, [oldAcknowledged, later]);
    f.sim.clock.advance(60_000);
    // Both come back through the change feed: one is newer in the table, the other is not.
    f.sim.dataset.addNote(oldAcknowledged, 'still looking');
    f.sim.dataset.addNote(oldResolved, 'postmortem');
    f.sim.dataset.updateRecord('incidents', oldResolved, { title: 'Renamed after the postmortem' });
    f.sim.clock.advance(60_000);
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const { rows } = await f.db.pool.query(`SELECT id, status, updated_at, title FROM ${table} WHERE id = ANY($1)`, [[oldAcknowledged, oldResolved]]);
    type Row = { id: string; status: string; updated_at: Date; title: string };
    const byId = new Map((rows as Row[]).map((x) => [x.id, x]));
    assert.equal(byId.get(oldAcknowledged)?.status, 'resolved', 'the newer row is kept');
    assert.equal(byId.get(oldAcknowledged)?.updated_at.getTime(), later.getTime());
    assert.equal(byId.get(oldResolved)?.title, 'Renamed after the postmortem', 'an older row is updated as before');
    await f.db.pool.query(`UPDATE ${table} SET updated_at = NULL WHERE id = $1`, [oldAcknowledged]);
  });

  test('state reset makes the next incremental run read the whole history again', async () => {
    const { pdsync } = await import('./support/cli.js');
    const reset = await pdsync(['state', 'reset', 'incidents'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: 'unused' } });
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stderr, `incidents: forgot the saved cursor of ${f.db.schema}.incidents; its next incremental run reads from anchor_date\n`);
    const show = await pdsync(['state', 'show'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: 'unused' } });
    assert.equal(show.code, 0, show.stderr);
    assert.doesNotMatch(show.stdout, new RegExp(`^incidents\\s+${f.db.schema}`, 'm'));
    assert.match(show.stdout, new RegExp(`^log_entries\\s+${f.db.schema}\\.log_entries\\s+cursor \\d{4}-`, 'm'));
    const r = await f.run(['--json', '--streams', 'incidents']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(requestsOf(r.stdout).incidents! > rerun.incidents!, 'a full history read');
    assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
  });
});
