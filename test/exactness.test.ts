import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunSummary } from '../src/summary/run-summary.js';
import { pdsync, SIM_KEY } from './support/cli.js';
import { only, type SyncFixture, syncFixture } from './support/sync-fixture.js';

const summaryOf = (stdout: string) => JSON.parse(stdout) as RunSummary;

async function row(f: SyncFixture, table: string, id: string): Promise<Record<string, unknown>> {
  const { rows } = await f.db.pool.query(`SELECT * FROM "${f.db.schema}"."${table}" WHERE id = $1`, [id]);
  assert.equal(rows.length, 1, `${table} ${id} landed`);
  return rows[0] as Record<string, unknown>;
}

describe('exact when the account changes mid-read and values are odd', () => {
  test('a list that grows while it is paged: the user added at position 0 lands and no user is lost; one removed mid-read does not stay', async () => {
    const f = await syncFixture({ name: 'grow', sim: { volume: { users: 2500 }, latencyMs: 20 }, replication: only('users') });
    try {
      const template = [...f.sim.dataset.records('users')][0]!;
      // Users are listed by id: this one sorts first, so every later offset shifts by one.
      const added = { ...template, id: 'A0000001', name: 'Added Mid-Read', email: 'added@example.com' };
      const run = f.run(['--json']);
      await f.sim.waitFor((e) => e.path === '/users' && /offset=[1-9]/.test(e.query));
      f.sim.dataset.addRecord('users', added);
      const r = await run;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.truth('users').length, 2501);
      assert.deepEqual(await f.landed('users'), f.truth('users'), 'every user, once, the added one too');
      assert.match(r.stderr, /users: the list changed while it was read: reading it again/);

      const removed = f.sim.dataset.ids('users')[1_200]!;
      const again = f.run(['--json']);
      await f.sim.waitFor((e) => e.path === '/users' && /offset=(1[0-9]{3}|[2-9][0-9]{3})/.test(e.query));
      f.sim.dataset.deleteRecord('users', removed);
      assert.equal((await again).code, 0);
      assert.deepEqual(await f.landed('users'), f.truth('users'));
      assert.ok(!(await f.landed('users')).includes(removed), 'a user removed during the read does not stay');
    } finally {
      await f.close();
    }
  });

  test('a string holding the six characters \\u0000 is stored exactly, in text and in jsonb', async () => {
    const f = await syncFixture({ name: 'escape', replication: only('users') });
    try {
      const [a, b] = f.sim.dataset.ids('users');
      const methods = [{ id: 'PC1', type: 'email_contact_method', summary: 'C:\\u0000ops', address: 'C:\\u0000new' }];
      f.sim.dataset.updateRecord('users', a!, { description: 'C:\\u0000new', contact_methods: methods });
      f.sim.dataset.updateRecord('users', b!, { job_title: 'C:\\u0000ops\\\\' });
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const rowA = await row(f, 'users', a!);
      assert.equal(rowA.description, 'C:\\u0000new');
      assert.deepEqual(rowA.contact_methods, methods);
      assert.equal(rowA._pdsync_rejected, null, 'nothing was altered, so nothing is kept aside');
      assert.equal((await row(f, 'users', b!)).job_title, 'C:\\u0000ops\\\\');
      assert.deepEqual(await f.landed('users'), f.truth('users'));
    } finally {
      await f.close();
    }
  });

  test('odd values never fail a stream: stored as near as PostgreSQL allows, kept as sent in _pdsync_rejected, one warning per column', async () => {
    const f = await syncFixture({ name: 'odd', replication: only('users', 'incidents') });
    try {
      const [u1, u2] = f.sim.dataset.ids('users');
      const [i1] = f.sim.dataset.ids('incidents');
      const longName = `field_${'x'.repeat(58)}`;
      f.sim.dataset.updateRecord('users', u1!, { name: 'Ann\u0000 Lee', contact_methods: [{ summary: 'broken \ud800 half' }] });
      f.sim.dataset.updateRecord('users', u2!, { job_title: 'lone \udc00 low', name: 'Bo\u0000b' });
      f.sim.dataset.updateRecord('incidents', i1!, { last_status_change_at: '2024-02-30T00:00:00Z', [longName]: 'kept' });
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const streams = summaryOf(r.stdout).streams;
      assert.ok(streams.every((s) => s.status === 'ok'), JSON.stringify(streams));

      const one = await row(f, 'users', u1!);
      assert.equal(one.name, 'Ann Lee', 'U+0000 stripped from text');
      assert.deepEqual(one.contact_methods, [{ summary: 'broken \ufffd half' }], 'a lone surrogate in jsonb becomes U+FFFD');
      assert.deepEqual(one._pdsync_rejected, {
        name: { $json: JSON.stringify('Ann\u0000 Lee') },
        contact_methods: { $json: JSON.stringify([{ summary: 'broken \ud800 half' }]) },
      });
      const two = await row(f, 'users', u2!);
      assert.equal(two.job_title, 'lone \ufffd low', 'a lone surrogate in text becomes U+FFFD');
      assert.deepEqual(Object.keys(two._pdsync_rejected as object).sort(), ['job_title', 'name']);

      const inc = await row(f, 'incidents', i1!);
      assert.equal(inc.last_status_change_at, null, 'an impossible date is NULL in its column');
      assert.deepEqual(inc._pdsync_rejected, { last_status_change_at: '2024-02-30T00:00:00Z', [longName]: 'kept' });

      const users = streams.find((s) => s.stream === 'users')!.warnings;
      assert.equal(users.filter((w) => /^column name: 2 values held U\+0000/.test(w)).length, 1, users.join('\n'));
      assert.equal(users.filter((w) => /^column contact_methods: 1 value held a lone surrogate/.test(w)).length, 1);
      assert.equal(users.filter((w) => /^column job_title: 1 value held a lone surrogate/.test(w)).length, 1);
      const incidents = streams.find((s) => s.stream === 'incidents')!.warnings;
      assert.ok(incidents.some((w) => w.startsWith(`field "${longName}": 1 value has a name longer than PostgreSQL's 63 bytes`)), incidents.join('\n'));
      assert.ok(incidents.some((w) => /^column last_status_change_at: value "2024-02-30T00:00:00Z" does not fit/.test(w)));
      for (const s of ['users', 'incidents']) assert.deepEqual(await f.landed(s), f.truth(s), s);
    } finally {
      await f.close();
    }
  });

  test('an object name of at most 63 characters but more than 63 bytes is refused before two streams could share one table', async () => {
    const f = await syncFixture({
      name: 'bytes',
      replication: (schema) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.${'障'.repeat(21)}_{stream_name}\nstreams:\n  users:\n  teams:\n`,
    });
    try {
      const r = await f.run();
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^pdsync: replication\.yaml: defaults\.object: "障{21}_users" is 69 bytes in UTF-8: PostgreSQL keeps names to 63 bytes and would cut it: shorten it\n$/);
      assert.deepEqual(await f.db.relations(), []);
    } finally {
      await f.close();
    }
  });

  test('every record the API returns is kept, inside the window asked for or not (a mock of the published examples)', async () => {
    // The mock answers every window with the whole list; anchor_date falls after most of its records.
    const f = await syncFixture({
      name: 'mock',
      sim: { ignoreTimeFilters: true },
      inputs: { anchor_date: '2026-03-01T00:00:00Z' },
      replication: only('incidents', 'log_entries', 'notifications'),
    });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      for (const s of ['incidents', 'log_entries', 'notifications']) {
        assert.deepEqual(await f.landed(s), f.truth(s), `${s}: all ${f.truth(s).length} records the API returned`);
      }
    } finally {
      await f.close();
    }
  });

  test('a stream that is skipped or fails leaves no table behind: tables are created with their first rows', async () => {
    const f = await syncFixture({
      name: 'notable',
      sim: { gates: { teams: 402 }, faults: { rate: 1, kinds: ['http503'], paths: ['/users'] } },
      inputs: { max_attempts: 2 },
      replication: only('users', 'teams', 'priorities'),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 1);
      assert.deepEqual(summaryOf(r.stdout).streams.map((s) => `${s.stream} ${s.status}`).sort(), ['priorities ok', 'teams skipped', 'users failed']);
      const tables = (await f.db.relations()).filter((t) => t.startsWith(`${f.db.schema}.`));
      assert.deepEqual(tables, [`${f.db.schema}.priorities`]);
      const show = await pdsync(['sql', 'select count(*) from pdsync.runs'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.match(show.stdout, /^1$/m, 'the run itself is recorded');
    } finally {
      await f.close();
    }
  });
});
