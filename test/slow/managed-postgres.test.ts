import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { RunSummary } from '../../src/summary/run-summary.js';
import { envYaml, pdsync, SIM_KEY } from '../support/cli.js';
import { databaseUrl } from '../support/database.js';
import { assertExact, only, onlyIn, type SyncFixture, syncFixture } from '../support/sync-fixture.js';
import { eventually, stderrMatching } from '../support/wait.js';

const q = pg.escapeIdentifier;

/**
 * A login role of the test's own (roles are the server's, not a database's: it is dropped after),
 * and the fixture's env.yaml pointed at the test database as that role.
 */
async function asRole(
  f: SyncFixture,
  setup: (role: string, admin: pg.Pool) => Promise<void>,
  inputs: Record<string, number> = { rate: 100, concurrency: 4 },
): Promise<{ role: string; drop(): Promise<void> }> {
  const role = `pdsync_r_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await f.db.pool.query(`CREATE ROLE ${q(role)} LOGIN`);
  await setup(role, f.db.pool);
  const url = new URL(databaseUrl(f.db.name));
  url.username = role;
  writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, url.toString(), inputs));
  return {
    role,
    async drop() {
      await f.db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()`, [role]);
      await f.db.pool.query(`DROP OWNED BY ${q(role)} CASCADE`);
      await f.db.pool.query(`DROP ROLE ${q(role)}`);
    },
  };
}

describe('on PostgreSQL as managed services run it', () => {
  test('a role with statement_timeout 5 s and idle_in_transaction_session_timeout 10 s loads a stream whose read takes longer', async () => {
    // One request a second: the incidents read takes about 15 s, longer than either timeout.
    const f = await syncFixture({ name: 'timeouts', replication: only('incidents') });
    const r = await asRole(
      f,
      async (role, admin) => {
        await admin.query(`ALTER ROLE ${q(role)} SET statement_timeout = '5s'`);
        await admin.query(`ALTER ROLE ${q(role)} SET idle_in_transaction_session_timeout = '10s'`);
        await admin.query(`GRANT CREATE ON DATABASE ${q(f.db.name)} TO ${q(role)}`);
      },
      { rate: 1, concurrency: 2 },
    );
    try {
      const run = await f.run(['--json']);
      assert.equal(run.code, 0, run.stderr);
      const took = (JSON.parse(run.stdout) as RunSummary).streams[0]!.durationMs;
      assert.ok(took > 10_000, `the read took ${took} ms: longer than both timeouts`);
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
    } finally {
      await r.drop();
      await f.close();
    }
  });

  test('under statement_timeout 2 s, a run waits for another run\'s table locks for longer than that (announced), and both runs, with child streams, land exactly', async () => {
    const f = await syncFixture({ name: 'lockwait', sim: { volume: { incidents: 150 } }, replication: onlyIn('incremental', 'incidents', 'incident_notes', 'incident_alerts') });
    const r = await asRole(f, async (role, admin) => {
      await admin.query(`ALTER ROLE ${q(role)} SET statement_timeout = '2s'`);
      await admin.query(`ALTER ROLE ${q(role)} SET lock_timeout = '1s'`);
      await admin.query(`GRANT CREATE ON DATABASE ${q(f.db.name)} TO ${q(role)}`);
    });
    try {
      // The first run is held in the middle of its notes: it keeps their table's lock until released.
      const hold = f.sim.hold((_, url) => url.pathname.endsWith('/notes'));
      const first = f.start();
      await hold.arrived;
      const second = f.start();
      await stderrMatching(second, /incident_notes: waiting for another pdsync run writing \S+\.incident_notes/);
      const waited = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event = 'advisory' AND now() - query_start > interval '4 s'`;
      await eventually('the second run has waited twice the statement_timeout', async () => (await f.db.pool.query(waited, [r.role])).rows[0].n > 0, 30_000);
      hold.release();
      const [a, b] = await Promise.all([first.done, second.done]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      await assertExact(f, ['incidents', 'incident_notes', 'incident_alerts']);
    } finally {
      await r.drop();
      await f.close();
    }
  });

  test('two first runs at once on a fresh database both succeed (no race creating schemas and tables)', async () => {
    for (let trial = 1; trial <= 3; trial++) {
      const f = await syncFixture({
        name: `race${trial}`,
        replication: (schema) =>
          `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}_a\nstreams:\n  users:\n  teams:\n  services:\n  tags:\n`,
      });
      try {
        writeFileSync(
          join(f.cwd, 'b.yaml'),
          `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${f.db.schema}.{stream_name}_b\nstreams:\n  users:\n  teams:\n  services:\n  tags:\n`,
        );
        const env = { PAGERDUTY_API_KEY: SIM_KEY };
        const [a, b] = await Promise.all([f.run(), pdsync(['run', 'b.yaml'], { cwd: f.cwd, env })]);
        assert.equal(a.code, 0, `trial ${trial}, run a: ${a.stderr}`);
        assert.equal(b.code, 0, `trial ${trial}, run b: ${b.stderr}`);
        for (const s of ['users', 'teams', 'services', 'tags']) {
          for (const suffix of ['a', 'b']) assert.deepEqual((await f.db.ids(`${s}_${suffix}`)).sort(), f.truth(s), `${s}_${suffix}`);
        }
      } finally {
        await f.close();
      }
    }
  });

  test('a role without CREATE on the database works with the schemas that exist; tables of another owner take rows, and new fields go to _pdsync_rejected', async () => {
    const f = await syncFixture({ name: 'least', replication: only('users', 'incidents') });
    try {
      // The owner (the test's admin) runs pdsync once: schemas, tables and bookkeeping exist.
      assert.equal((await f.run()).code, 0);
      const r = await asRole(f, async (role, admin) => {
        await admin.query(`REVOKE CREATE, TEMPORARY ON DATABASE ${q(f.db.name)} FROM PUBLIC`);
        await admin.query(`GRANT TEMPORARY ON DATABASE ${q(f.db.name)} TO ${q(role)}`);
        await admin.query(`GRANT USAGE ON SCHEMA pdsync, ${q(f.db.schema)} TO ${q(role)}`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pdsync, ${q(f.db.schema)} TO ${q(role)}`);
      });
      try {
        f.sim.dataset.addField('users', 'pronouns', () => 'they/them');
        const run = await f.run(['--json']);
        assert.equal(run.code, 0, run.stderr);
        const users = (JSON.parse(run.stdout) as RunSummary).streams.find((s) => s.stream === 'users')!;
        assert.ok(
          users.warnings.some((w) => /new fields "pronouns" have no column in \S+ and pdsync may not add one \(the table belongs to role postgres\): their values are kept in _pdsync_rejected/.test(w)),
          users.warnings.join('\n'),
        );
        const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM ${q(f.db.schema)}.users WHERE _pdsync_rejected->>'pronouns' = 'they/them'`);
        assert.equal(rows[0].n, f.truth('users').length);
        for (const s of ['users', 'incidents']) assert.deepEqual(await f.landed(s), f.truth(s), s);

        // A table it may not write names the privilege and the GRANT.
        await f.db.pool.query(`REVOKE DELETE ON ${q(f.db.schema)}.users FROM ${q(r.role)}`);
        const refused = await f.run(['--json']);
        assert.equal(refused.code, 1);
        const reason = (JSON.parse(refused.stdout) as RunSummary).streams.find((s) => s.stream === 'users')!.reason!;
        assert.match(reason, new RegExp(`role ${r.role} lacks DELETE on ${f.db.schema}\\.users: GRANT SELECT, INSERT, DELETE ON "${f.db.schema}"\\."users" TO "${r.role}"`));
      } finally {
        await r.drop();
      }
    } finally {
      await f.close();
    }
  });

  test('without CREATE on the database and no pdsync schema yet, the run says which GRANT it needs, and writes nothing', async () => {
    const f = await syncFixture({ name: 'nocreate', replication: only('users') });
    const r = await asRole(f, async (role, admin) => {
      await admin.query(`REVOKE CREATE ON DATABASE ${q(f.db.name)} FROM PUBLIC`);
      await admin.query(`GRANT CONNECT ON DATABASE ${q(f.db.name)} TO ${q(role)}`);
    });
    try {
      const run = await f.run();
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`schema pdsync does not exist and role ${r.role} may not create it: GRANT CREATE ON DATABASE "${f.db.name}" TO "${r.role}"`));
      assert.deepEqual(await f.db.relations(), []);
    } finally {
      await r.drop();
      await f.close();
    }
  });
});
