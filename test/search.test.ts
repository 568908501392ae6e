import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type CliResult, pdsync, SIM_KEY } from './support/cli.js';
import { databaseUrl } from './support/database.js';
import { readmeBlocks } from './support/readme-blocks.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';

type Rec = Record<string, unknown>;
interface Hit {
  type: string;
  id: string;
  name: string;
  html_url: string | null;
  team_ids: string[];
  escalation_policy_id?: string;
  on_call?: { level: number; user_id: string; user_name: string; until: string | null }[];
}

const STREAMS = ['users', 'teams', 'services', 'escalation_policies', 'schedules', 'business_services', 'oncalls'];
const TYPES: Record<string, string> = {
  users: 'user', teams: 'team', services: 'service', escalation_policies: 'escalation_policy', schedules: 'schedule', business_services: 'business_service',
};
const replication = (extra = '') => (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\n${extra}streams:\n${STREAMS.map((s) => `  ${s}:\n`).join('')}`;
const idOf = (v: unknown) => (v && typeof v === 'object' ? String((v as Rec).id) : null);

async function search(f: SyncFixture, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return pdsync(['search', ...args], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY, ...env } });
}

async function hitsOf(f: SyncFixture, args: string[], env: Record<string, string> = {}): Promise<Hit[]> {
  const r = await search(f, [...args, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { hits: Hit[] }).hits;
}

/** Who the simulator says is on call now for a policy, per level, as `on_call` lists them. */
function onCallTruth(f: SyncFixture, policy: string): Hit['on_call'] {
  return [...f.sim.dataset.records('oncalls')]
    .filter((o) => idOf(o.escalation_policy) === policy)
    .map((o) => ({ level: Number(o.escalation_level), user_id: idOf(o.user)!, user_name: String((o.user as Rec).summary), until: o.end ? new Date(String(o.end)).toISOString().replace('.000Z', 'Z') : null }))
    .sort((a, b) => a.level - b.level || a.user_name.localeCompare(b.user_name) || a.user_id.localeCompare(b.user_id));
}

/** The documents the simulator's records make: type, id, title, html_url, teams. */
function documentTruth(f: SyncFixture): string[] {
  return Object.entries(TYPES).flatMap(([stream, type]) =>
    [...f.sim.dataset.records(stream)].map((r) => {
      const teams = type === 'team' ? [String(r.id)] : type === 'business_service' ? (r.team ? [idOf(r.team)!] : []) : ((r.teams as Rec[]) ?? []).map((t) => String(t.id));
      return JSON.stringify([type, r.id, r.name, r.html_url ?? null, teams]);
    }),
  ).sort();
}

async function documents(f: SyncFixture): Promise<string[]> {
  const { rows } = await f.db.pool.query(`SELECT * FROM "${f.db.schema}".search_documents ORDER BY type, id`);
  return rows.map((r: Rec) => JSON.stringify(r));
}

describe('pdsync search', () => {
  let f: SyncFixture;
  // The simulator's clock is real time, so its on-calls now are the database's now().
  before(async () => {
    f = await syncFixture({ name: 'search', sim: { now: () => new Date() }, inputs: { rate: 2000, concurrency: 8 }, replication: replication() });
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^relations: search_documents made$/m);
  });
  after(async () => {
    await f.close();
  });

  test('search_documents holds one document per service, escalation policy, schedule, team, user and business service, with its teams', async () => {
    const { rows } = await f.db.pool.query(`SELECT type, id, title, html_url, team_ids FROM "${f.db.schema}".search_documents ORDER BY type, id`);
    assert.deepEqual(rows.map((r: Rec) => JSON.stringify([r.type, r.id, r.title, r.html_url, r.team_ids])).sort(), documentTruth(f));
    const { rows: ix } = await f.db.pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'search_documents'`, [f.db.schema]);
    assert.ok(ix.some((r: Rec) => /USING gin \(document\)/.test(String(r.indexdef))), 'document has a GIN index');
  });

  test('a service\'s exact name comes first, with its escalation policy and who the simulator says is on call now at each level', async () => {
    const services = [...f.sim.dataset.records('services')];
    // A name another's begins with ("Checkout API", "Checkout API 2"), paging more than one level, one by a schedule.
    const service = services.find((s) => {
      const truth = onCallTruth(f, idOf(s.escalation_policy)!)!;
      return services.filter((o) => String(o.name).startsWith(String(s.name))).length > 1 && new Set(truth.map((o) => o.level)).size > 1 && truth.some((o) => o.until !== null);
    })!;
    const hits = await hitsOf(f, [String(service.name).toUpperCase()]);
    assert.ok(hits.length > 1, 'other documents mention it too');
    assert.equal(hits[0]!.id, service.id);
    const policy = idOf(service.escalation_policy)!;
    assert.equal(hits[0]!.escalation_policy_id, policy);
    const truth = onCallTruth(f, policy)!;
    assert.deepEqual(hits[0]!.on_call, truth);
    const policyHit = hits.find((h) => h.id === policy);
    assert.deepEqual(policyHit?.on_call, truth, 'its escalation policy is a hit too, with the same on-calls');
    const plain = await search(f, [String(service.name)]);
    assert.equal(plain.code, 0, plain.stderr);
    const first = plain.stdout.split('\n\n')[0]!;
    assert.ok(first.startsWith(`1. service: ${String(service.name)} (${String(service.id)})\n   ${String(service.html_url)}\n`), first);
    for (const o of truth) assert.ok(first.includes(`level ${o.level}: ${o.user_name} (${o.user_id})`), first);
    assert.match(plain.stderr, /^\(\d+ hits for ".*", from database .*\)$/m);
  });

  test('a schedule\'s hit lists the users on call now by its shifts', async () => {
    const oncalls = [...f.sim.dataset.records('oncalls')].filter((o) => o.schedule);
    const schedule = idOf(oncalls[0]!.schedule)!;
    const name = String([...f.sim.dataset.records('schedules')].find((s) => s.id === schedule)!.name);
    const hit = (await hitsOf(f, [name])).find((h) => h.id === schedule)!;
    const truth = new Set(oncalls.filter((o) => idOf(o.schedule) === schedule).map((o) => `${String(o.escalation_level)} ${idOf(o.user)}`));
    assert.deepEqual(new Set(hit.on_call!.map((o) => `${o.level} ${o.user_id}`)), truth);
  });

  test('an exact name comes before documents that mention it more often', async () => {
    for (const team of [...f.sim.dataset.records('teams')]) {
      const hits = await hitsOf(f, [String(team.name).toLowerCase()]);
      // A business service may bear the same name: exact names first, whichever they are.
      const exact = hits.filter((h) => h.name === team.name);
      assert.ok(exact.some((h) => h.id === team.id), String(team.name));
      assert.deepEqual(hits.slice(0, exact.length), exact, `${String(team.name)}: exact names first`);
    }
  });

  test('search reads only the database: it works without the PagerDuty key\'s variable', async () => {
    const r = await pdsync(['search', 'checkout'], { cwd: f.cwd, env: {} });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1\. /);
  });

  test('an email finds its user first, in any case', async () => {
    const user = [...f.sim.dataset.records('users')][7]!;
    const hits = await hitsOf(f, [String(user.email).toUpperCase()]);
    assert.deepEqual([hits[0]!.type, hits[0]!.id, hits[0]!.name], ['user', user.id, user.name]);
  });

  test('free text from descriptions finds the records (english word forms)', async () => {
    // Business services say "The <name> capability as customers see it".
    const hits = await hitsOf(f, ['capabilities customer', '--limit', '100']);
    const truth = [...f.sim.dataset.records('business_services')].map((b) => String(b.id)).sort();
    assert.deepEqual(hits.filter((h) => h.type === 'business_service').map((h) => h.id).sort(), truth);
    const limited = await hitsOf(f, ['capabilities customer', '--limit', '2']);
    assert.equal(limited.length, 2);
  });

  test('--json prints exactly the documented fields: escalation_policy_id for services, on_call for what pages someone', async () => {
    const team = [...f.sim.dataset.records('teams')][0]!;
    const hits = await hitsOf(f, [String(team.name), '--limit', '200']);
    const shapes = new Map(hits.map((h) => [h.type, Object.keys(h).join(',')]));
    const base = 'type,id,name,html_url,team_ids';
    assert.deepEqual(Object.fromEntries([...shapes].sort()), {
      escalation_policy: `${base},on_call`,
      schedule: `${base},on_call`,
      service: `${base},escalation_policy_id,on_call`,
      team: base,
      user: base,
      ...(shapes.has('business_service') ? { business_service: base } : {}),
    });
    const onCall = hits.flatMap((h) => h.on_call ?? []);
    assert.ok(onCall.length > 0);
    for (const o of onCall) assert.deepEqual(Object.keys(o), ['level', 'user_id', 'user_name', 'until']);
  });

  test('README\'s Search example gives these hits, in this order, for the simulator\'s account', async () => {
    const block = readmeBlocks('Search: who do I page for checkout?', '')[0]!;
    const [command, ...printed] = block.trimEnd().split('\n');
    const r = await search(f, command!.replace('$ pdsync search ', '').split(' '));
    assert.equal(r.code, 0, r.stderr);
    // Who is on call, and until when, depends on the day; what was found does not.
    const found = (lines: string[]) => lines.filter((l) => !/^ {5}level |^\(/.test(l));
    assert.deepEqual(found(r.stdout.trimEnd().split('\n')), found(printed));
  });

  // The tests above read the account as generated: this one changes it.
  test('kept by change: a renamed service is found by its new name and no longer by its old one, and the documents equal a full rebuild', async () => {
    const services = [...f.sim.dataset.records('services')];
    const service = services.find((s) => services.filter((o) => String(o.name).includes(String(s.name))).length === 1)!;
    const old = String(service.name);
    const name = 'Basket Pricing Engine';
    f.sim.dataset.updateRecord('services', String(service.id), { name, summary: name, description: String(service.description).replace(old, name) });
    const r = await f.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^relations: search_documents kept by change \([1-9]\d* rows computed again\)$/m);
    const kept = await documents(f);
    assert.equal((await hitsOf(f, ['basket pricing engine']))[0]!.id, service.id);
    assert.ok(!(await hitsOf(f, [`"${old}"`])).some((h) => h.id === service.id), `"${old}" no longer finds it`);
    const rebuilt = await f.run(['--rebuild-relations']);
    assert.match(rebuilt.stderr, /^relations: search_documents made$/m);
    assert.deepEqual(kept, await documents(f));
  });

  test('errors: empty text, or a target without search_documents, is one line naming the fix, exit 2', async () => {
    const empty = await search(f, ['  ']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^pdsync: search: no text to search for: pass what to look for, as in pdsync search "checkout"\n$/);
    const badLimit = await search(f, ['x', '--limit', '0']);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /^pdsync: search: --limit 0 .*\n$/);
    writeFileSync(join(f.cwd, 'off.yaml'), replication('  target_options: {relations: false}\n')(f.db.schema));
    const off = await search(f, ['checkout', '-r', 'off.yaml']);
    assert.equal(off.code, 2);
    assert.match(off.stderr, /^pdsync: search: off.yaml turns the relations off \(target_options: \{relations: false\}\): remove that, then run pdsync run off.yaml\n$/);
    writeFileSync(join(f.cwd, 'elsewhere.yaml'), replication()(`${f.db.schema}_never`));
    const never = await search(f, ['checkout', '-r', 'elsewhere.yaml']);
    assert.equal(never.code, 2);
    assert.match(never.stderr, /^pdsync: search: no "[^"]+_never"."search_documents" in database .*: run pdsync run elsewhere.yaml with users, teams, .*\n$/);
  });
});

describe('pdsync search under row security', () => {
  test('a role granted one team finds only that team\'s documents and those of no team', async () => {
    const f = await syncFixture({ name: 'searchrls', inputs: { rate: 2000, concurrency: 8 }, replication: replication('  target_options: {row_security: teams}\n') });
    const role = `pdsync_search_${process.pid}`;
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const team = [...f.sim.dataset.records('teams')][1]!;
      const q = pg.escapeIdentifier;
      await f.db.pool.query(`CREATE ROLE ${q(role)} LOGIN`);
      await f.db.pool.query(`GRANT USAGE ON SCHEMA ${q(f.db.schema)} TO ${q(role)}`);
      await f.db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${q(f.db.schema)} TO ${q(role)}`);
      await f.db.pool.query('INSERT INTO pdsync.team_access (role_name, team_id) VALUES ($1, $2)', [role, team.id]);
      const asRole = new URL(databaseUrl(f.db.name));
      asRole.username = role;
      // Words every kind of document has somewhere: team names are in descriptions, policies, schedules.
      const words = [...f.sim.dataset.records('teams')].map((t) => String(t.name)).join(' or ');
      const all = await hitsOf(f, [words, '--limit', '1000']);
      const mine = await hitsOf(f, [words, '--limit', '1000'], { PG: asRole.toString() });
      const allowed = (h: Hit) => h.team_ids.length === 0 || h.team_ids.includes(String(team.id));
      assert.ok(all.some((h) => !allowed(h)), 'others\' documents match too');
      assert.ok(mine.some((h) => h.team_ids.includes(String(team.id))), 'the team\'s documents are found');
      assert.deepEqual(mine.map((h) => `${h.type} ${h.id}`).sort(), all.filter(allowed).map((h) => `${h.type} ${h.id}`).sort());
      // A role that may not read oncalls still finds, and is told why no one is on call.
      await f.db.pool.query(`REVOKE SELECT ON ${q(f.db.schema)}.oncalls FROM ${q(role)}`);
      const blind = await search(f, [words, '--json'], { PG: asRole.toString() });
      assert.equal(blind.code, 0, blind.stderr);
      assert.ok((JSON.parse(blind.stdout) as { hits: Hit[] }).hits.every((h) => h.on_call === undefined));
      assert.match(blind.stderr, /^search: warning: "[^"]+"\."oncalls" may not be read by this role to see who is on call$/m);
    } finally {
      await f.db.pool.query(`DROP OWNED BY ${pg.escapeIdentifier(role)}`).catch(() => undefined);
      await f.db.pool.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
      await f.close();
    }
  });
});
