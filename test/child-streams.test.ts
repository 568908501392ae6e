import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunSummary } from '../src/summary/run-summary.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pdsync, SIM_KEY } from './support/cli.js';
import { onlyIn, type SyncFixture, syncFixture } from './support/sync-fixture.js';

const CHILDREN = ['incident_notes', 'incident_alerts'];

const summaryOf = (stdout: string) => JSON.parse(stdout) as RunSummary;
const byStream = (stdout: string) => Object.fromEntries(summaryOf(stdout).streams.map((s) => [s.stream, s]));
/** Requests the simulator answered for one incident's notes or alerts. */
const perIncident = (f: SyncFixture) => f.sim.requests.filter((q) => /^\/incidents\/[^/]+\/(notes|alerts)$/.test(q.path));

describe('child streams: one request per parent, and only for changed parents after the first run', () => {
  let f: SyncFixture;
  /** Two incidents still open when the first run reads them, resolved later. */
  let open: string[];
  before(async () => {
    f = await syncFixture({
      name: 'children',
      sim: { volume: { incidents: 400 } },
      inputs: { rate: 2000, concurrency: 8 },
      replication: (schema) =>
        `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  incident_notes:\n  incident_alerts:\n  team_members:\n`,
    });
    const user = [...f.sim.dataset.records('users')][0]!;
    const assignee = { id: user.id, type: 'user_reference', summary: user.name, self: user.self, html_url: user.html_url };
    const picked = [...f.sim.dataset.records('incidents')].slice(50, 52);
    for (const r of picked) {
      f.sim.dataset.updateRecord('incidents', String(r.id), { status: 'triggered', resolved_at: null, acknowledgements: [], assignments: [{ at: r.created_at, assignee }] });
    }
    open = picked.map((r) => String(r.id));
  });
  after(async () => {
    await f.close();
  });

  test('--dry-run says a first run takes a request per incident, and how many incidents there are once they are synced', async () => {
    const r = await f.run(['--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^incident_notes\s+incremental\s+-> \S+\s+one request \(or more\) per incidents record\s+\(at least \d+ requests, plus one per incidents record; idle rerun 2\)$/m);
    assert.match(r.stdout, /^cost at 2000 requests\/s: this run at least \d+ requests \(at least \d+ s\); a later run with nothing changed at least \d+ requests/m);
  });

  test('the first run reads every incident\'s notes and alerts and every team\'s members, exactly, each row carrying its parent\'s key', async () => {
    f.sim.resetLog();
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    for (const s of [...CHILDREN, 'team_members']) assert.deepEqual(await f.landed(s), f.truth(s), s);
    const incidents = f.sim.dataset.count('incidents');
    assert.equal(new Set(perIncident(f).filter((q) => q.path.endsWith('/notes')).map((q) => q.path)).size, incidents, 'notes read for every incident');
    assert.match(r.stderr, new RegExp(`^incident_notes: ${incidents} incidents to read it for, one request \\(or more\\) each$`, 'm'));
    const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM "${f.db.schema}".incident_alerts a WHERE a.incident_id <> a.incident->>'id'`);
    assert.equal(rows[0].n, 0, 'incident_id is the incident the alert belongs to');
    const members = byStream(r.stdout).team_members!;
    assert.equal(members.status, 'ok');
  });

  test('once synced, --dry-run counts the incidents: a full refresh of notes would cost one request each; an idle rerun costs a few', async () => {
    const incidents = f.sim.dataset.count('incidents');
    const r = await f.run(['--dry-run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { streams: { stream: string; cost: { this_run: { requests: number }; idle_run: { requests: number } } }[]; cost: { idle_run: { requests: number } } };
    const notes = plan.streams.find((s) => s.stream === 'incident_notes')!;
    assert.ok(notes.cost.idle_run.requests <= 2, `an idle rerun of notes costs ${notes.cost.idle_run.requests} requests`);
    assert.ok(plan.cost.idle_run.requests <= 6, `an idle rerun costs ${plan.cost.idle_run.requests} requests`);
    // With incidents synced beside them, the dry run knows how many parents a full refresh reads.
    writeFileSync(join(f.cwd, 'with-incidents.yaml'), readFileSync(join(f.cwd, 'replication.yaml'), 'utf8').replace('streams:\n', 'streams:\n  incidents:\n'));
    const synced = await pdsync(['run', 'with-incidents.yaml'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(synced.code, 0, synced.stderr);
    const full = await pdsync(['run', 'with-incidents.yaml', '--dry-run', '--mode', 'full-refresh'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.match(full.stdout, new RegExp(`^incident_notes\\s+full-refresh .* \\(${incidents} incidents synced now\\)\\s+\\(about (\\d+) requests;`, 'm'));
    const requests = Number(/^incident_notes\s+full-refresh .*\(about (\d+) requests;/m.exec(full.stdout)![1]);
    assert.ok(requests >= incidents, `a full refresh of notes reads each of the ${incidents} incidents: ${requests} requests`);
  });

  test('an idle rerun reads no incident\'s notes or alerts', async () => {
    f.sim.resetLog();
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(perIncident(f).map((q) => q.path), []);
    for (const s of CHILDREN) assert.deepEqual(await f.landed(s), f.truth(s), s);
  });

  test('after 10 incidents change and 3 are created, a rerun reads the children of those 13 only, and lands exactly', async () => {
    f.sim.clock.advance(3_600_000);
    const old = f.sim.dataset.ids('incidents').filter((id) => !open.includes(id)).slice(0, 8);
    for (const id of old) f.sim.dataset.addNote(id, `postmortem note for ${id}`);
    for (const id of open) f.sim.dataset.resolveIncident(id);
    const added = f.sim.dataset.addIncidents(3);
    f.sim.clock.advance(60_000);
    f.sim.resetLog();
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const read = new Set(perIncident(f).map((q) => q.path.split('/')[2]!));
    assert.deepEqual([...read].sort(), [...old, ...open, ...added].sort(), 'exactly the changed and new incidents');
    for (const s of CHILDREN) assert.deepEqual(await f.landed(s), f.truth(s), s);
  });
});

describe('change events, audit records and PagerDuty Analytics', () => {
  const only = (...streams: string[]) => onlyIn('incremental', ...streams);

  test('change_events (offset, windowed), audit_records (cursor, 31-day windows) and analytics_incidents (POST, starting_after) land exactly, and again after time passes', async () => {
    const f = await syncFixture({ name: 'newstreams', inputs: { rate: 2000, concurrency: 8, anchor_date: '2025-06-01T00:00:00Z' }, replication: only('change_events', 'audit_records', 'analytics_incidents') });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const range = { since: new Date('2025-06-01T00:00:00Z') };
      const truth = (s: string) => f.sim.dataset.ids(s, range).sort();
      for (const s of ['change_events', 'audit_records', 'analytics_incidents']) assert.deepEqual(await f.landed(s), truth(s), s);
      assert.ok(f.sim.requests.some((q) => q.method === 'POST' && q.path === '/analytics/raw/incidents'));
      assert.ok(f.sim.requests.filter((q) => q.path === '/audit/records').every((q) => !/offset=/.test(q.query)), 'audit records are paged by cursor');
      f.sim.clock.advance(3_600_000);
      f.sim.dataset.addIncidents(4);
      f.sim.clock.advance(60_000);
      const again = await f.run(['--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await f.landed('analytics_incidents'), truth('analytics_incidents'));
    } finally {
      await f.close();
    }
  });

  test('analytics_incidents agree with the incidents they describe: seconds to resolve is resolved_at - created_at', async () => {
    const f = await syncFixture({ name: 'analytics', inputs: { rate: 2000, concurrency: 8 }, replication: only('incidents', 'analytics_incidents') });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const { rows } = await f.db.pool.query(
        `SELECT count(*)::int AS n FROM "${f.db.schema}".analytics_incidents a JOIN "${f.db.schema}".incidents i ON i.id = a.id
         WHERE a.seconds_to_resolve IS DISTINCT FROM extract(epoch FROM i.resolved_at - i.created_at)::bigint`,
      );
      assert.equal(rows[0].n, 0);
    } finally {
      await f.close();
    }
  });

  test('audit records on a plan without them (402) are skipped with a warning; the run exits 0', async () => {
    const f = await syncFixture({ name: 'auditgate', sim: { gates: { audit_records: 402 } }, replication: only('audit_records', 'change_events') });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = byStream(r.stdout);
      assert.equal(s.audit_records!.status, 'skipped');
      assert.match(s.audit_records!.reason!, /402.*lacks audit records/);
      assert.equal(s.change_events!.status, 'ok');
    } finally {
      await f.close();
    }
  });
});

describe('fan-out streams are chosen, not inherited', () => {
  let f: SyncFixture;
  const plan = async (args: string[] = []) => {
    const r = await f.run(['--dry-run', '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries((JSON.parse(r.stdout) as { streams: { stream: string; mode: string }[] }).streams.map((s) => [s.stream, s.mode]));
  };
  const replicate = (streams: string) =>
    writeFileSync(join(f.cwd, 'replication.yaml'), `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: full-refresh\n  object: ${f.db.schema}.{stream_name}\nstreams:\n${streams}`);
  before(async () => {
    f = await syncFixture({ name: 'fanout', sim: { volume: { incidents: 120 } }, inputs: { rate: 2000, concurrency: 8 } });
  });
  after(async () => {
    await f.close();
  });

  test("'*' selects every stream but the fan-out ones, which --streams names only when the replication does", async () => {
    replicate("  '*':\n");
    const modes = await plan();
    assert.deepEqual(Object.keys(modes).sort(), Object.keys(f.catalogue.streams).filter((s) => !f.catalogue.streams[s]!.parent?.fan_out).sort());
    assert.ok('team_members' in modes, 'a child of a short list (teams) is not fan-out');
    const r = await f.run(['--streams', 'incident_notes']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"incident_notes" is a fan-out stream \(one request per incidents record\), which '\*' does not select: name it under streams: in replication\.yaml/);
  });

  test('defaults.mode full-refresh does not reach a named fan-out stream; its own entry or --mode does', async () => {
    replicate("  '*':\n  incident_notes:\n  incident_alerts: {mode: full-refresh}\n");
    const modes = await plan();
    assert.equal(modes.incident_notes, 'incremental');
    assert.equal(modes.incident_alerts, 'full-refresh');
    assert.equal(modes.incidents, 'full-refresh');
    assert.equal((await plan(['--mode', 'full-refresh'])).incident_notes, 'full-refresh');
  });

  test('sibling fan-out streams read their parents once, and a re-read parent\'s children replace its old ones', async () => {
    replicate('  incident_notes:\n  incident_alerts:\n');
    f.sim.resetLog();
    const first = await f.run();
    assert.equal(first.code, 0, first.stderr);
    const incidentPages = f.sim.requests.filter((q) => q.path === '/incidents').length;
    replicate('  incident_notes:\n');
    const alone = await testDatabaseRun(f);
    assert.equal(incidentPages, alone, 'notes and alerts together list incidents as often as notes alone');
    replicate('  incident_notes:\n  incident_alerts:\n');
    // A note deleted at the source (its annotate entry gone), then its incident changes: the next run drops the note.
    const entries = [...f.sim.dataset.records('log_entries')].filter((e) => e.type === 'annotate_log_entry');
    const gone = entries[0]!;
    const incident = String((gone.incident as Record<string, unknown>).id);
    const notesBefore = (await f.landed('incident_notes')).length;
    f.sim.dataset.deleteRecord('log_entries', String(gone.id));
    f.sim.clock.advance(3_600_000);
    f.sim.dataset.addNote(incident, 'a later note');
    f.sim.clock.advance(60_000);
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await f.landed('incident_notes'), f.truth('incident_notes'));
    assert.equal((await f.landed('incident_notes')).length, notesBefore, 'one note gone, one added');
    const notes = summaryOf(r.stdout).streams.find((s) => s.stream === 'incident_notes')!;
    assert.equal(notes.rowsRemoved, 1);
  });
});

describe('long reads speak', () => {
  test('without a terminal, a fan-out read silent for a while prints where it is: parents done of total, requests, rows, rate, time left', async () => {
    const f = await syncFixture({ name: 'speaks', sim: { volume: { incidents: 60 }, latencyMs: 40 }, inputs: { rate: 2000, concurrency: 1 }, replication: onlyIn('incremental', 'incident_notes') });
    try {
      const r = await f.run([], { PAGERDUTY_API_KEY: SIM_KEY, PDSYNC_PROGRESS_EVERY: '0.5' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^incident_notes: reading for \d+s: \d+\/\d+ incidents done, \d+ requests, \d+ rows, [\d.]+ requests\/s, about \d+s left$/m);
      assert.deepEqual(await f.landed('incident_notes'), f.truth('incident_notes'));
      const bad = await f.run([], { PAGERDUTY_API_KEY: SIM_KEY, PDSYNC_PROGRESS_EVERY: 'soon' });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^pdsync: PDSYNC_PROGRESS_EVERY=soon: expected a number of seconds above 0 \(default 30\)$/m);
    } finally {
      await f.close();
    }
  });
});

/** Requests to /incidents of a first run of the replication into a schema of its own (a fresh first run, as the one it is compared with). */
async function testDatabaseRun(f: SyncFixture): Promise<number> {
  const yaml = readFileSync(join(f.cwd, 'replication.yaml'), 'utf8').replace(`${f.db.schema}.{stream_name}`, `${f.db.schema}_alone.{stream_name}`);
  writeFileSync(join(f.cwd, 'alone.yaml'), yaml);
  f.sim.resetLog();
  const r = await pdsync(['run', 'alone.yaml'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
  assert.equal(r.code, 0, r.stderr);
  return f.sim.requests.filter((q) => q.path === '/incidents').length;
}
