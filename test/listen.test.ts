import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { request } from 'undici';
import { SIM_KEY, startPdsync } from './support/cli.js';
import { SERVER_URL } from './support/database.js';
import { ENV, listen, postSigned, SECRET, withWebhookSecret } from './support/listen-process.js';
import { incidentsBoth } from './support/listener.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { eventually, stderrMatching } from './support/wait.js';

type Rec = Record<string, unknown>;
const replication = (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n  log_entries:\n`;

/** A statement about the test's own database, from a connection to the server's default one. */
async function admin(sql: string, values: unknown[] = []): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    await c.query(sql, values);
  } finally {
    await c.end();
  }
}

async function count(f: SyncFixture, sql: string): Promise<number> {
  return Number((await f.db.pool.query(sql.replaceAll('S.', `"${f.db.schema}".`))).rows[0].n);
}

/** 50 changes: acknowledgements and resolutions of open incidents, new incidents, notes. Returns their webhook ids. */
function burst(f: SyncFixture): Set<string> {
  const from = f.sim.webhooks.emitted.length;
  const open = [...f.sim.dataset.records('incidents')].filter((r) => r.status !== 'resolved').map((r) => String(r.id));
  const old = f.sim.dataset.ids('incidents').slice(0, 10);
  const added = f.sim.dataset.addIncidents(14);
  f.sim.clock.advance(60_000);
  for (const id of [...open, ...added].slice(0, 12)) f.sim.dataset.acknowledgeIncident(id);
  f.sim.clock.advance(60_000);
  for (const id of [...open, ...added].slice(0, 14)) f.sim.dataset.resolveIncident(id);
  for (const id of old) f.sim.dataset.addNote(id, `note on ${id}`);
  const emitted = f.sim.webhooks.emitted.slice(from);
  assert.equal(emitted.length, 50, 'the burst is 50 events');
  return new Set(emitted.map((e) => e.webhookId));
}

describe('pdsync listen: webhooks applied as they arrive, verified, exactly once', () => {
  let f: SyncFixture;
  before(async () => {
    f = await syncFixture({ name: 'listen', sim: { volume: { incidents: 300 } }, inputs: { rate: 50, concurrency: 4 }, replication });
    withWebhookSecret(f);
    const r = await f.run([], ENV);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await f.close();
  });

  test('a burst of 50 events, with duplicates and out of order, leaves every incident as the source has it, without a run', async () => {
    const l = await listen(f);
    try {
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET], duplicateRate: 0.3, shuffle: true, concurrency: 4 });
      const ids = burst(f);
      await f.sim.webhooks.settled();
      const applied = () => (l.run.output.stderr.match(/^pdsync listen: applied /gm) ?? []).length;
      await eventually('every event applied', async () => applied() >= ids.size, 60_000);
      assert.equal(await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events'), ids.size);
      const { landed, truth } = await incidentsBoth(f);
      assert.deepEqual(landed, truth, 'every incident as the source has it');
      const le = await f.landed('log_entries'); const lt = f.truth('log_entries');
      assert.deepEqual(le, lt, 'and every log entry');
      assert.ok(f.sim.webhooks.deliveries.length > ids.size, 'some events came twice');
      assert.equal(applied(), ids.size, 'each event applied once');
      await eventually('incident_metrics follows', async () => (await count(f, `SELECT count(*) AS n FROM S.incident_metrics m JOIN S.incidents i ON i.id = m.incident_id WHERE m.status IS DISTINCT FROM i.status`)) === 0 && (await count(f, 'SELECT count(*) AS n FROM S.incident_metrics')) === Object.keys(truth).length);
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      const done = await l.run.done;
      assert.equal(done.code, 0, done.stderr);
    }
  });

  test('-q prints no line per delivery and no relations lines: only where it listens and its stop', async () => {
    const l = await listen(f, 0, ['-q']);
    try {
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET] });
      const added = f.sim.dataset.addIncidents(3);
      await f.sim.webhooks.settled();
      await eventually('the relations follow', async () => (await count(f, `SELECT count(*) AS n FROM S.incident_metrics WHERE incident_id = ANY('{${added.join(',')}}')`)) === 3, 60_000);
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
    }
    const done = await l.run.done;
    assert.equal(done.code, 0, done.stderr);
    const said = done.stderr.split('\n').filter(Boolean).map((line) => /^pdsync listen: (SIGTERM: )?(\w+)/.exec(line)?.[2] ?? line);
    assert.deepEqual(said, ['listening', 'stopping', 'stopped']);
  });

  test('a wrong signature is refused with 401 and nothing is written; GET /healthz answers once the database is reachable', async () => {
    const l = await listen(f);
    try {
      const before = await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events');
      const incidents = await incidentsBoth(f);
      const from = f.sim.webhooks.deliveries.length;
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET], wrongSignature: true });
      f.sim.clock.advance(60_000);
      f.sim.dataset.addIncidents(3);
      await f.sim.webhooks.settled();
      assert.deepEqual(f.sim.webhooks.deliveries.slice(from).map((d) => d.status), [401, 401, 401], 'refused, and not retried');
      assert.equal(await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events'), before);
      assert.deepEqual((await incidentsBoth(f)).landed, incidents.landed, 'nothing written');
      assert.match(l.run.output.stderr, /^pdsync listen: rejected a delivery from 127\.0\.0\.1 with 401: the signature does not match webhook_secret$/m);
      const health = await request(`${l.url}/healthz`);
      assert.equal(health.statusCode, 200);
      assert.deepEqual(Object.keys((await health.body.json()) as Rec).slice(0, 3), ['status', 'database', 'queued']);
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });

  test('bodies over 256 KB and bodies that are not JSON are refused, and nothing is written', async () => {
    const l = await listen(f);
    try {
      const post = (body: Buffer) => postSigned(l.hook, body);
      const before = await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events');
      assert.equal(await post(Buffer.alloc(300 * 1024, 'x')), 413);
      assert.equal(await post(Buffer.from('not json')), 400);
      assert.equal(await post(Buffer.from(JSON.stringify({ event: { id: 'x' } }))), 400);
      assert.equal(await count(f, 'SELECT count(*) AS n FROM pdsync.webhook_events'), before);
      assert.deepEqual(readdirSync(join(f.cwd, 'queue')), [], 'nothing queued');
    } finally {
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });

  test('a port already taken is a usage error: exit 2, one line naming the flag', async () => {
    const l = await listen(f);
    try {
      const second = startPdsync(['listen', 'replication.yaml', '--port', new URL(l.url).port, '--queue-dir', 'queue2'], { cwd: f.cwd, env: ENV });
      const done = await second.done;
      assert.equal(done.code, 2, done.stderr);
      assert.match(done.stderr, /^pdsync: listen: cannot listen on 127\.0\.0\.1 port \d+ \(EADDRINUSE\): choose another --port/m);
      assert.doesNotMatch(done.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });

  test('killed in the middle and started again, the listener loses nothing', async () => {
    // The earlier tests' refused deliveries are a run's to reconcile; this test starts from a synced account.
    f.sim.clock.advance(3_600_000);
    assert.equal((await f.run([], ENV)).code, 0);
    let l = await listen(f);
    const port = Number(new URL(l.url).port);
    try {
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET], retryDelayMs: 100, maxAttempts: 20 });
      const ids = burst(f);
      await stderrMatching(l.run, /^pdsync listen: (received|applied) .*\n(.*\n){5}/m);
      l.run.child.kill('SIGKILL');
      await l.run.done.catch(() => undefined);
      l = await listen(f, port);
      await f.sim.webhooks.settled();
      await eventually('every event applied', async () => (await count(f, `SELECT count(*) AS n FROM pdsync.webhook_events WHERE webhook_id = ANY('{${[...ids].join(',')}}')`)) === ids.size, 60_000);
      const { landed, truth } = await incidentsBoth(f);
      assert.deepEqual(landed, truth);
      assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'));
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });
  test('an incident the API refuses (4xx) is dropped with a line, and does not hold back the events behind it', async () => {
    const l = await listen(f);
    try {
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET] });
      const [refused, ...others] = f.sim.dataset.addIncidents(4);
      f.sim.setFaults({ rate: 1, kinds: ['echo400'], paths: [`/incidents/${refused}`] });
      f.sim.clock.advance(60_000);
      for (const id of [refused!, ...others]) f.sim.dataset.acknowledgeIncident(id);
      // As for a key without the incident's team: the change feed does not show it, so it is read alone, and refused.
      for (const e of [...f.sim.dataset.records('log_entries')].filter((e) => (e.incident as { id: string }).id === refused)) f.sim.dataset.deleteRecord('log_entries', String(e.id));
      await f.sim.webhooks.settled();
      await eventually('the other incidents land', async () => (await count(f, `SELECT count(*) AS n FROM S.incidents WHERE id = ANY('{${others.join(',')}}') AND status = 'acknowledged'`)) === others.length, 60_000);
      await eventually('the queue empties', async () => readdirSync(join(f.cwd, 'queue')).filter((n) => n.endsWith('.json')).length === 0);
      assert.match(l.run.output.stderr, new RegExp(`^pdsync listen: dropped incident\\.\\w+ ${refused} \\(webhook .*\\): .*400.*; the next pdsync run reconciles this incident$`, 'm'));
      assert.doesNotMatch(l.run.output.stderr, new RegExp(SIM_KEY), 'the echoed key is scrubbed');
      assert.equal(await count(f, `SELECT count(*) AS n FROM S.incidents WHERE id = '${refused}'`), 0);
    } finally {
      f.sim.setFaults(undefined);
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
    const r = await f.run([], ENV);
    assert.equal(r.code, 0, r.stderr);
    const { landed, truth } = await incidentsBoth(f);
    assert.deepEqual(landed, truth, 'the next run reconciles it');
  });

  test('SIGTERM while the applier waits on a lock another session holds: exit 0 without that session letting go, the event kept for the next start', async () => {
    const l = await listen(f);
    const holder = new pg.Client({ connectionString: f.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "${f.db.schema}".incidents IN ACCESS EXCLUSIVE MODE`);
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET] });
      const [added] = f.sim.dataset.addIncidents(1);
      await f.sim.webhooks.settled();
      const waiting = `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pdsync' AND wait_event_type = 'Lock'`;
      await eventually('the applier waits on the lock', async () => (await count(f, waiting)) > 0, 60_000);
      l.run.child.kill('SIGTERM');
      const done = await l.run.done;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stderr, /stopped; 1 events left queued for the next start/);
      assert.equal(await count(f, waiting), 0, 'nothing left waiting in PostgreSQL');
      assert.equal(readdirSync(join(f.cwd, 'queue')).filter((n) => n.endsWith('.json')).length, 1, 'the event stays on disk');
      await holder.query('ROLLBACK');
      const again = await listen(f);
      try {
        await eventually('the next start applies it', async () => (await count(f, `SELECT count(*) AS n FROM S.incidents WHERE id = '${added}'`)) === 1, 60_000);
      } finally {
        again.run.child.kill('SIGTERM');
        await again.run.done;
      }
    } finally {
      await holder.end();
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });

  test('while the API or the database is away, events wait on disk (503 once the queue is full, which PagerDuty retries), then are applied; --json logs one object a line', async () => {
    const l = await listen(f, 0, ['--queue-limit', '3', '--json']);
    const lines = () => l.run.output.stdout.split('\n').filter(Boolean).map((x) => JSON.parse(x) as Rec);
    try {
      f.sim.setFaults({ rate: 1, kinds: ['http500'] });
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET], retryDelayMs: 100, maxAttempts: 9 });
      const from = f.sim.webhooks.deliveries.length;
      const added = f.sim.dataset.addIncidents(5);
      await eventually('the queue fills', async () => f.sim.webhooks.deliveries.slice(from).some((d) => d.status === 503));
      assert.equal(readdirSync(join(f.cwd, 'queue')).filter((n) => n.endsWith('.json')).length, 3, 'three events wait on disk');
      await eventually('the listener says it waits', async () => lines().some((e) => e.event === 'waiting'), 60_000);
      assert.ok(lines().some((e) => e.event === 'rejected' && e.status === 503 && /^queue full/.test(String(e.reason))));
      // The database goes away too: the events still wait.
      await admin(`ALTER DATABASE "${f.db.name}" ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pdsync'`, [f.db.name]);
      f.sim.setFaults(undefined);
      const health = await request(`${l.url}/healthz`);
      assert.equal(health.statusCode, 503);
      assert.match(String(((await health.body.json()) as Rec).database), /^unreachable/);
      await admin(`ALTER DATABASE "${f.db.name}" ALLOW_CONNECTIONS true`);
      await f.sim.webhooks.settled();
      await eventually('the five incidents land', async () => (await count(f, `SELECT count(*) AS n FROM S.incidents WHERE id = ANY('{${added.join(',')}}')`)) === 5, 60_000);
      await eventually('the queue empties', async () => readdirSync(join(f.cwd, 'queue')).filter((n) => n.endsWith('.json')).length === 0);
      assert.ok(lines().every((e) => typeof e.at === 'string' && typeof e.event === 'string'));
    } finally {
      f.sim.setFaults(undefined);
      await admin(`ALTER DATABASE "${f.db.name}" ALLOW_CONNECTIONS true`);
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      await l.run.done;
    }
  });
});
