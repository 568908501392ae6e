import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { only, syncFixture } from './support/sync-fixture.js';
import { stderrMatching } from './support/wait.js';

/** pdsync's staging tables in the target, and the loads pdsync.loads keeps for a rerun. */
async function leftovers(f: Awaited<ReturnType<typeof syncFixture>>) {
  const tables = await f.db.pool.query<{ t: string }>(`SELECT relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'pdsync' AND relname LIKE '\\_stage\\_%' AND relkind = 'r'`);
  const loads = await f.db.pool.query<{ stream: string; parts: number }>('SELECT stream, cardinality(parts_done) AS parts FROM pdsync.loads ORDER BY stream');
  return { staging: tables.rows.length, loads: loads.rows };
}

/** A failed run leaves nothing to clean: staging tables stay only when they hold finished windows a rerun can use. */
describe('a failed run leaves nothing to clean', () => {
  test('a stream that fails before finishing a part leaves no staging table and no entry in pdsync.loads', async () => {
    const f = await syncFixture({ name: 'noleft', sim: { faults: { rate: 1, kinds: ['http500'], paths: ['/users'] } }, inputs: { max_attempts: 2 }, replication: only('users', 'teams') });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /users: failed: GET \/users/);
      assert.deepEqual(await leftovers(f), { staging: 0, loads: [] });
      assert.deepEqual(await f.landed('teams'), f.truth('teams'), 'the other stream landed');
    } finally {
      await f.close();
    }
  });

  test('a stream that fails after finishing windows keeps them for the rerun, which uses them and leaves nothing', async () => {
    const f = await syncFixture({ name: 'keepleft', sim: { latencyMs: 40 }, inputs: { max_attempts: 1, concurrency: 1 }, replication: only('incidents') });
    try {
      const run = f.start();
      // A window of more than a page: a rerun keeps it after counting it again (smaller ones it reads again outright).
      await stderrMatching(run, /incidents: window \S+ \.\. \S+ done, [1-9]\d{2,} rows/);
      f.sim.setFaults({ rate: 1, kinds: ['http500'], paths: ['/incidents'] });
      const r = await run.done;
      assert.equal(r.code, 1, r.stderr);
      const left = await leftovers(f);
      assert.equal(left.staging, 1, 'the staging table with its finished windows');
      assert.equal(left.loads.length, 1);
      assert.ok(left.loads[0]!.parts > 0, 'pdsync.loads lists the finished windows');
      f.sim.setFaults(undefined);
      const rerun = await f.run();
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stderr, /resuming \d+ windows staged at /);
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
      assert.deepEqual(await leftovers(f), { staging: 0, loads: [] });
    } finally {
      await f.close();
    }
  });
});
