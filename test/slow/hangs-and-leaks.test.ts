import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunSummary } from '../../src/summary/run-summary.js';
import { startEmbeddedPostgres } from '../../src/sinks/postgres/embedded/embedded-server.js';
import { envYaml, pdsync, SIM_KEY } from '../support/cli.js';
import { only, syncFixture } from '../support/sync-fixture.js';
import { tempDir } from '../support/temp.js';
import { eventually, stderrMatching } from '../support/wait.js';

describe('no hangs, no leaks', () => {
  test('a response body that trickles in a byte a second ends at the request timeout and is retried; the data is exact', { timeout: 120_000 }, async () => {
    const f = await syncFixture({
      name: 'trickle',
      sim: { faults: { seed: 5, rate: 0.3, kinds: ['trickle'], paths: ['/incidents'] } },
      inputs: { timeout: 1500, max_attempts: 10 },
      replication: only('incidents'),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok((JSON.parse(r.stdout) as RunSummary).streams[0]!.retries > 0, 'trickled responses were given up and retried');
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
    } finally {
      await f.close();
    }
  });

  test('a stream that fails on the database side stops its own requests at once', async () => {
    const f = await syncFixture({ name: 'cancel', sim: { latencyMs: 300 }, inputs: { rate: 50, concurrency: 4 }, replication: only('log_entries') });
    try {
      const run = f.run(['--json']);
      await f.sim.waitFor((e) => e.path === '/log_entries' && /offset=[1-9]/.test(e.query));
      const { rows } = await f.db.pool.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted AND l.objid::text::bigint = (hashtext($1)::bigint & 4294967295)`,
        [`pdsync:${f.db.schema}.log_entries`],
      );
      assert.equal(rows.length, 1);
      let after = 0;
      f.sim.events.on('arrive', (_m, path) => path === '/log_entries' && after++);
      const r = await run;
      assert.equal(r.code, 1);
      assert.match((JSON.parse(r.stdout) as RunSummary).streams[0]!.reason!, /connection to the target database was lost: terminating connection/);
      // Only requests already granted when the connection broke may still arrive: no new pages, no retries.
      assert.ok(after <= 4, `${after} requests arrived after the stream failed`);
    } finally {
      await f.close();
    }
  });

  test('SIGINT while a load waits on a table lock stops the run at once, cancels the wait server-side, and leaves nothing waiting', async () => {
    const f = await syncFixture({ name: 'lockwait', replication: only('users') });
    try {
      assert.equal((await f.run()).code, 0);
      const blocker = await f.db.pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE "${f.db.schema}".users IN ACCESS EXCLUSIVE MODE`);
        const run = f.start();
        const waiting = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pdsync' AND wait_event_type = 'Lock'`;
        await eventually('pdsync to wait on the lock', async () => (await f.db.pool.query(waiting)).rowCount! > 0);
        run.child.kill('SIGINT');
        // The run ends while the lock is still held: it did not wait for it.
        const r = await run.done;
        assert.equal(r.code, 130, r.stderr);
        assert.match(r.stderr, /INTERRUPTED/);
        const { rows } = await f.db.pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pdsync'`);
        assert.deepEqual(rows, [], 'no pdsync session is left, waiting or not');
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      assert.deepEqual(await f.landed('users'), f.truth('users'));
    } finally {
      await f.close();
    }
  });

  test('PostgreSQL dying mid-run: the summary is still printed, and the next run marks the dead run abandoned', async () => {
    const f = await syncFixture({ name: 'dying', sim: { latencyMs: 200 }, replication: only('users', 'incidents') });
    const dir = tempDir('pg');
    // Open to the server's OS user when the suite runs as root.
    chmodSync(dir, 0o755);
    let server = await startEmbeddedPostgres('db', dir);
    try {
      writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, server.url, { rate: 100 }));
      const run = f.start(['--json']);
      await stderrMatching(run, /users: finished/);
      await server.stop();
      const r = await run.done;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^FAILED: 1 of 2 streams/m, 'the summary ends the output');
      assert.match(r.stderr, /could not record the run in pdsync\.runs/);
      server = await startEmbeddedPostgres('db', dir);
      writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, server.url, { rate: 100 }));
      const again = await f.run();
      assert.equal(again.code, 0, again.stderr);
      const runs = await pdsync(['sql', 'select status from pdsync.runs order by started_at'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.deepEqual(runs.stdout.trim().split('\n').slice(2).map((l) => l.trim()), ['abandoned', 'ok']);
    } finally {
      await server.stop();
      await f.close();
    }
  });

  test('an error body that echoes the API key is scrubbed from pdsync.runs as from the terminal', async () => {
    const key = 'u+echoed-secret-key-77';
    const f = await syncFixture({ name: 'echo', sim: { apiKey: key, faults: { rate: 1, kinds: ['echo400'], paths: ['/teams'] } }, replication: only('users', 'teams') });
    try {
      const r = await f.run(['--json'], { PAGERDUTY_API_KEY: key });
      assert.equal(r.code, 1);
      const { rows } = await f.db.pool.query(`SELECT error, streams::text AS streams FROM pdsync.runs`);
      assert.equal(rows.length, 1);
      assert.match(rows[0].error, /teams: GET \/teams\?.*: 400 Invalid Input Provided: request header Authorization: Token token=\*\*\*\*/);
      assert.ok(!rows[0].error.includes(key) && !rows[0].streams.includes(key), 'the key is in no row pdsync wrote');
    } finally {
      await f.close();
    }
  });

  test('Retry-After is honoured up to inputs.max_retry_wait, and the run says it is waiting and for how long', async () => {
    const f = await syncFixture({
      name: 'retryafter',
      sim: { retryAfter: true, faults: { rate: 0, storm: { afterRequests: 1, count: 1 }, retryAfterSeconds: 9 } },
      inputs: { max_retry_wait: 6 },
      replication: only('users'),
    });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^users: PagerDuty asked to wait 9 s before the next request; waiting 6 s, the most inputs\.max_retry_wait allows$/m);
      const [refused, retried] = f.sim.requests.filter((q) => q.path === '/users');
      assert.equal(refused!.status, 429);
      assert.ok(retried!.startedAt - refused!.finishedAt >= 6000, `retried ${retried!.startedAt - refused!.finishedAt} ms after the 429`);
      assert.deepEqual(await f.landed('users'), f.truth('users'));
    } finally {
      await f.close();
    }
  });
});
