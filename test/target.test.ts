import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunSummary } from '../src/summary/run-summary.js';
import { columnName } from '../src/sinks/postgres/tables/column-names.js';
import { onlyIn as only, type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { eventually, stderrMatching } from './support/wait.js';

async function columnTypes(f: SyncFixture, table: string): Promise<Record<string, string>> {
  const { rows } = await f.db.pool.query(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [f.db.schema, table],
  );
  return Object.fromEntries(rows.map((r: { column_name: string; data_type: string }) => [r.column_name, r.data_type]));
}

async function cursorOf(f: SyncFixture, stream: string): Promise<number | undefined> {
  const { rows } = await f.db.pool.query('SELECT cursor FROM pdsync.state WHERE stream = $1 AND object = $2', [
    stream,
    `${f.db.schema}.${stream}`,
  ]);
  return (rows[0] as { cursor: Date } | undefined)?.cursor.getTime();
}

describe('the Postgres target', () => {
  test('columns take the catalogue\'s types, the key is the primary key, and comments document the table', async () => {
    const f = await syncFixture({ name: 'types', replication: only('full-refresh', 'incidents', 'oncalls') });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const types = await columnTypes(f, 'incidents');
      for (const [column, spec] of Object.entries(f.catalogue.streams.incidents!.columns)) {
        const expected = spec.type === 'timestamptz' ? 'timestamp with time zone' : spec.type;
        assert.equal(types[columnName(column, 'normalize')], expected, column);
      }
      assert.equal(types._pdsync_loaded_at, 'timestamp with time zone');
      assert.equal(types._pdsync_rejected, 'jsonb');
      const { rows: keys } = await f.db.pool.query(
        `SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indisprimary AND n.nspname = $1 ORDER BY 1`,
        [f.db.schema],
      );
      assert.deepEqual(keys, [{ relname: 'incidents', attname: 'id' }, { relname: 'oncalls', attname: '_pdsync_key' }]);
      const { rows: docs } = await f.db.pool.query(
        `SELECT obj_description($1::regclass, 'pg_class') AS t, col_description($1::regclass, 3) AS c3,
                (SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum = 3) AS n3`,
        [`"${f.db.schema}".incidents`],
      );
      assert.equal(docs[0].t, f.catalogue.streams.incidents!.description);
      assert.equal(docs[0].c3, f.catalogue.streams.incidents!.columns[docs[0].n3]!.description);
    } finally {
      await f.close();
    }
  });

  test('a new field adds a column, a vanished field leaves NULL, a misfit value is kept in _pdsync_rejected', async () => {
    const f = await syncFixture({ name: 'evolve', replication: only('full-refresh', 'incidents') });
    try {
      assert.equal((await f.run()).code, 0);
      const [odd, bare] = f.sim.dataset.ids('incidents');
      f.sim.dataset.addField('incidents', 'customer_tier', (rec) => (Number(rec.incident_number) % 2 ? 'gold' : 'silver'));
      f.sim.dataset.addField('incidents', 'impact_score', (rec) => Number(rec.incident_number) * 10);
      f.sim.dataset.updateRecord('incidents', odd!, { incident_number: 'INC-12' });
      f.sim.dataset.updateRecord('incidents', bare!, { urgency: undefined });

      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const warnings = (JSON.parse(r.stdout) as RunSummary).streams[0]!.warnings.join('\n');
      assert.match(warnings, /new fields? .*"customer_tier"/);
      assert.match(warnings, /column incident_number: value "INC-12" does not fit/);
      const types = await columnTypes(f, 'incidents');
      assert.equal(types.customer_tier, 'text');
      assert.equal(types.impact_score, 'bigint');
      assert.equal(types.urgency, 'text', 'a vanished field keeps its column');
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
      const { rows } = await f.db.pool.query(
        `SELECT id, incident_number, urgency, customer_tier, impact_score, _pdsync_rejected FROM "${f.db.schema}".incidents WHERE id = ANY($1) ORDER BY id = $2 DESC`,
        [[odd, bare], odd],
      );
      assert.deepEqual(rows[0]._pdsync_rejected, { incident_number: 'INC-12' });
      assert.equal(rows[0].incident_number, null);
      assert.equal(rows[1].urgency, null);
      const truth = Object.fromEntries([...f.sim.dataset.records('incidents')].map((x) => [x.id, x]));
      assert.equal(rows[1].customer_tier, truth[bare!]!.customer_tier);
      assert.equal(String(rows[1].impact_score), String(truth[bare!]!.impact_score));
      const { rows: all } = await f.db.pool.query(`SELECT count(*)::int AS n FROM "${f.db.schema}".incidents WHERE customer_tier IS NULL`);
      assert.equal(all[0].n, 0, 'every row has the new field');

      const again = await f.run(['--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch((JSON.parse(again.stdout) as RunSummary).streams[0]!.warnings.join('\n'), /new field/);
    } finally {
      await f.close();
    }
  });

  test('a dependent view, a grant and an index survive a full refresh, and the view sees the new rows', async () => {
    const f = await syncFixture({ name: 'view', replication: only('full-refresh', 'users') });
    try {
      assert.equal((await f.run()).code, 0);
      const t = `"${f.db.schema}".users`;
      await f.db.pool.query(`CREATE VIEW "${f.db.schema}".user_count AS SELECT count(*)::int AS n FROM ${t}`);
      await f.db.pool.query(`CREATE INDEX users_email ON ${t} (email)`);
      await f.db.pool.query(`GRANT SELECT ON ${t} TO PUBLIC`);
      for (const id of f.sim.dataset.ids('users').slice(0, 3)) f.sim.dataset.deleteRecord('users', id);
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const { rows } = await f.db.pool.query(`SELECT n FROM "${f.db.schema}".user_count`);
      assert.equal(rows[0].n, f.truth('users').length);
      const { rows: grants } = await f.db.pool.query(
        `SELECT has_table_privilege('public', $1, 'SELECT') AS g, to_regclass($2) IS NOT NULL AS i`,
        [t, `"${f.db.schema}".users_email`],
      );
      assert.deepEqual(grants[0], { g: true, i: true });
      assert.deepEqual(await f.landed('users'), f.truth('users'));
    } finally {
      await f.close();
    }
  });

  test('readers see the old rows or the new rows during a full refresh, never a mix or an empty table', async () => {
    const f = await syncFixture({ name: 'readers', replication: only('full-refresh', 'incidents'), inputs: { rate: 20 } });
    try {
      assert.equal((await f.run()).code, 0);
      const before = f.truth('incidents').length;
      for (const id of f.sim.dataset.ids('incidents').slice(0, 7)) f.sim.dataset.deleteRecord('incidents', id);
      const after = f.truth('incidents').length;
      const run = f.start();
      const seen = new Set<number>();
      let finished = false;
      void run.done.then(() => (finished = true));
      // Back to back, as fast as the server answers, for the whole run.
      while (!finished) {
        const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM "${f.db.schema}".incidents`);
        seen.add(rows[0].n);
      }
      assert.equal((await run.done).code, 0);
      assert.ok([...seen].every((n) => n === before || n === after), `counts seen: ${[...seen].join(', ')}`);
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
    } finally {
      await f.close();
    }
  });

  test('a run killed while it stages or while it publishes leaves table and cursor as they were; the rerun is exact', async () => {
    const f = await syncFixture({ name: 'kill', replication: only('incremental', 'incidents'), inputs: { rate: 50 } });
    const backends = async (where: string) => {
      const { rows } = await f.db.pool.query(
        `SELECT pid, wait_event_type, query FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'pdsync' AND query ILIKE $1`,
        [where],
      );
      return rows as { pid: number; wait_event_type: string | null; query: string }[];
    };
    const assertUntouched = async (ids: string[], cursor: number | undefined, moment: string) => {
      // The server rolls the dead session back once it notices; wait for that before looking.
      await eventually('the killed sessions to end', async () => (await backends('%')).length === 0);
      assert.deepEqual(await f.landed('incidents'), ids, `rows unchanged after a kill ${moment}`);
      assert.equal(await cursorOf(f, 'incidents'), cursor, `cursor unchanged after a kill ${moment}`);
    };
    try {
      assert.equal((await f.run()).code, 0);
      const oldIds = await f.landed('incidents');
      const oldCursor = await cursorOf(f, 'incidents');
      f.sim.clock.advance(3_600_000);
      f.sim.dataset.addIncidents(30);
      f.sim.clock.advance(60_000);

      // Killed while pages are being read and staged.
      f.sim.setLatency(200);
      f.sim.resetLog();
      const reading = f.start();
      await f.sim.waitFor((e) => e.path === '/incidents');
      reading.child.kill('SIGKILL');
      await reading.done;
      await assertUntouched(oldIds, oldCursor, 'while staging');
      f.sim.setLatency(0);

      // A reader holding SHARE on the table stalls the publish, so the kill lands inside it.
      const blocker = await f.db.pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE "${f.db.schema}".incidents IN SHARE MODE`);
        const publishing = f.start();
        await eventually('the publish to wait on the lock', async () => (await backends('INSERT INTO%')).some((b) => b.wait_event_type === 'Lock'));
        publishing.child.kill('SIGKILL');
        await publishing.done;
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      await assertUntouched(oldIds, oldCursor, 'while publishing');

      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
      assert.ok((await cursorOf(f, 'incidents'))! > oldCursor!, 'the cursor moved with the rows');
    } finally {
      await f.close();
    }
  });

  test('a connection dropped during a load fails that stream with a message; the others finish; exit 1', async () => {
    const f = await syncFixture({ name: 'drop', sim: { latencyMs: 200 }, replication: only('full-refresh', 'users', 'incidents') });
    try {
      assert.equal((await f.run()).code, 0);
      f.sim.resetLog();
      const run = f.start(['--json']);
      await stderrMatching(run, /users: finished/);
      await f.sim.waitFor((e) => e.path === '/incidents');
      // Only this test's database: another suite's loads on the same server are none of its business.
      // The load's connection is the one holding the table's lock.
      const { rows } = await f.db.pool.query(
        `SELECT pg_terminate_backend(l.pid) AS t FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted
           AND l.objid::text::bigint = (hashtext($1)::bigint & 4294967295)`,
        [`pdsync:${f.db.schema}.incidents`],
      );
      assert.equal(rows.length, 1, 'the incidents load\'s connection was found and dropped');
      const r = await run.done;
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /Unhandled|\n\s+at /, 'no crash, no stack trace');
      const summary = JSON.parse(r.stdout) as RunSummary;
      const incidents = summary.streams.find((s) => s.stream === 'incidents')!;
      assert.equal(incidents.status, 'failed');
      assert.match(incidents.reason!, new RegExp(`${f.db.schema}\\.incidents: .*terminat`));
      assert.equal(summary.streams.find((s) => s.stream === 'users')!.status, 'ok');
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'), 'the old rows are intact');
    } finally {
      await f.close();
    }
  });

  test('two runs on the same tables serialize: the second waits, says so, and both land exactly', async () => {
    const f = await syncFixture({ name: 'lock', replication: only('full-refresh', 'users', 'incidents') });
    try {
      // The first run is held in the middle of its incidents: the second starts inside its load.
      const hold = f.sim.hold((_, url) => url.pathname === '/incidents');
      const first = f.start();
      await hold.arrived;
      const second = f.start();
      await stderrMatching(second, /incidents: waiting for another pdsync run writing/);
      hold.release();
      const [a, b] = await Promise.all([first.done, second.done]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      await Promise.all(['users', 'incidents'].map(async (s) => assert.deepEqual(await f.landed(s), f.truth(s), s)));
      const { rows } = await f.db.pool.query(
        `SELECT status, streams FROM pdsync.runs WHERE streams @> $1::jsonb ORDER BY started_at`,
        [JSON.stringify([{ object: `${f.db.schema}.users` }])],
      );
      assert.equal(rows.length, 2, 'both runs are in pdsync.runs');
      for (const run of rows) {
        assert.equal(run.status, 'ok');
        const users = (run.streams as { stream: string; rowsWritten: number; requests: number }[]).find((s) => s.stream === 'users')!;
        assert.equal(users.rowsWritten, f.truth('users').length);
        assert.ok(users.requests >= 1);
      }
    } finally {
      await f.close();
    }
  });
});
