import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import type { RunSummary } from '../src/summary/run-summary.js';
import { envYaml } from './support/cli.js';
import { databaseUrl } from './support/database.js';
import { startListener, withWebhookSecret, LISTEN_ENV } from './support/listener.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { eventually, stderrMatching } from './support/wait.js';

type Rec = Record<string, unknown>;
const q = pg.escapeIdentifier;
const SECURE = '  target_options: {row_security: teams}\n';
const replication = (streams: string[], defaults = SECURE) => (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\n${defaults}streams:\n${streams.map((s) => `  ${s}:\n`).join('')}`;
/**
 * Relations that hold no team's data: account-wide lists (catalogue streams with neither teams of
 * their own nor a team_ids rule: priorities, tags, vendors, ...) and pdsync's own bookkeeping.
 */
const TEAMLESS = [
  ...Object.entries((await loadCatalogue()).streams).filter(([, s]) => !s.team_ids && s.columns.teams?.ref !== 'many').map(([name]) => name),
  'pdsync.state', 'pdsync.runs', 'pdsync.loads', 'pdsync.team_access', 'pdsync.time_zones',
];

/** A login role of the test's own, on the server; dropped by the returned function. */
async function makeRole(f: SyncFixture, prefix: string, grants: string[]): Promise<{ role: string; url: string; drop(): Promise<void> }> {
  const role = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  await f.db.pool.query(`CREATE ROLE ${q(role)} LOGIN`);
  for (const g of grants) await f.db.pool.query(g.replaceAll('ROLE', q(role)));
  const url = new URL(databaseUrl(f.db.name));
  url.username = role;
  return {
    role,
    url: url.toString(),
    async drop() {
      await f.db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
      await f.db.pool.query(`DROP OWNED BY ${q(role)} CASCADE`);
      await f.db.pool.query(`DROP ROLE ${q(role)}`);
    },
  };
}

async function asRole<T extends Rec>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Whether a table has row security on, with pdsync's team policy. */
async function secured(f: SyncFixture, table: string): Promise<boolean> {
  const { rows } = await f.db.pool.query(
    `SELECT c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'pdsync_team_access') AS ok FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0]?.ok === true;
}

/**
 * Every relation of the target schema and of `pdsync`, read by a role granted one team (and
 * pg_read_all_data): a table with team_ids shows exactly its rows of that team or of no team,
 * under row security; pdsync's staging and id tables show nothing; any other holds no team's data.
 * Returns, per table, rows seen and rows in all.
 */
async function checkEveryRelation(f: SyncFixture, url: string, team: string): Promise<Record<string, [number, number]>> {
  const { rows } = await f.db.pool.query(
    `SELECT n.nspname AS schema, c.relname AS name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'team_ids' AND NOT a.attisdropped) AS teams
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ($1, 'pdsync') AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1, 2`,
    [f.db.schema],
  );
  const out: Record<string, [number, number]> = {};
  for (const r of rows as { schema: string; name: string; teams: boolean }[]) {
    const table = `${q(r.schema)}.${q(r.name)}`;
    const label = r.schema === 'pdsync' ? `pdsync.${r.name}` : r.name;
    // During a run a staging table may be published (dropped) between the listing and its reading.
    const counted = await f.db.pool.query(`SELECT count(*) AS n FROM ${table}`).catch((e: { code?: string }) => {
      if (e.code === '42P01') return undefined;
      throw e;
    });
    if (!counted) continue;
    const all = Number(counted.rows[0].n);
    if (r.schema === 'pdsync' && (r.name.startsWith('_stage_') || ['relation_pending', 'webhook_events'].includes(r.name))) {
      const seen = await asRole<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`).catch(() => [{ n: '0' }]);
      assert.equal(Number(seen[0]!.n), 0, `${label}: pdsync's private rows are hidden (${all} rows)`);
    } else if (r.teams) {
      assert.ok(await secured(f, table), `${label}: row security on`);
      const seen = await asRole<{ team_ids: string[] | null }>(url, `SELECT team_ids FROM ${table}`);
      assert.ok(seen.every((x) => x.team_ids !== null && (x.team_ids.length === 0 || x.team_ids.includes(team))), `${label}: only rows of the team, or of no team`);
      const allowed = Number((await f.db.pool.query(`SELECT count(*) AS n FROM ${table} WHERE cardinality(team_ids) = 0 OR $1 = ANY (team_ids)`, [team])).rows[0].n);
      assert.equal(seen.length, allowed, `${label}: every row of the team`);
      out[label] = [seen.length, all];
    } else {
      assert.ok(TEAMLESS.includes(label), `${label}: holds team data without team_ids`);
    }
  }
  return out;
}

describe('team access: every table of a team\'s data, from its first row', () => {
  let f: SyncFixture;
  let reader: Awaited<ReturnType<typeof makeRole>>;
  let team: string;
  before(async () => {
    f = await syncFixture({ name: 'teamaccess', sim: { volume: { incidents: 150 } }, inputs: { rate: 2000, concurrency: 8 }, replication: replication(["'*'", 'incident_notes', 'incident_alerts']) });
    reader = await makeRole(f, 'pdsync_reader', ['GRANT pg_read_all_data TO ROLE']);
    team = String([...f.sim.dataset.records('teams')][0]!.id);
  });
  after(async () => {
    await reader.drop();
    await f.close();
  });

  test('a role granted one team (and pg_read_all_data) sees only that team\'s rows in every relation, during and after a first run', async () => {
    // A first run of a stream without team data makes pdsync.team_access; the reader is granted its team before the rest is read.
    const prelude = await f.run(['--streams', 'priorities']);
    assert.equal(prelude.code, 0, prelude.stderr);
    await f.db.pool.query('INSERT INTO pdsync.team_access (role_name, team_id) VALUES ($1, $2)', [reader.role, team]);
    const hold = f.sim.hold((_, url) => url.pathname.endsWith('/alerts'));
    const run = f.start(['--json']);
    try {
      await hold.arrived;
      await stderrMatching(run, /^incident_notes: finished/m);
      await stderrMatching(run, /^log_entries: finished/m);
      const during = await checkEveryRelation(f, reader.url, team);
      assert.ok(Object.keys(during).includes('incidents'), 'incidents are published while alerts are still read');
    } finally {
      hold.release();
    }
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const seen = await checkEveryRelation(f, reader.url, team);
    const expected = ['incidents', 'log_entries', 'incident_notes', 'incident_alerts', 'notifications', 'change_events', 'audit_records', 'oncalls', 'oncall_shifts',
      'users', 'teams', 'team_members', 'services', 'escalation_policies', 'schedules', 'business_services', 'maintenance_windows', 'analytics_incidents', 'incident_metrics'];
    for (const t of expected) {
      assert.ok(seen[t], `${t} carries team_ids`);
      const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM ${q(f.db.schema)}.${q(t)} WHERE team_ids IS NULL`);
      assert.equal(rows[0].n, 0, `${t}: every row's teams are known once the run is over`);
    }
    assert.doesNotMatch(r.stderr, /team_ids could not be made current/);
    for (const t of ['incidents', 'incident_notes', 'incident_alerts', 'notifications', 'change_events', 'audit_records', 'oncall_shifts', 'users']) {
      const [visible, all] = seen[t]!;
      assert.ok(visible > 0 && visible < all, `${t}: the team sees ${visible} of ${all} rows`);
    }
    // A note or alert is seen with its incident.
    const incidents = new Set([...f.sim.dataset.records('incidents')].filter((i) => (i.teams as Rec[]).some((t) => t.id === team)).map((i) => String(i.id)));
    for (const t of ['incident_notes', 'incident_alerts']) {
      const rows = await asRole<{ incident_id: string }>(reader.url, `SELECT DISTINCT incident_id FROM ${q(f.db.schema)}.${t}`);
      assert.ok(rows.every((x) => incidents.has(x.incident_id)), `${t}: only of the team's incidents`);
    }
  });

  test('tables pdsync listen creates are under row security from their first row', async () => {
    const schema = `${f.db.schema}_listen`;
    writeFileSync(join(f.cwd, 'replication.yaml'), replication(['incidents', 'log_entries'])(schema));
    withWebhookSecret(f);
    const l = await startListener(f);
    try {
      f.sim.clock.advance(3_600_000);
      const [added] = f.sim.dataset.addIncidents(1);
      await eventually('listen wrote the incident', async () => (await f.db.pool.query(`SELECT 1 FROM ${q(schema)}.incidents WHERE id = $1`, [added]).catch(() => ({ rowCount: 0 }))).rowCount === 1, 60_000);
      for (const t of ['incidents', 'log_entries']) assert.ok(await secured(f, `${q(schema)}.${q(t)}`), `${t}: secured`);
      const mine = [...f.sim.dataset.records('incidents')].find((i) => String(i.id) === added)!;
      const ofTeam = (mine.teams as Rec[]).some((t) => t.id === team);
      const seen = await asRole(reader.url, `SELECT id FROM ${q(schema)}.incidents`);
      assert.equal(seen.length, ofTeam ? 1 : 0, 'the reader sees the incident only if it is its team\'s');
    } finally {
      const stopped = await l.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
    }
  });
});

describe('team access where runs stop early, relations are off, or another role owns the table', () => {
  test('with relations: false, and after SIGTERM, tables already published are under row security', async () => {
    const f = await syncFixture({ name: 'teamstop', sim: { volume: { incidents: 100 } }, replication: replication(['incidents', 'log_entries', 'services'], `${SECURE.replace('}', ', relations: false}')}`) });
    try {
      const hold = f.sim.hold((_, url) => url.pathname === '/log_entries');
      const run = f.start();
      await hold.arrived;
      await stderrMatching(run, /^incidents: finished/m);
      run.child.kill('SIGTERM');
      hold.release();
      const r = await run.done;
      assert.equal(r.code, 143, r.stderr);
      assert.ok(await secured(f, `${q(f.db.schema)}.incidents`), 'incidents: secured');
      assert.deepEqual((await f.db.relations()).filter((x) => /incident_metrics|log_entries/.test(x)), [], 'no relation, and log entries never published');
    } finally {
      await f.close();
    }
  });

  test('row_security on a stream entry is honoured for that table; where pdsync\'s role does not own the table it fails the stream with the fix, before reading', async () => {
    const f = await syncFixture({
      name: 'teamowner',
      sim: { volume: { incidents: 100 } },
      replication: (schema) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n  users: {target_options: {row_security: teams}}\n  incidents:\n`,
    });
    const writer = await makeRole(f, 'pdsync_writer', []);
    try {
      const first = await f.run();
      assert.equal(first.code, 0, first.stderr);
      assert.ok(await secured(f, `${q(f.db.schema)}.users`), 'users: its entry asks for row security');
      assert.ok(!(await secured(f, `${q(f.db.schema)}.incidents`)), 'incidents: its entry does not');
      for (const g of [`GRANT USAGE ON SCHEMA pdsync, ${q(f.db.schema)} TO ROLE`, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pdsync, ${q(f.db.schema)} TO ROLE`, `GRANT TEMPORARY ON DATABASE ${q(f.db.name)} TO ROLE`]) {
        await f.db.pool.query(g.replaceAll('ROLE', q(writer.role)));
      }
      writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, writer.url, { rate: 100, concurrency: 4 }));
      writeFileSync(join(f.cwd, 'replication.yaml'), replication(['users', 'incidents'])(f.db.schema));
      const r = await f.run(['--json']);
      assert.equal(r.code, 1, r.stderr);
      const incidents = (JSON.parse(r.stdout) as RunSummary).streams.find((s) => s.stream === 'incidents')!;
      assert.equal(incidents.status, 'failed');
      assert.equal(incidents.reason, `row_security: teams: ${f.db.schema}.incidents belongs to role postgres, and role ${writer.role} may not turn on its row security: make ${writer.role} its owner (ALTER TABLE ${q(f.db.schema)}.${q('incidents')} OWNER TO ${q(writer.role)}), or turn row security off for incidents`);
      assert.equal(incidents.requests, 0, 'nothing was read');
      assert.ok(!(await secured(f, `${q(f.db.schema)}.incidents`)));
    } finally {
      await writer.drop();
      await f.close();
    }
  });
});
