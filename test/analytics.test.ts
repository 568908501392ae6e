import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { parse } from 'yaml';
import { pdsync, SIM_KEY } from './support/cli.js';
import { databaseUrl } from './support/database.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';

type Rec = Record<string, unknown>;
const STREAMS = ['incidents', 'log_entries', 'notifications', 'users', 'services', 'teams', 'change_events', 'oncall_shifts', 'analytics_incidents'];
const replication = (streams: string[], extra = '') => (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\n${extra}streams:\n${streams.map((s) => `  ${s}:\n`).join('')}`;

const id = (v: unknown) => (v && typeof v === 'object' ? String((v as Rec).id) : null);
const ms = (v: unknown) => (v === null || v === undefined ? null : Date.parse(String(v)));
/** Monday 00:00 UTC of the week a time falls in, as date_trunc('week', t, 'UTC') gives it. */
const weekOf = (t: number) => {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
};

async function rows(f: SyncFixture, sql: string): Promise<Rec[]> {
  return (await f.db.pool.query(sql.replaceAll('S.', `"${f.db.schema}".`))).rows as Rec[];
}

describe('analytics-ready tables and relations', () => {
  let f: SyncFixture;
  let logEntries: Rec[];
  before(async () => {
    f = await syncFixture({ name: 'answers', sim: { volume: { incidents: 300 } }, inputs: { rate: 2000, concurrency: 8 }, replication: replication(STREAMS) });
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^relations: incident_metrics, incident_status_history, service_weekly, oncall_load, search_documents made$/m);
    logEntries = [...f.sim.dataset.records('log_entries')];
  });
  after(async () => {
    await f.close();
  });

  test('reference columns have id columns a BI tool joins on, filled on load and indexed', async () => {
    const [bad] = await rows(f, `SELECT
      (SELECT count(*) FROM S.incidents WHERE service_id IS DISTINCT FROM service->>'id' OR escalation_policy_id IS DISTINCT FROM escalation_policy->>'id'
         OR priority_id IS DISTINCT FROM priority->>'id'
         OR team_ids IS DISTINCT FROM ARRAY(SELECT t->>'id' FROM jsonb_array_elements(teams) t))::int AS incidents,
      (SELECT count(*) FROM S.log_entries WHERE incident_id IS DISTINCT FROM incident->>'id' OR user_id IS DISTINCT FROM "user"->>'id')::int AS log_entries,
      (SELECT count(*) FROM S.notifications WHERE user_id IS DISTINCT FROM "user"->>'id')::int AS notifications,
      (SELECT count(*) FROM S.incidents WHERE service_id IS NULL)::int AS unfilled`);
    assert.deepEqual(bad, { incidents: 0, log_entries: 0, notifications: 0, unfilled: 0 });
    const indexes = (await rows(f, `SELECT indexdef FROM pg_indexes WHERE schemaname = '${f.db.schema}' AND tablename = 'incidents'`)).map((r) => String(r.indexdef));
    assert.ok(indexes.some((d) => /\(service_id\)/.test(d)), indexes.join('\n'));
    assert.ok(indexes.some((d) => /USING gin \(team_ids\)/.test(d)), indexes.join('\n'));
  });

  test('columns are snake_case by default (conference_address); column_casing: source keeps the API\'s spelling', async () => {
    const cols = async (table: string) =>
      (await rows(f, `SELECT column_name FROM information_schema.columns WHERE table_schema = '${f.db.schema}' AND table_name = '${table}'`)).map((r) => r.column_name);
    assert.ok((await cols('notifications')).includes('conference_address'));
    assert.ok(!(await cols('notifications')).includes('conferenceAddress'));
    writeFileSync(join(f.cwd, 'source.yaml'), replication(['notifications'], '  target_options: {column_casing: source}\n')(f.db.schema).replace('{stream_name}', 'raw_{stream_name}'));
    const r = await pdsync(['run', 'source.yaml'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await cols('raw_notifications')).includes('conferenceAddress'));
  });

  test('incident_metrics: one row per incident, exact against the simulator, and equal to PagerDuty Analytics where both exist', async () => {
    const byIncident = new Map<string, Rec[]>();
    for (const e of logEntries) byIncident.set(id(e.incident)!, [...(byIncident.get(id(e.incident)!) ?? []), e]);
    const truth = [...f.sim.dataset.records('incidents')].map((i) => {
      const entries = byIncident.get(String(i.id)) ?? [];
      const acks = entries.filter((e) => e.type === 'acknowledge_log_entry').map((e) => ms(e.created_at)!);
      const acknowledged = acks.length ? Math.min(...acks) : null;
      const count = (type: string) => entries.filter((e) => e.type === type).length;
      return {
        incident_id: i.id, service_id: id(i.service), status: i.status, acknowledged_at: acknowledged, resolved_at: ms(i.resolved_at),
        seconds_to_first_ack: acknowledged === null ? null : (acknowledged - ms(i.created_at)!) / 1000,
        seconds_to_resolve: i.resolved_at ? (ms(i.resolved_at)! - ms(i.created_at)!) / 1000 : null,
        escalations: count('escalate_log_entry'), notifications_sent: count('notify_log_entry'),
      };
    });
    const landed = (await rows(f, 'SELECT * FROM S.incident_metrics')).map((r) => ({
      incident_id: r.incident_id, service_id: r.service_id, status: r.status, acknowledged_at: r.acknowledged_at === null ? null : (r.acknowledged_at as Date).getTime(),
      resolved_at: r.resolved_at === null ? null : (r.resolved_at as Date).getTime(),
      seconds_to_first_ack: r.seconds_to_first_ack === null ? null : Number(r.seconds_to_first_ack),
      seconds_to_resolve: r.seconds_to_resolve === null ? null : Number(r.seconds_to_resolve),
      escalations: Number(r.escalations), notifications_sent: Number(r.notifications_sent),
    }));
    const byId = (xs: { incident_id: unknown }[]) => [...xs].sort((a, b) => String(a.incident_id).localeCompare(String(b.incident_id)));
    assert.deepEqual(byId(landed), byId(truth));
    const [differ] = await rows(f, `SELECT count(*)::int AS n, count(*) FILTER (WHERE m.seconds_to_first_ack IS DISTINCT FROM a.seconds_to_first_ack
        OR m.seconds_to_resolve IS DISTINCT FROM a.seconds_to_resolve OR m.escalations IS DISTINCT FROM a.escalation_count)::int AS differ
      FROM S.incident_metrics m JOIN S.analytics_incidents a ON a.id = m.incident_id`);
    assert.equal(differ!.n, truth.length, 'every incident is in PagerDuty Analytics too');
    assert.equal(differ!.differ, 0);
  });

  test('incident_status_history: every status change, from when to when, and who made it', async () => {
    const statusOf: Rec = { trigger_log_entry: 'triggered', acknowledge_log_entry: 'acknowledged', unacknowledge_log_entry: 'triggered', resolve_log_entry: 'resolved' };
    const truth: string[] = [];
    const byIncident = new Map<string, Rec[]>();
    for (const e of logEntries.filter((x) => x.type as string in statusOf)) byIncident.set(id(e.incident)!, [...(byIncident.get(id(e.incident)!) ?? []), e]);
    for (const [incident, entries] of byIncident) {
      const ordered = entries.sort((a, b) => ms(a.created_at)! - ms(b.created_at)! || String(a.id).localeCompare(String(b.id)));
      const changes = ordered.filter((e, i) => i === 0 || statusOf[e.type as string] !== statusOf[ordered[i - 1]!.type as string]);
      changes.forEach((e, i) => truth.push(JSON.stringify([incident, statusOf[e.type as string], ms(e.created_at), changes[i + 1] ? ms(changes[i + 1]!.created_at) : null, id(e.agent)])));
    }
    const landed = (await rows(f, 'SELECT * FROM S.incident_status_history')).map((r) =>
      JSON.stringify([r.incident_id, r.status, (r.valid_from as Date).getTime(), r.valid_to ? (r.valid_to as Date).getTime() : null, r.changed_by]),
    );
    assert.deepEqual(landed.sort(), truth.sort());
  });

  test('service_weekly: incidents per service and week, and the change failure rate of each service\'s changes', async () => {
    const incidents = [...f.sim.dataset.records('incidents')];
    const counts = new Map<string, number>();
    for (const i of incidents) counts.set(`${id(i.service)} ${weekOf(ms(i.created_at)!)}`, (counts.get(`${id(i.service)} ${weekOf(ms(i.created_at)!)}`) ?? 0) + 1);
    const changes = new Map<string, [number, number]>();
    for (const c of f.sim.dataset.records('change_events')) {
      const t = ms(c.timestamp)!;
      for (const s of c.services as Rec[]) {
        const failed = incidents.some((i) => id(i.service) === s.id && ms(i.created_at)! >= t && ms(i.created_at)! < t + 24 * 3600_000);
        const k = `${s.id} ${weekOf(t)}`;
        const [n, bad] = changes.get(k) ?? [0, 0];
        changes.set(k, [n + 1, bad + (failed ? 1 : 0)]);
      }
    }
    const landed = await rows(f, 'SELECT service_id, week, incidents, change_events, failed_changes, change_failure_rate FROM S.service_weekly');
    const key = (r: Rec) => `${r.service_id} ${(r.week as Date).getTime()}`;
    assert.deepEqual(Object.fromEntries(landed.filter((r) => Number(r.incidents) > 0).map((r) => [key(r), Number(r.incidents)])), Object.fromEntries(counts));
    assert.deepEqual(Object.fromEntries(landed.filter((r) => Number(r.change_events) > 0).map((r) => [key(r), [Number(r.change_events), Number(r.failed_changes)]])), Object.fromEntries(changes));
    assert.ok(landed.some((r) => Number(r.failed_changes) > 0) && landed.some((r) => Number(r.change_events) > Number(r.failed_changes)), 'some changes failed, some did not');
  });

  test('oncall_load: notifications, those at night in the user\'s own time zone, incidents acknowledged, hours on call', async () => {
    const zoneOf = new Map([...f.sim.dataset.records('users')].map((u) => [String(u.id), String(u.time_zone)]));
    const hourIn = (t: number, zone: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(t));
    const truth = new Map<string, [number, number]>();
    for (const n of f.sim.dataset.records('notifications')) {
      const t = ms(n.started_at)!;
      const k = `${id(n.user)} ${weekOf(t)}`;
      const h = hourIn(t, zoneOf.get(id(n.user)!) ?? 'UTC');
      const [all, night] = truth.get(k) ?? [0, 0];
      truth.set(k, [all + 1, night + (h >= 22 || h < 7 ? 1 : 0)]);
    }
    const landed = await rows(f, 'SELECT user_id, week, notifications, night_notifications, hours_on_call FROM S.oncall_load');
    const key = (r: Rec) => `${r.user_id} ${(r.week as Date).getTime()}`;
    assert.deepEqual(Object.fromEntries(landed.filter((r) => Number(r.notifications) > 0).map((r) => [key(r), [Number(r.notifications), Number(r.night_notifications)]])), Object.fromEntries(truth));
    assert.ok([...truth.values()].some(([, night]) => night > 0), 'some notifications came at night');
    // Hours on call: each user's shifts merged where they overlap, then cut at week boundaries.
    const shifts = await rows(f, 'SELECT user_id, start, "end" FROM S.oncall_shifts WHERE user_id IS NOT NULL AND start IS NOT NULL AND "end" > start ORDER BY user_id, start, "end"');
    const hoursTruth = new Map<string, number>();
    const add = (user: string, from: number, to: number) => {
      for (let w = weekOf(from); w < to; w += 7 * 86_400_000) {
        const k = `${user} ${w}`;
        hoursTruth.set(k, (hoursTruth.get(k) ?? 0) + (Math.min(to, w + 7 * 86_400_000) - Math.max(from, w)) / 3_600_000);
      }
    };
    let open: { user: string; from: number; to: number } | undefined;
    for (const s of shifts) {
      const [from, to] = [(s.start as Date).getTime(), (s.end as Date).getTime()];
      if (open && open.user === s.user_id && from <= open.to) open.to = Math.max(open.to, to);
      else {
        if (open) add(open.user, open.from, open.to);
        open = { user: String(s.user_id), from, to };
      }
    }
    if (open) add(open.user, open.from, open.to);
    const hoursLanded = new Map(landed.filter((r) => Number(r.hours_on_call) > 0).map((r) => [key(r), Number(r.hours_on_call)]));
    assert.deepEqual([...hoursLanded.keys()].sort(), [...hoursTruth.keys()].sort());
    for (const [k, h] of hoursTruth) assert.ok(Math.abs(hoursLanded.get(k)! - h) < 1e-6, `${k}: ${hoursLanded.get(k)} hours on call, ${h} in the shifts`);
    assert.ok([...hoursTruth.values()].some((h) => h > 0) && shifts.length > hoursTruth.size / 4, 'shifts were synced');
  });

  test('each relation says what it computes and from what (COMMENT ON)', async () => {
    const comments = await rows(f, `SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '${f.db.schema}' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') LIKE 'pdsync: %' ORDER BY 1`);
    assert.deepEqual(comments.map((c) => c.relname), ['incident_metrics', 'incident_status_history', 'oncall_load', 'search_documents', 'service_weekly']);
    for (const c of comments) assert.match(String(c.comment), /^pdsync: .* from /, String(c.relname));
  });

  test('dbt sources: tables, columns and descriptions from the catalogue, unique and not_null tests on keys', async () => {
    const r = await pdsync(['dbt', 'sources', '-o', 'sources.yml'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(readFileSync(join(f.cwd, 'sources.yml'), 'utf8')) as { version: number; sources: { name: string; tables: { name: string; description: string; columns: { name: string; data_tests?: string[] }[] }[] }[] };
    assert.equal(doc.version, 2);
    const tables = doc.sources.find((s) => s.name === f.db.schema)!.tables;
    const incidents = tables.find((t) => t.name === 'incidents')!;
    assert.equal(incidents.description, f.catalogue.streams.incidents!.description);
    assert.deepEqual(incidents.columns.find((c) => c.name === 'id')!.data_tests, ['unique', 'not_null']);
    assert.ok(incidents.columns.some((c) => c.name === 'service_id'));
    assert.deepEqual(tables.find((t) => t.name === 'oncall_shifts')!.columns.find((c) => c.name === '_pdsync_key')!.data_tests, ['unique', 'not_null']);
    // Each relation's columns, as the database holds them, each described.
    for (const relation of ['incident_metrics', 'incident_status_history', 'service_weekly', 'oncall_load']) {
      const listed = tables.find((t) => t.name === relation)!.columns as { name: string; description?: string }[];
      const actual = (await rows(f, `SELECT attname FROM pg_attribute WHERE attrelid = '"${f.db.schema}".${relation}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)).map((r) => r.attname);
      assert.deepEqual(listed.map((c) => c.name), actual, relation);
      assert.ok(listed.every((c) => c.description), `${relation}: every column described`);
    }
    assert.deepEqual(tables.find((t) => t.name === 'incident_metrics')!.columns.find((c) => c.name === 'incident_id')!.data_tests, ['unique', 'not_null']);
  });
});

describe('relations and team access options', () => {
  test('target_options.relations: false makes no relation', async () => {
    const f = await syncFixture({ name: 'norel', sim: { volume: { incidents: 100 } }, replication: replication(['incidents', 'log_entries'], '  target_options: {relations: false}\n') });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await f.db.relations()).filter((x) => x.includes('incident_metrics')), []);
    } finally {
      await f.close();
    }
  });

  test('turning row_security on remakes the relations with the team policy; a table of the same name that is not pdsync\'s is left alone, with a warning', async () => {
    const f = await syncFixture({ name: 'relswitch', sim: { volume: { incidents: 100 } }, replication: replication(['incidents', 'log_entries', 'change_events']) });
    try {
      const kinds = async () => Object.fromEntries((await rows(f, `SELECT relname, relkind::text || CASE WHEN relrowsecurity THEN '+rls' ELSE '' END AS kind FROM pg_class WHERE relnamespace = '"${f.db.schema}"'::regnamespace AND relkind IN ('v', 'm', 'r') AND relname IN ('incident_metrics', 'incident_status_history', 'service_weekly')`)).map((r) => [r.relname, r.kind]));
      await f.db.pool.query(`CREATE SCHEMA "${f.db.schema}"`);
      await f.db.pool.query(`CREATE TABLE "${f.db.schema}".incident_status_history (mine text)`);
      await f.db.pool.query(`INSERT INTO "${f.db.schema}".incident_status_history VALUES ('kept')`);
      const first = await f.run();
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /^relations: warning: incident_status_history could not be made: "[^"]+"."incident_status_history" exists and was not made by pdsync: rename or drop it/m);
      assert.deepEqual(await kinds(), { incident_metrics: 'r', incident_status_history: 'r', service_weekly: 'r' });
      // A change event's teams are its services': row security needs them loaded.
      writeFileSync(join(f.cwd, 'replication.yaml'), replication(['incidents', 'log_entries', 'change_events', 'services'], '  target_options: {row_security: teams}\n')(f.db.schema));
      const second = await f.run();
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /^relations: incident_metrics, service_weekly, search_documents made$/m);
      assert.deepEqual(await kinds(), { incident_metrics: 'r+rls', incident_status_history: 'r', service_weekly: 'r+rls' });
      assert.deepEqual(await rows(f, 'SELECT mine FROM S.incident_status_history'), [{ mine: 'kept' }]);
      const [n] = await rows(f, 'SELECT count(*)::int AS n FROM S.service_weekly');
      assert.ok(Number(n!.n) > 0, 'the relation answers');
    } finally {
      await f.close();
    }
  });

  test('row_security: teams shows a role the rows of its teams (and rows of no team); a role granted * sees all', async () => {
    const f = await syncFixture({
      name: 'rls',
      sim: { volume: { incidents: 200 } },
      replication: replication(['incidents', 'log_entries', 'services'], '  target_options: {row_security: teams}\n'),
    });
    const roles = [`pdsync_a_${process.pid}`, `pdsync_b_${process.pid}`];
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const team = String(((f.sim.dataset.records('teams')[Symbol.iterator]().next().value as Rec).id));
      for (const role of roles) {
        await f.db.pool.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN`);
        await f.db.pool.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(f.db.schema)} TO ${pg.escapeIdentifier(role)}`);
        await f.db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${pg.escapeIdentifier(f.db.schema)} TO ${pg.escapeIdentifier(role)}`);
      }
      await f.db.pool.query('INSERT INTO pdsync.team_access (role_name, team_id) VALUES ($1, $2), ($3, $4)', [roles[0], team, roles[1], '*']);
      /** What a role sees of a query, on a connection of its own. */
      const asRole = async (role: string, sql: string): Promise<Rec[]> => {
        const url = new URL(databaseUrl(f.db.name));
        url.username = role;
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        try {
          return (await c.query(sql)).rows as Rec[];
        } finally {
          await c.end();
        }
      };
      const seen = async (role: string, table: string) => (await asRole(role, `SELECT id FROM "${f.db.schema}".${table}`)).map((x) => String(x.id)).sort();
      const incidents = [...f.sim.dataset.records('incidents')];
      const visible = incidents.filter((i) => (i.teams as Rec[]).length === 0 || (i.teams as Rec[]).some((t) => t.id === team)).map((i) => String(i.id)).sort();
      assert.ok(visible.length > 0 && visible.length < incidents.length, 'the team sees some incidents, not all');
      assert.deepEqual(await seen(roles[0]!, 'incidents'), visible);
      assert.deepEqual(await seen(roles[1]!, 'incidents'), incidents.map((i) => String(i.id)).sort());
      const [metrics] = await asRole(roles[0]!, `SELECT count(*)::int AS n FROM "${f.db.schema}".incident_metrics`);
      assert.equal(metrics!.n, visible.length, 'the relations show a role only what its teams allow');
    } finally {
      for (const role of roles) {
        await f.db.pool.query(`DROP OWNED BY ${pg.escapeIdentifier(role)}`).catch(() => undefined);
        await f.db.pool.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
      }
      await f.close();
    }
  });
});
