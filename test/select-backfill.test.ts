import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pageLimit, streamSpec } from '../src/catalogue/catalogue.js';
import { idColumnName } from '../src/catalogue/id-column-name.js';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { pdsync, SIM_KEY } from './support/cli.js';
import { ENV, listen, SECRET, withWebhookSecret } from './support/listen-process.js';
import { eventually } from './support/wait.js';
import { summaryOf, type SyncFixture, syncFixture } from './support/sync-fixture.js';

const BOOKKEEPING = ['_pdsync_loaded_at', '_pdsync_rejected'];
const q = (id: string) => pg.escapeIdentifier(id);

/** A replication of users alone into `schema`, with the given entry lines (select, ...). */
const usersInto = (schema: string, entry = '') => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n  users:\n${entry}`;

function writeReplication(f: SyncFixture, text: string): void {
  writeFileSync(join(f.cwd, 'replication.yaml'), text);
}

async function columnsOf(f: SyncFixture, schema: string, table: string): Promise<string[]> {
  const { rows } = await f.db.pool.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY 1', [schema, table]);
  return rows.map((r) => r.c);
}

/** The users' email addresses at the source, wherever a record holds one (email, contact methods). */
function emailsAtSource(f: SyncFixture): string[] {
  const found = new Set<string>();
  for (const u of f.sim.dataset.records('users')) for (const m of JSON.stringify(u).matchAll(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g)) found.add(m[0].toLowerCase());
  return [...found];
}

/** Every column of every table in the test's database (pdsync's bookkeeping included) whose text holds one of `needles`. */
async function columnsHolding(f: SyncFixture, needles: string[]): Promise<string[]> {
  const { rows: columns } = await f.db.pool.query<{ s: string; t: string; c: string }>(
    `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS c FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const hits: string[] = [];
  for (const { s, t, c } of columns) {
    const { rows } = await f.db.pool.query<{ hit: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${q(s)}.${q(t)} x, unnest($1::text[]) e WHERE strpos(lower(x.${q(c)}::text), e) > 0) AS hit`,
      [needles],
    );
    if (rows[0]!.hit) hits.push(`${s}.${t}.${c}`);
  }
  return hits;
}

describe('select keeps or drops fields of a stream, everywhere pdsync writes', () => {
  let f: SyncFixture;
  before(async () => {
    f = await syncFixture({ name: 'sel' });
  });
  after(async () => {
    await f.close();
  });

  test('select: [-email, -contact_methods] lands every other column, and no email address is anywhere in the database', async () => {
    const schema = f.db.schema;
    writeReplication(f, usersInto(schema, '    select: [-email, -contact_methods]\n'));
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const all = f.catalogue.streams.users!.columns;
    const fields = Object.keys(all).filter((c) => c !== 'email' && c !== 'contact_methods');
    const ids = fields.flatMap((c) => (all[c]!.ref ? [idColumnName(c, all[c]!.ref === 'many')] : []));
    assert.deepEqual(await columnsOf(f, schema, 'users'), [...fields, ...ids, ...BOOKKEEPING].sort());
    const { rows } = await f.db.pool.query(`SELECT id, name, job_title, time_zone FROM ${q(schema)}.users ORDER BY id`);
    const truth = [...f.sim.dataset.records('users')].map((u) => ({ id: u.id, name: u.name, job_title: u.job_title ?? null, time_zone: u.time_zone ?? null }));
    assert.deepEqual(rows, truth.sort((a, b) => String(a.id).localeCompare(String(b.id))));
    const emails = emailsAtSource(f);
    assert.ok(emails.length >= 60, 'the source has the users\' addresses');
    assert.ok(await f.db.relations().then((r) => r.includes(`${schema}.search_documents`)), 'users feed search_documents');
    assert.deepEqual(await columnsHolding(f, emails), [], 'no table, relation or bookkeeping column holds an address');
  });

  test('select: [id, name, email] lands exactly those columns, with the source\'s values', async () => {
    const schema = `${f.db.schema}_keep`;
    writeReplication(f, usersInto(schema, '    select: [name, email]\n'));
    const dry = await f.run(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout + dry.stderr, /^users\s+full-refresh\s+-> \S+\.users\s.*select name, email \(kept too: id\)/m);
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await columnsOf(f, schema, 'users'), ['email', 'id', 'name', ...BOOKKEEPING].sort());
    const { rows } = await f.db.pool.query(`SELECT id, name, email FROM ${q(schema)}.users ORDER BY id`);
    const truth = [...f.sim.dataset.records('users')].map((u) => ({ id: u.id, name: u.name, email: u.email }));
    assert.deepEqual(rows, truth.sort((a, b) => String(a.id).localeCompare(String(b.id))));
    assert.ok((await columnsHolding(f, emailsAtSource(f))).includes(`${schema}.users.email`), 'the search for addresses finds them where they are');
  });

  test('a column an earlier run filled is left in place, NULL from then on, and the run says so once', async () => {
    const schema = `${f.db.schema}_old`;
    writeReplication(f, usersInto(schema));
    assert.equal((await f.run()).code, 0);
    writeReplication(f, usersInto(schema, '    select: [-email, -contact_methods]\n'));
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const users = summaryOf(r.stdout).streams.find((s) => s.stream === 'users')!;
    assert.deepEqual(users.warnings.filter((w) => /select leaves out/.test(w)), [
      `${schema}.users: select leaves out "email", "contact_methods", which earlier runs filled: every row now has NULL there (the column stays; ALTER TABLE ${schema}.users DROP COLUMN removes it)`,
    ]);
    const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM ${q(schema)}.users WHERE email IS NOT NULL OR contact_methods IS NOT NULL`);
    assert.equal(rows[0].n, 0);
    const again = await f.run(['--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(summaryOf(again.stdout).streams[0]!.warnings.filter((w) => /select leaves out/.test(w)), [], 'said once: nothing is left to say');
  });
});

describe('select and the analytics relations', () => {
  let f: SyncFixture;
  before(async () => {
    const entry = '    select: [-service, -priority]\n';
    f = await syncFixture({ name: 'selrel', replication: (schema) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n${entry}  log_entries:\n` });
  });
  after(async () => {
    await f.close();
  });

  test('a relation whose input a select leaves out is not made, with a warning; the streams load', async () => {
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    const columns = await columnsOf(f, f.db.schema, 'incidents');
    for (const c of ['service', 'service_id', 'priority', 'priority_id']) assert.ok(!columns.includes(c), c);
    assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
    assert.match(r.stderr, /^relations: warning: \S+ could not be made: /m);
    assert.match(r.stderr, /^relations: incident_status_history made/m);
    // A select added later, its columns then dropped as the warning suggests: a made relation that reads them does not fail the load.
    writeReplication(f, `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${f.db.schema}.{stream_name}\nstreams:\n  incidents:\n    select: [-service, -priority]\n  log_entries:\n    select: [-incident]\n`);
    await f.db.pool.query(`ALTER TABLE ${q(f.db.schema)}.log_entries DROP COLUMN incident, DROP COLUMN incident_id`);
    const again = await f.run(['--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'));
    assert.ok(!(await columnsOf(f, f.db.schema, 'log_entries')).includes('incident_id'));
  });
});

describe('select holds for pdsync listen too', () => {
  let f: SyncFixture;
  before(async () => {
    const replication = (schema: string) =>
      `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n    select: [-title, -summary]\n  log_entries:\n`;
    f = await syncFixture({ name: 'sellisten', sim: { volume: { incidents: 100 } }, replication });
    withWebhookSecret(f);
    const r = await f.run([], ENV);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await f.close();
  });

  test('incidents applied from webhooks land without the fields select drops (no column made for them)', async () => {
    const l = await listen(f);
    try {
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET] });
      const added = f.sim.dataset.addIncidents(3);
      await f.sim.webhooks.settled();
      await eventually('the new incidents land', async () => (await f.db.pool.query(`SELECT count(*)::int AS n FROM ${q(f.db.schema)}.incidents WHERE id = ANY($1)`, [added])).rows[0].n === 3, 60_000);
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      assert.equal((await l.run.done).code, 0);
    }
    const columns = await columnsOf(f, f.db.schema, 'incidents');
    assert.ok(!columns.includes('title') && !columns.includes('summary'), columns.join(', '));
    const { rows } = await f.db.pool.query(`SELECT count(*)::int AS n FROM ${q(f.db.schema)}.incidents WHERE _pdsync_rejected IS NOT NULL`);
    assert.equal(rows[0].n, 0, 'nor kept as a rejected value');
  });
});

describe('mode backfill re-reads a window and merges it, the cursor untouched', () => {
  let f: SyncFixture;
  const RANGE = '2025-06-01,2025-06-30';
  const since = Date.parse('2025-06-01T00:00:00Z');
  const until = Date.parse('2025-07-01T00:00:00Z');
  const incremental = (schema: string) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n`;
  const state = async () => (await f.db.pool.query(`SELECT row_to_json(s)::text AS t FROM pdsync.state s ORDER BY stream`)).rows;

  before(async () => {
    // A day inside the range with more incidents than one query may list: the window is split there.
    f = await syncFixture({ name: 'bf', sim: { burst: { stream: 'incidents', day: '2025-06-15', count: 10_500 } }, replication: incremental });
  });
  after(async () => {
    await f.close();
  });

  test('after an incremental run, a backfill updates changed records inside its range only, reads nothing outside it, and keeps the cursor byte for byte', async () => {
    const first = await f.run(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const saved = await state();
    assert.equal(saved.length, 1);
    const created = (r: Record<string, unknown>) => Date.parse(String(r.created_at));
    const incidents = [...f.sim.dataset.records('incidents')];
    const inside = incidents.find((r) => created(r) > since + 86_400_000 && created(r) < Date.parse('2025-06-10'))!;
    const lastDay = incidents.find((r) => created(r) >= Date.parse('2025-06-30T12:00:00Z') && created(r) < until)!;
    const outside = incidents.find((r) => created(r) > Date.parse('2025-08-01') && created(r) < Date.parse('2025-09-01'))!;
    const outsideTitle = String(outside.title);
    // Changed at the source without a log entry: no incremental run would see it.
    for (const r of [inside, lastDay, outside]) f.sim.dataset.updateRecord('incidents', String(r.id), { title: `changed ${r.id}` });
    f.sim.resetLog();
    writeReplication(f, `${incremental(f.db.schema)}    mode: backfill\n    source_options: {range: '${RANGE}'}\n`);
    const r = await f.run(['--json']);
    assert.equal(r.code, 0, r.stderr);
    const titles = new Map((await f.db.pool.query(`SELECT id, title FROM ${q(f.db.schema)}.incidents WHERE id = ANY($1)`, [[inside.id, lastDay.id, outside.id]])).rows.map((x) => [x.id, x.title]));
    assert.equal(titles.get(inside.id), `changed ${inside.id}`, 'inside the range: updated');
    assert.equal(titles.get(lastDay.id), `changed ${lastDay.id}`, 'the range\'s last day is included');
    assert.equal(titles.get(outside.id), outsideTitle, 'outside the range: not read');
    const reads = f.sim.requests.filter((e) => e.path === '/incidents' || e.path === '/log_entries');
    assert.ok(reads.length > 100, `the range's ${reads.length} pages, the burst day split to fit`);
    for (const e of reads) {
      assert.equal(e.path, '/incidents', 'no change feed is read');
      const p = new URLSearchParams(e.query);
      assert.ok(Date.parse(p.get('since')!) >= since && Date.parse(p.get('until')!) <= until, `window inside the range: ${e.query}`);
    }
    assert.ok(reads.some((e) => Date.parse(new URLSearchParams(e.query).get('until')!) - Date.parse(new URLSearchParams(e.query).get('since')!) < 86_400_000), 'a window under a day: the 10,000 cap split it');
    assert.deepEqual(await state(), saved, 'the saved cursor is exactly as it was');
    assert.deepEqual(await f.landed('incidents'), f.truth('incidents'), 'nothing deleted');
  });

  test('--dry-run shows the range and its windows; --mode backfill --range does the same from the command line', async () => {
    writeReplication(f, incremental(f.db.schema));
    const dry = await f.run(['--dry-run', '--mode', 'backfill', '--range', RANGE]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout + dry.stderr, /^incidents\s+backfill\s+-> \S+\.incidents\s+1 window\(s\) of <= 180 days, 2025-06-01T00:00:00\.000Z \.\. 2025-07-01T00:00:00\.000Z\s+range 2025-06-01,2025-06-30/m);
    // Its cost: one window, then the range's rows in pages, not the pages of the table's whole history.
    const inRange = Number((await f.db.pool.query(`SELECT count(*) AS n FROM ${q(f.db.schema)}.incidents WHERE created_at >= $1 AND created_at < $2`, [new Date(since), new Date(until)])).rows[0].n);
    const catalogue = await loadCatalogue();
    const limit = pageLimit(catalogue, streamSpec(catalogue, 'incidents'));
    assert.ok(inRange > 10_000 && inRange < (await f.db.ids('incidents')).length, `the burst day is in the range, the rest of the history not (${inRange})`);
    assert.match(dry.stdout + dry.stderr, new RegExp(`^incidents .*range 2025-06-01,2025-06-30\\s+\\(about ${1 + Math.floor(inRange / limit)} requests;`, 'm'));
    const empty = await f.run(['--dry-run', '--mode', 'backfill', '--range', '2020-01-01,2020-01-31']);
    assert.match(empty.stdout + empty.stderr, /^incidents .*range 2020-01-01,2020-01-31\s+\(about 1 request;/m);
    // Timestamps: END's own second is included; no zone is UTC.
    const stamps = await f.run(['--dry-run', '--mode', 'backfill', '--range', '2025-06-01T06:00:00+02:00,2025-06-02T12:00:00']);
    assert.equal(stamps.code, 0, stamps.stderr);
    assert.match(stamps.stdout + stamps.stderr, /^incidents\s+backfill\s+.* 2025-06-01T04:00:00\.000Z \.\. 2025-06-02T12:00:01\.000Z/m);
    writeReplication(f, `${incremental(f.db.schema)}  users:\n`);
    const all = await f.run(['--dry-run', '--mode', 'backfill', '--range', RANGE]);
    assert.equal(all.code, 2);
    assert.match(all.stderr, /^pdsync: replication\.yaml: --mode: stream "users" has no time window to backfill .*: pick those with --streams$/m);
  });
});

describe('bad select or range: one line, exit 2, nothing written', () => {
  let f: SyncFixture;
  before(async () => {
    f = await syncFixture({ name: 'selerr' });
  });
  after(async () => {
    await f.close();
  });

  const cases: { name: string; entry: string; stream?: string; args?: string[]; expect: RegExp }[] = [
    { name: 'keep and drop mixed', entry: '    select: [id, -email]\n', expect: /^pdsync: replication\.yaml: streams\.users\.select: mixes a field to keep \("id"\) with fields to drop \("-email"\)/ },
    { name: 'a field the stream lacks, with the nearest', entry: '    select: [-emial]\n', expect: /^pdsync: replication\.yaml: streams\.users\.select: users has no field "emial": the nearest is "email"$/ },
    { name: 'dropping the key', entry: '    select: [-id]\n', expect: /^pdsync: replication\.yaml: streams\.users\.select: "-id": id is the key pdsync merges users by; it cannot be dropped$/ },
    { name: 'backfill of a stream without a window', entry: "    mode: backfill\n    source_options: {range: '2025-01-01,2025-02-01'}\n", expect: /^pdsync: replication\.yaml: streams\.users\.mode: stream "users" has no time window to backfill/ },
    { name: 'backfill without a range', stream: 'incidents', entry: '    mode: backfill\n', expect: /^pdsync: replication\.yaml: streams\.incidents\.source_options\.range: mode backfill needs source_options\.range/ },
    { name: 'a malformed range', stream: 'incidents', entry: "    mode: backfill\n    source_options: {range: '2025-02-30,2025-03-01'}\n", expect: /^pdsync: replication\.yaml: streams\.incidents\.source_options\.range: range "2025-02-30,2025-03-01": START "2025-02-30" is not a date/ },
    { name: 'a range that starts after it ends', stream: 'incidents', entry: "    mode: backfill\n    source_options: {range: '2025-03-01,2025-02-01'}\n", expect: /^pdsync: replication\.yaml: streams\.incidents\.source_options\.range: range "2025-03-01,2025-02-01": START is after END$/ },
    { name: '--range without --mode backfill', stream: 'incidents', entry: '', args: ['--range', '2025-01-01,2025-02-01'], expect: /^pdsync: --range: a range is read by --mode backfill only/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      writeReplication(f, usersInto(f.db.schema, c.entry).replace('  users:\n', `  ${c.stream ?? 'users'}:\n`));
      const r = await pdsync(['run', 'replication.yaml', ...(c.args ?? [])], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), c.expect);
      assert.equal(f.sim.requests.length, 0, 'nothing asked of the API');
      assert.equal(await f.db.schemaExists(), false, 'nothing written');
    });
  }
});
