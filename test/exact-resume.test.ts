import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { timeWindows } from '../src/source/time-windows.js';
import { incidentsBoth } from './support/listener.js';
import { DATA_END, onlyIn, type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { eventually } from './support/wait.js';

type Rec = Record<string, unknown>;
const ANCHOR = new Date('2020-01-01T00:00:00Z');
const STREAMS = ['incidents', 'log_entries', 'analytics_incidents'];

/** A run's request for the window that reaches the account's now, of a GET list or of the analytics POST. */
const lastWindow = (method: string, url: URL, body: string) => {
  const end = method === 'POST' ? (JSON.parse(body || '{}') as { filters?: { created_at_end?: string } }).filters?.created_at_end : url.searchParams.get('until');
  return Date.parse(end ?? '') > DATA_END.getTime() && !url.searchParams.getAll('include[]').includes('incidents');
};

/** Starts a run and kills it (SIGKILL) once every window but the last of each stream is staged. */
async function killBeforeLastWindows(f: SyncFixture): Promise<void> {
  const windows = timeWindows(ANCHOR, f.sim.clock.now(), 180).length;
  const hold = f.sim.hold(lastWindow);
  const run = f.start();
  try {
    const done = (stream: string) => (run.output.stderr.match(new RegExp(`^(?:\\d\\d:\\d\\d:\\d\\d )?${stream}: window .* done`, "gm")) ?? []).length;
    await eventually('every window but the last is staged', async () => STREAMS.every((s) => done(s) === windows - 1), 60_000);
    run.child.kill('SIGKILL');
    await run.done.catch(() => undefined);
  } finally {
    hold.release();
  }
}

/** Analytics figures a resolution moves, by incident, in Postgres and in the simulator. */
async function analyticsBoth(f: SyncFixture): Promise<{ landed: Rec; truth: Rec }> {
  const shape = (r: Rec) => [r.status, r.resolved_at === null || r.resolved_at === undefined ? null : new Date(r.resolved_at as string).getTime(), r.seconds_to_resolve === null ? null : Number(r.seconds_to_resolve)];
  const { rows } = await f.db.pool.query(`SELECT id, status, resolved_at, seconds_to_resolve FROM "${f.db.schema}".analytics_incidents`);
  return {
    landed: Object.fromEntries((rows as Rec[]).map((r) => [String(r.id), shape(r)])),
    truth: Object.fromEntries([...f.sim.dataset.records('analytics_incidents')].map((r) => [String(r.id), shape(r)])),
  };
}

describe('a resumed load publishes what a fresh run would', () => {
  let f: SyncFixture;
  /** The oldest incidents, open again: the killed run stages them open. */
  let reopened: string[];
  /** Incidents of a later window, deleted at the source after the kill. */
  let doomed: string[];
  before(async () => {
    f = await syncFixture({ name: 'exactresume', sim: { volume: { incidents: 600 } }, inputs: { rate: 2000, concurrency: 8 }, replication: onlyIn('full-refresh', ...STREAMS) });
    const byAge = [...f.sim.dataset.records('incidents')].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
    const user = [...f.sim.dataset.records('users')][0]!;
    const assignee = { id: user.id, type: 'user_reference', summary: user.name, self: user.self, html_url: user.html_url };
    reopened = byAge.slice(0, 30).map((r) => String(r.id));
    for (const r of byAge.slice(0, 30)) {
      f.sim.dataset.updateRecord('incidents', String(r.id), { status: 'triggered', resolved_at: null, acknowledgements: [], assignments: [{ at: r.created_at, assignee }] });
    }
    doomed = byAge.filter((r) => String(r.created_at) >= '2025-07-01' && String(r.created_at) < '2025-11-01').slice(0, 40).map((r) => String(r.id));
    assert.equal(doomed.length, 40);
  });
  after(async () => {
    await f.close();
  });

  test('killed mid-run, then 40 incidents deleted and 30 resolved at the source: the rerun lands exactly the source, analytics included', async () => {
    f.sim.clock.advance(3_600_000);
    await killBeforeLastWindows(f);
    f.sim.clock.advance(60_000);
    for (const id of doomed) f.sim.dataset.deleteRecord('incidents', id);
    for (const id of reopened) f.sim.dataset.resolveIncident(id);
    f.sim.clock.advance(60_000);
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /log_entries: started \(full-refresh -> \S+, from \S+, resuming \d+ windows staged at /, 'log entries (append-only, counts unchanged) are resumed');
    assert.match(r.stderr, /incidents: \d+ of \d+ windows a killed run staged list other records now \(deleted, or listed late\): reading them again/);
    assert.match(r.stderr, /incidents: started \(full-refresh -> \S+, from \S+, resuming \d+ windows/, 'incidents keep the windows still counted the same');
    assert.match(r.stderr, /analytics_incidents: a killed run's staged windows were dropped: analytics_incidents records change without a change feed to prove them current; reading afresh/);
    const incidents = await incidentsBoth(f);
    assert.deepEqual(incidents.landed, incidents.truth, 'no deleted incident back, every resolved one resolved');
    assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'));
    const analytics = await analyticsBoth(f);
    assert.deepEqual(analytics.landed, analytics.truth, 'analytics_incidents as the source has them');
    const { rows } = await f.db.pool.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE m.status IS DISTINCT FROM i.status OR m.resolved_at IS DISTINCT FROM i.resolved_at)::int AS differ
       FROM "${f.db.schema}".incident_metrics m LEFT JOIN "${f.db.schema}".incidents i ON i.id = m.incident_id`,
    );
    assert.deepEqual(rows[0], { n: f.truth('incidents').length, differ: 0 }, 'incident_metrics agrees with the incidents');
  });

  test('staging a killed run left for a table the replication no longer loads is dropped at the next run, whichever streams it runs, with a line', async () => {
    f.sim.clock.advance(3_600_000);
    await killBeforeLastWindows(f);
    const loads = async () => (await f.db.pool.query('SELECT stream, object, staging, replication FROM pdsync.loads ORDER BY stream')).rows as Rec[];
    const left = await loads();
    assert.deepEqual(left.map((l) => l.stream), STREAMS.slice().sort(), 'the killed run left its staging');
    // Another replication's staging: a recent one is its own to resume; one over a day old is dropped by any run.
    await f.db.pool.query(`CREATE UNLOGGED TABLE pdsync._stage_other_recent (id text)`);
    await f.db.pool.query(`CREATE UNLOGGED TABLE pdsync._stage_other_old (id text)`);
    await f.db.pool.query(
      `INSERT INTO pdsync.loads (stream, object, mode, staging, run_id, until, started_at, replication) VALUES
       ('users', 'elsewhere.users', 'full-refresh', '_stage_other_recent', 'r1', now(), now() - interval '1 hour', '/other/replication.yaml'),
       ('teams', 'elsewhere.teams', 'full-refresh', '_stage_other_old', 'r2', now(), now() - interval '2 days', '/other/replication.yaml')`,
    );
    writeFileSync(join(f.cwd, 'replication.yaml'), `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: full-refresh\n  object: ${f.db.schema}.{stream_name}\nstreams:\n  incidents: {object: ${f.db.schema}.incidents_v2}\n  log_entries:\n  analytics_incidents:\n`);
    const r = await f.run(['--streams', 'log_entries']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^run: dropped the staging a killed run left for incidents -> ${f.db.schema}\\.incidents: \\S+replication\\.yaml no longer loads incidents into ${f.db.schema}\\.incidents$`, 'm'));
    assert.match(r.stderr, /^run: dropped the staging a killed run left for teams -> elsewhere\.teams: staged over 24 hours ago, too old to resume$/m);
    const after = await loads();
    assert.deepEqual(after.map((l) => `${l.stream} ${l.object}`), ['analytics_incidents ' + `${f.db.schema}.analytics_incidents`, 'users elsewhere.users']);
    const staging = (await f.db.pool.query(`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pdsync' AND c.relkind = 'r' AND relname LIKE '\\_stage\\_%' ORDER BY 1`)).rows.map((x: Rec) => x.relname);
    assert.deepEqual(staging, [...after.map((l) => String(l.staging))].sort(), 'no staging table without its row in pdsync.loads');
  });
});
